"""Claim linking: candidate retrieval in SQL (retrieval.py) and pure-Python pair scoring."""
