"""The wachtlijst module's blueprints and actions. Every view module imports them from here and
this module imports no view, so the views cannot import each other in a circle."""
from __future__ import annotations

from flask import Blueprint

from core.models import Role
from core.security import Action, TenantBlueprint

STAFF = frozenset({Role.DIRECTOR, Role.COORDINATOR})
# Requests, rankings and candidates name children and parents: the organisation's director only;
# the koepel coordinator sees the figures (free places, policy, reports), not the names.
WL_VIEW = Action("wachtlijst.view", frozenset({Role.DIRECTOR}), "Opvangvragen bekijken")
WL_EDIT = Action("wachtlijst.edit", frozenset({Role.DIRECTOR}), "Opvangvragen invoeren, aanbieden, samenvoegen")
WL_FIGURES = Action("wachtlijst.figures", STAFF, "Vrije plaatsen voor de wachtlijst bekijken")
WL_POLICY = Action("wachtlijst.policy", STAFF, "Voorrangsbeleid beheren")
WL_REPORT = Action("wachtlijst.report", STAFF, "Rapporten van de wachtlijst")
WL_CENTRAL = Action("wachtlijst.central", frozenset({Role.COORDINATOR}), "Centrale toewijzing van de koepel")

#: The organisation's pages (staff and the parents' public form and status page), /o/<org>/wachtlijst/.
bp = TenantBlueprint("wachtlijst", "plugins.wachtlijst", module="wachtlijst", url_prefix="/wachtlijst",
                     template_folder="templates")
#: The koepel coordinator's central allocation, across partners, /koepel/wachtlijst/.
koepel_bp = Blueprint("wachtlijst_koepel", "plugins.wachtlijst", url_prefix="/koepel/wachtlijst",
                      template_folder="templates")
