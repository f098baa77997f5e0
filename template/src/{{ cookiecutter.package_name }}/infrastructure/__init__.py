"""Adapters for the application ports: database, AWS services, token verification."""
