"""Alembic migrations shipped inside the package (``stockwise db upgrade`` runs them)."""
