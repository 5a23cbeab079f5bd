"""The contract between core and the modules. Every hook here is documented in docs/hooks.md.

Setup hooks run once for every installed plugin. Runtime hooks are called through
``core.tenancy.tenant_hook(org)``, so they only reach the modules the organisation has enabled.
Collectors return lists of frozen dataclasses with an explicit ``weight``; callers sort them.
Specs evolve by adding arguments only.
"""
from __future__ import annotations

from core.plugins import hookspec

# --- setup hooks ------------------------------------------------------------------------------


@hookspec
def register_blueprints(app):
    """Register the plugin's Flask blueprints on ``app`` (called once at start-up)."""


@hookspec
def register_cli_commands(cli):
    """Add click commands or groups to the ``koepel`` command group ``cli``."""


@hookspec
def register_jinja(env):
    """Add filters, globals or tests to the Jinja environment ``env``."""


@hookspec
def register_job_handlers(registry):
    """Register the module's job handlers once at start-up: ``registry.add(kind, handler)`` with
    ``handler(session, job)``. The registering module becomes the jobs' ``module``; a kind added
    twice stops the start-up (core.jobs)."""


@hookspec
def populate_demo(session, org, seed):
    """Add synthetic demo data of the module for organisation ``org`` (``koepel demo``, only for
    enabled modules, after core's data; ``seed`` makes it reproducible). Never real people."""


@hookspec
def demo_links(session, org):
    """Return a list of ``(label, path)``: pages of ``org``'s demo data worth opening (e.g. a
    parent's status page with an open offer), printed by ``koepel demo`` after the logins."""


@hookspec
def setting_definitions():
    """Return a list of SettingDefinition for the module's per-organisation settings."""


# --- runtime collectors -----------------------------------------------------------------------


@hookspec
def menu_items(org, user):
    """Return a list of MenuItem for the navigation of organisation ``org`` as seen by ``user``."""


@hookspec
def koepel_menu_items(user):
    """Return a list of MenuItem for koepel-wide pages (all partners), shown to coordinators."""


@hookspec
def dashboard_widgets(org, user):
    """Return a list of DashboardWidget for the dashboard of ``org`` as seen by ``user``."""


@hookspec
def child_detail_panels(org, child, user):
    """Return a list of Panel shown on the file of ``child`` (already access-checked)."""


# --- retention (core.retention; tenant-scoped, inside the run's transaction) -------------------


@hookspec
def retention_holds(session, org, child_ids, family_ids, cutoff):
    """Veto: return a list of RetentionHold naming which of ``child_ids`` / ``family_ids`` (past
    ``core.retention_years`` by core's rule; ``cutoff`` is the date before which the last
    involvement must lie) the module still needs, e.g. a care plan or attendance on or after
    ``cutoff``. Read only: also called by the dry run."""


@hookspec
def before_retention_erase(session, org, child_ids, family_ids):
    """These children and families of ``org`` are about to be deleted: delete or anonymise the
    module's own rows about them (and scrub personal data from their audit entries), database work
    only, without committing. Raising aborts the organisation's whole run."""


# --- events (inside the transaction, database work only) ----------------------------------------


@hookspec
def on_module_changed(event):
    """A module was enabled or disabled for an organisation; ``event`` is a ModuleChanged."""


@hookspec
def on_care_plan_changed(event):
    """planning: a care plan changed; ``event`` is a core.plugins.events.CarePlanChanged."""


@hookspec
def on_vacancies_changed(event):
    """planning: free places of a location may have changed; ``event`` is a VacanciesChanged."""


@hookspec
def on_placement_confirmed(event):
    """wachtlijst: an offer was accepted and placed; ``event`` is a PlacementConfirmed."""


@hookspec
def on_offer_declined(event):
    """wachtlijst: a parent declined an offer; ``event`` is an OfferDeclined."""


@hookspec
def on_offer_expired(event):
    """wachtlijst: an offer passed its deadline unanswered; ``event`` is an OfferExpired."""


@hookspec
def on_care_request_status_changed(event):
    """wachtlijst: a care request changed status; ``event`` is a CareRequestStatusChanged."""


@hookspec
def on_attendance_recorded(event):
    """aanwezigheden: attendance of a child changed; ``event`` is an AttendanceRecorded."""


# --- single answers (firstresult) ---------------------------------------------------------------


@hookspec(firstresult=True)
def resolve_expected_children(org, location_id, day):
    """Who is expected at a location on a day: a list of planning.api.ExpectedChild, or None when
    no enabled module plans care (the first non-None answer wins)."""


@hookspec(firstresult=True)
def resolve_kindcodes(org, child_ids, start, end):
    """The Opgroeien kindcodes of children in ``start..end`` from the module that keeps the attests
    inkomenstarief (facturatie): ``{(child_id, family_id or None): kindcode}`` (None as family: the
    child's own attest), or None when no enabled module keeps them (the first non-None answer wins;
    aanwezigheden then uses its own table)."""
