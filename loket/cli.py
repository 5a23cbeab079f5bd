"""``koepel loket ...``: run the reference loket and manage it (tables, staff, partners, keys,
demo). Registered by core's own ``register_cli_commands`` (core/hooks.py), so the command exists
whether or not any organisation uses loket_sync. Each command builds the loket app itself; the
koepel app the FlaskGroup made is not used."""
from __future__ import annotations

import json
from datetime import timedelta

import click


def _app(database: str | None = None, faults: str | None = None):
    from loket import create_app, faults_from_option

    config = {}
    if database:
        config["DATABASE_URL"] = database
    if faults:
        config["LOKET_FAULTS"] = faults_from_option(faults)
    return create_app(config)


def _fail(message: str) -> None:
    click.echo(f"fout: {message}", err=True)
    raise SystemExit(2)


@click.group("loket")
def loket_cli():
    """The reference lokaal loket (its own database: LOKET_DATABASE_URL, default var/loket.db)."""


database_option = click.option("--database", default=None, help="Database URL (default: LOKET_DATABASE_URL or var/loket.db).")


@loket_cli.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5050, type=int)
@click.option("--faults", default=None,
              help='Inject faults into the API, e.g. \'{"error_rate":0.3,"timeout_rate":0.05,"drop_rate":0.05,"seed":1}\' '
                   "or error=0.3,timeout=0.05,drop=0.05,seed=1 (also env LOKET_FAULTS).")
@click.option("--push-every", default=0.0, type=float,
              help="Push changed requests to partners with an inbound URL every N seconds (0: no push).")
@database_option
def serve(host, port, faults, push_every, database):
    """Serve the reference loket (development server, threaded)."""
    from werkzeug.serving import run_simple

    app = _app(database, faults)
    if push_every > 0:
        from loket.push import start_push_thread

        start_push_thread(app, push_every)
        click.echo(f"push naar partners elke {push_every:g} s")
    click.echo(f"lokaal loket op http://{host}:{port}/ (API: http://{host}:{port}/api/v1/, Ctrl+C stopt)")
    if "loket_faults" in app.extensions:
        click.echo(f"fouten worden ingestoken: {app.extensions['loket_faults'].faults}")
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


@loket_cli.command("init")
@database_option
def init(database):
    """Create the loket's tables (idempotent)."""
    from loket.db import create_all

    app = _app(database)
    create_all(app.extensions["loket_db"])
    click.echo("loket-database klaar")


@loket_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
@database_option
def create_admin(email, name, password, database):
    """Create a loket staff account (administrator)."""
    from sqlalchemy import select

    from core.passwords import hash_password
    from loket.models import StaffUser

    app = _app(database)
    with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
        if sess.scalar(select(StaffUser.id).where(StaffUser.email == email.lower())):
            _fail(f"gebruiker {email} bestaat al")
        sess.add(StaffUser(email=email.strip().lower(), name=name, password_hash=hash_password(password), is_admin=True))
    click.echo(f"loketmedewerker {email} aangemaakt")


@loket_cli.command("add-partner")
@click.argument("partner_id")
@click.argument("name")
@click.option("--key-id", default=None, help="Key id (default: generated).")
@click.option("--secret", default=None, help="Shared secret (default: generated; shown once).")
@click.option("--location", "locations", multiple=True, help="Assign a location ref to this partner (repeatable).")
@click.option("--inbound-url", default="", help="Optional push address of the partner.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@database_option
def add_partner(partner_id, name, key_id, secret, locations, inbound_url, as_json, database):
    """Connect a partner; prints its key id and secret (shown once, stored encrypted)."""
    from loket.partners import PartnerError
    from loket.partners import add_partner as add

    app = _app(database)
    try:
        with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
            key_id, secret = add(sess, partner_id, name, key_id=key_id, secret=secret, locations=locations,
                                 inbound_url=inbound_url)
    except PartnerError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps({"partner": partner_id, "key_id": key_id, "secret": secret}))
    else:
        click.echo(f"partner: {partner_id}\nkey id: {key_id}\nsecret: {secret}")


@loket_cli.command("rotate-key")
@click.argument("partner_id")
@click.option("--overlap-days", default=14, type=int, show_default=True, help="How long the old key stays valid.")
@database_option
def rotate_key(partner_id, overlap_days, database):
    """Issue a new key for PARTNER_ID; the old one stays valid for the overlap period."""
    from loket.partners import PartnerError
    from loket.partners import rotate_key as rotate

    app = _app(database)
    try:
        with app.app_context(), app.extensions["loket_db"].unit_of_work() as sess:
            key_id, secret = rotate(sess, partner_id, timedelta(days=overlap_days))
    except PartnerError as exc:
        _fail(str(exc))
    click.echo(f"partner: {partner_id}\nkey id: {key_id}\nsecret: {secret}\n"
               f"(de vorige sleutel blijft {overlap_days} dagen geldig)")


@loket_cli.command("push")
@database_option
def push(database):
    """Push changed requests once to every partner with an inbound URL."""
    from loket.push import push_pending

    report = push_pending(_app(database))
    click.echo(f"{report.sent} verstuurd, {report.failed} partner(s) niet bereikt")


@loket_cli.command("demo")
@database_option
def demo(database):
    """Seed the demo: a staff login, two partners with locations, vacancies and a few requests (idempotent)."""
    from loket.demo import load_demo

    app = _app(database)
    with app.app_context():
        click.echo(load_demo(app))
