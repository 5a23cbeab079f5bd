"""Core's own hook implementations, registered first and marked trylast like defaults."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core import security
from core.plugins import DashboardWidget, MenuItem, SettingDefinition, hookimpl


@hookimpl(trylast=True)
def menu_items(org, user):
    items = [MenuItem(_l("Overzicht"), "org.dashboard", weight=0)]
    if security.can(user, security.LOCATION_VIEW):
        items.append(MenuItem(_l("Locaties"), "locations.index", weight=10))
    if security.can(user, security.FAMILY_VIEW):
        items.append(MenuItem(_l("Gezinnen"), "families.index", weight=20))
    if security.can(user, security.CHILD_VIEW):
        items.append(MenuItem(_l("Kinderen"), "children.index", weight=30))
    if security.can(user, security.MODULES_MANAGE):
        items.append(MenuItem(_l("Modules"), "org.modules", weight=900))
    if user.role in (security.Role.COORDINATOR, security.Role.DIRECTOR):
        items.append(MenuItem(_l("Instellingen"), "settings.index", weight=905))
        items.append(MenuItem(_l("Klachten en crisissituaties"), "incidents.index", weight=906))
    if security.can(user, security.USERS_MANAGE):
        items.append(MenuItem(_l("Gebruikers"), "org.users", weight=910))
    if security.can(user, security.AUDIT_VIEW):
        items.append(MenuItem(_l("Auditlog"), "org.audit", weight=920))
    return items


@hookimpl(trylast=True)
def dashboard_widgets(org, user):
    from flask import render_template

    from core.views.org import organisation_counts

    return [
        DashboardWidget(
            _l("Organisatie"),
            render_template("core/widgets/counts.html", counts=organisation_counts(org, user)),
            weight=0,
        )
    ]


@hookimpl
def child_detail_panels(org, child, user):
    return []


@hookimpl
def setting_definitions():
    from core.retention import LEGAL_MINIMUM_YEARS

    return [
        SettingDefinition(
            "core.retention_years",
            _l("Bewaartermijn kind- en gezinsgegevens (jaren)"),
            5,
            type="int",
            help=_l("Decreet art. 24: 5 jaar voor kind- en gezinsgegevens."),
            minimum=LEGAL_MINIMUM_YEARS["child_family"],
        ),
        SettingDefinition(
            "core.complaint_retention_years",
            _l("Bewaartermijn klachten en crisissituaties (jaren)"),
            LEGAL_MINIMUM_YEARS["complaint_crisis"],
            type="int",
            help=_l("Decreet art. 24: 10 jaar voor klachten en crisissituaties."),
            minimum=LEGAL_MINIMUM_YEARS["complaint_crisis"],
        ),
        SettingDefinition(
            "core.document_retention_days",
            _l("Bewaartermijn van aangemaakte documenten (dagen)"),
            365,
            type="int",
            help=_l("Rapporten, exports en bijlagen; ze kunnen opnieuw aangemaakt worden uit de gegevens."),
        ),
    ]


@hookimpl(trylast=True)
def register_cli_commands(cli):
    from core.commands import crypto_cli, db, demo, modules, users
    from core.documents import documents_cli
    from core.jobs import jobs_cli
    from core.retention import retention_cli
    from loket.cli import loket_cli  # the reference loket: there whether or not loket_sync is used

    for group in (db, demo, users, modules, jobs_cli, retention_cli, crypto_cli, documents_cli, loket_cli):
        cli.add_command(group)


@hookimpl
def register_job_handlers(registry):
    from core import mail, retention

    registry.add(retention.JOB_KIND, retention.retention_job)
    registry.add(mail.KIND, mail.send_job)


@hookimpl
def register_jinja(env):
    from core.views.jobs import progress_of

    env.globals["job_progress_data"] = progress_of  # for core/_job_progress.html


@hookimpl
def on_module_changed(event):
    return None
