"""One module per resource; app.py includes their `router`."""
