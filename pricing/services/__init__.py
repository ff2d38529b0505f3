"""Use cases of the pricing package; every call takes the acting user."""
