"""Hook implementations of the planning module. UI hooks live in ui_hooks.py and are re-exported
here, because the plugin manager registers this module."""
from .ui_hooks import *  # noqa: F401,F403,I001  (register_blueprints, menu_items, ...)

from core.plugins import hookimpl


@hookimpl
def setting_definitions():
    """Respijtdagen, age limits, day-part split, ratio rule set, rest period, last-minute weeks."""
    from .services.settings import DEFINITIONS

    return list(DEFINITIONS)


@hookimpl
def resolve_expected_children(org, location_id, day):
    """Who is expected at a location on a day, from the care plans (planning.api.ExpectedChild)."""
    from core.db import session

    from .services.reservations import expected_children

    return expected_children(session(), org, location_id, day)


@hookimpl
def retention_holds(session, org, child_ids, family_ids, cutoff):
    """Children and families with a care plan that runs on or after the retention cutoff."""
    from .services.retention import retention_holds as holds

    return holds(session, org, child_ids, family_ids, cutoff)


@hookimpl
def before_retention_erase(session, org, child_ids, family_ids):
    """Scrub the values from the audit entries of the care plans that go with erased children."""
    from .services.retention import before_erase

    before_erase(session, org, child_ids)
