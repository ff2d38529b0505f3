"""A realistic demo channel, loaded by ``portal demo``: idempotent, so running it twice changes nothing."""
