"""The loket_sync blueprint and actions; view modules import them from here."""
from __future__ import annotations

from flask import Blueprint

from core.models import Role
from core.security import Action, TenantBlueprint

# The director runs the sync; the koepel coordinator sees its state (counts), not the payloads.
SYNC_VIEW = Action("loket_sync.view", frozenset({Role.DIRECTOR, Role.COORDINATOR}), "Loket-synchronisatie bekijken")
SYNC_EDIT = Action("loket_sync.edit", frozenset({Role.DIRECTOR}), "Loket-synchronisatie instellen")
SYNC_KOEPEL = Action("loket_sync.koepel", frozenset({Role.COORDINATOR}), "Loket-synchronisatie van alle partners")

bp = TenantBlueprint("loket_sync", "plugins.loket_sync", module="loket_sync", url_prefix="/loket_sync",
                     template_folder="templates")
#: The koepel coordinator's overview of every partner's sync state (counts, no payloads).
koepel_bp = Blueprint("loket_sync_koepel", "plugins.loket_sync", url_prefix="/koepel/loket_sync",
                      template_folder="templates")
