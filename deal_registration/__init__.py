"""Deal registration against channel conflict, and lead distribution with follow-up deadlines."""
