"""Pure domain vocabulary and rules: no Flask, no SQLAlchemy."""
