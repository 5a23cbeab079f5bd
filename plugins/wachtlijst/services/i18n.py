"""Staff-facing strings outside a request (jobs, CLI, services called from tests): the Dutch
source text, since core's locale selector needs a request. Inside a request: Flask-Babel."""
from __future__ import annotations


def text(value) -> str:
    """``str()`` of a lazy Flask-Babel string, falling back to its Dutch source outside a request."""
    try:
        return str(value)
    except RuntimeError:
        args = getattr(value, "_args", None)
        if not args:
            raise
        kwargs = getattr(value, "_kwargs", {}) or {}
        return args[0] % kwargs if kwargs else args[0]
