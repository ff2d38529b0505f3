"""Use cases of deal registration and lead distribution; every call takes the acting user."""
