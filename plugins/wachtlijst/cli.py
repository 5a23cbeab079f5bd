"""``koepel wachtlijst ...``: anonymisation (with a dry run) and the daily schedule."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.clock import to_local
from core.context import context_for


@click.group("wachtlijst")
def wachtlijst_cli():
    """Waiting list: privacy and scheduled work."""


@wachtlijst_cli.command("anonymise")
@click.argument("org")
@click.option("--dry-run", is_flag=True, help="Only list the requests that would be anonymised.")
@with_appcontext
def anonymise_cmd(org, dry_run):
    """Anonymise requests older than the retention period of ORG."""
    from core.db import get_db
    from core.models import Organisation

    from .services.privacy import anonymise, due_for_anonymisation

    with get_db().unit_of_work() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.slug == org))
        if organisation is None:
            raise click.ClickException(f"onbekende organisatie: {org}")
        if dry_run:
            for req in due_for_anonymisation(context_for(session, organisation)):
                click.echo(f"#{req.id} ingediend {to_local(req.submitted_at):%Y-%m-%d} {req.status.value}")
            session.rollback()
            return
        ids = anonymise(context_for(session, organisation))
    click.echo(f"{len(ids)} aanvragen geanonimiseerd")


@wachtlijst_cli.command("schedule")
@with_appcontext
def schedule_cmd():
    """Queue the daily anonymisation job (it re-queues itself every day)."""
    from core.db import get_db

    from .services.jobs import schedule_retention

    with get_db().unit_of_work() as session:
        job = schedule_retention(session)
    click.echo(f"gepland op {to_local(job.run_at):%Y-%m-%d %H:%M}")
