"""The module's per-organisation settings, read through the TenantContext (one query for all of
an organisation's settings per context; the tablet's requests read them with the organisation)."""
from __future__ import annotations

PREFIX = "aanwezigheden."


def setting(ctx, name: str):
    """``aanwezigheden.<name>`` of the context's organisation."""
    return ctx.setting(PREFIX + name)
