"""Alembic migrations, run programmatically through :mod:`myomap.records.migrate`."""
