"""``koepel loket-sync``: state per organisation, send now, pull now, resync."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.commands import fail


@click.group("loket-sync")
def loket_sync_cli():
    """Exchange with the lokaal loket."""


def _ctx(session, slug):
    from core.context import context_for_slug

    ctx = context_for_slug(session, slug)
    if ctx is None or not ctx.is_enabled("loket_sync"):
        fail(f"geen organisatie {slug!r} met loket_sync aan")
    return ctx


@loket_sync_cli.command("status")
@with_appcontext
@click.argument("org", required=False)
def status_cmd(org):
    """Sent, pending (and the lag), failed, rejected and unmapped per organisation."""
    from sqlalchemy import select

    from core.db import get_db
    from core.models import Organisation, OrganisationModule

    from .services import connection, status

    with get_db().unit_of_work() as session:
        slugs = [org] if org else list(session.scalars(select(Organisation.slug).join(
            OrganisationModule, OrganisationModule.organisation_id == Organisation.id).where(
            OrganisationModule.module == "loket_sync").order_by(Organisation.slug)))
        for slug in slugs:
            ctx = _ctx(session, slug)
            s = status.summary(ctx)
            conn = connection.get(ctx)
            click.echo(f"{slug}: {conn.state if conn else 'new'} verzonden={s.counts['sent']} "
                       f"wacht={s.counts['pending']} achterstand={s.lag_seconds if s.lag_seconds is not None else '-'}s "
                       f"mislukt={s.counts['failed']} geweigerd={s.counts['rejected']} niet-verwerkt={s.unmapped}")


@loket_sync_cli.command("connect")
@with_appcontext
@click.argument("org")
@click.option("--url", required=True)
@click.option("--key-id", required=True)
@click.option("--secret", required=True)
@click.option("--partner-id", default="", help="Our id at the loket (default: the organisation's slug).")
def connect_cmd(org, url, key_id, secret, partner_id):
    """Set the loket's address and credentials of an organisation."""
    from core.db import get_db
    from core.errors import DomainError

    from .services import connection

    with get_db().unit_of_work() as session:
        try:
            connection.configure(_ctx(session, org), base_url=url, key_id=key_id, secret=secret,
                                 partner_id=partner_id)
        except DomainError as exc:
            fail(exc.message)
    click.echo(f"{org}: verbonden met {url}")


@loket_sync_cli.command("resync")
@with_appcontext
@click.argument("org")
def resync_cmd(org):
    """Send everything again (queued; the job worker sends it)."""
    from core.db import get_db

    from .services import resync

    with get_db().unit_of_work() as session:
        resync.request(_ctx(session, org))
    click.echo("in de wachtrij")


@loket_sync_cli.command("verify")
@with_appcontext
@click.argument("org")
def verify_cmd(org):
    """Compare the vacancy checksum of what was published with what the loket holds (GET /state)."""
    from core.db import get_db

    from .services import status
    from .services.adapters import HttpAdapter, fetch_state
    from .services.sender import adapter_for

    with get_db().unit_of_work() as session:
        ctx = _ctx(session, org)
        adapter = adapter_for(ctx)
        if not isinstance(adapter, HttpAdapter):
            fail("geen verbinding met een loket-API ingesteld")
        count, checksum = status.vacancy_checksum(ctx)
        pending = status.summary(ctx).counts["pending"]
    try:
        theirs = fetch_state(adapter)["vacancies"]
    except Exception as exc:  # noqa: BLE001 - any failure is reported as such
        fail(f"het loket antwoordt niet zoals verwacht: {exc}")
    same = theirs.get("checksum") == checksum
    click.echo(f"{org}: vrije plaatsen hier {count} ({checksum[:12]}), bij het loket {theirs.get('count')} "
               f"({str(theirs.get('checksum'))[:12]}): {'gelijk' if same else 'VERSCHILLEND'}; wacht: {pending}")
    if not same:
        raise SystemExit(1)
