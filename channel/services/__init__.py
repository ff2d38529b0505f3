"""Use cases of the partner network. Every call takes the acting ``Actor`` first and enforces what it
may see (``NotFoundError`` otherwise) and do (``PermissionDeniedError``)."""
