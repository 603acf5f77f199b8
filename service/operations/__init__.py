"""Business operations: plain functions taking a Session. They flush; the caller commits."""
