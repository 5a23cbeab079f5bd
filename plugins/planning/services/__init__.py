"""The planning module's operations. They add and flush, never commit; other modules use api.py."""
