"""Process entrypoints; each builds the app once per process from the environment."""
