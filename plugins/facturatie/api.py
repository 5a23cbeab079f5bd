"""The public contract of the facturatie module (empty until its issue lands).

Like every ``api.py``: the only module other plugins may import; functions take the
TenantContext first (``ctx.session``, ``ctx.org``, ``ctx.today()``), return plain frozen
dataclasses and are thin over ``services/``."""
from __future__ import annotations

__all__: list[str] = []
