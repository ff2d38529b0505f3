"""Use cases of reports: every call takes the acting ``Actor`` first and sees only its scope."""
