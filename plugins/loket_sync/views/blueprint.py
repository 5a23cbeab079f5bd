"""The loket_sync blueprint and actions; view modules import them from here."""
from __future__ import annotations

from core.models import Role
from core.security import Action, TenantBlueprint

# The director runs the sync; the koepel coordinator sees its state (counts), not the payloads.
SYNC_VIEW = Action("loket_sync.view", frozenset({Role.DIRECTOR, Role.COORDINATOR}), "Loket-synchronisatie bekijken")
SYNC_EDIT = Action("loket_sync.edit", frozenset({Role.DIRECTOR}), "Loket-synchronisatie instellen")

bp = TenantBlueprint("loket_sync", "plugins.loket_sync", module="loket_sync", url_prefix="/loket_sync",
                     template_folder="templates")
