"""One stack per concern; app.py composes the ones this project's answers brought."""
