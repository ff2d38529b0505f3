"""Use cases of reports: each takes the acting user and enforces what they may see and do."""
