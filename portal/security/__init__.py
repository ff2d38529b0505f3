"""Sign-in sessions, API tokens, CSRF, guards and sign-in throttling."""
