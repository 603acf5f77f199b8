"""The HTTP contract: marshmallow schemas, named by role. No Flask, no SQLAlchemy."""
