"""SQLAlchemy 2 async persistence: tables, repository, unit of work and migrations."""
