"""One Alembic revision per schema of the store, oldest first."""
