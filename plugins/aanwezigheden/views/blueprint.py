"""Views of the aanwezigheden module: the tablet (device session + PIN) and the director's pages."""
from __future__ import annotations

from core.models import Role
from core.security import ORG_STAFF, Action, TenantBlueprint

bp = TenantBlueprint("aanwezigheden", "plugins.aanwezigheden", module="aanwezigheden",
                     url_prefix="/aanwezigheden", template_folder="templates")

VIEW = Action("aanwezigheden.view", ORG_STAFF, "Aanwezigheden en register bekijken")
MANAGE = Action("aanwezigheden.manage", frozenset({Role.DIRECTOR}),
                "Tablets koppelen, registraties verbeteren, rapporten aan Opgroeien")
OWN_PIN = Action("aanwezigheden.pin", frozenset({Role.DIRECTOR, Role.CAREGIVER}), "Eigen tabletpincode instellen")
