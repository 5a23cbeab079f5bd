"""The operations of the loket_sync module (add and flush, never commit)."""
