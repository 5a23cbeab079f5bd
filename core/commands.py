"""Core's command groups: database, demo, users, modules and encryption keys. Registered on
``app.cli`` by core's own ``register_cli_commands`` hook implementation, like any module's;
this module never imports the app factory (no import circle)."""
from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select


def fail(message: str) -> None:
    """One line on stderr and exit code 2, as for any usage error."""
    click.echo(f"fout: {message}", err=True)
    sys.exit(2)


@click.group("db")
def db():
    """Database migrations (Alembic)."""


@db.command("upgrade")
@click.argument("target", default="heads")
@with_appcontext
def db_upgrade(target):
    """Apply migrations of core and every installed module (default: all heads)."""
    from core.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], target=target)
    click.echo("database up to date")


@db.command("downgrade")
@click.argument("target")
@with_appcontext
def db_downgrade(target):
    """Revert migrations down to TARGET (e.g. 'base')."""
    from core.migrate import downgrade

    downgrade(current_app.config["DATABASE_URL"], target=target)


@db.command("heads")
@with_appcontext
def db_heads():
    """List the head revision of every branch."""
    from core.migrate import heads

    for head in heads(current_app.config["DATABASE_URL"]):
        click.echo(head)


@click.command("demo")
@click.option("--quiet", is_flag=True, help="Do not print the logins.")
@click.option("--base-url", default=None, help="Address the demo is served on (default: KOEPEL_BASE_URL).")
@with_appcontext
def demo(quiet, base_url):
    """Load the demo koepel (idempotent) and print the logins per role, the public request forms
    and how to pair a tablet."""
    from core.demo import load_demo

    result = load_demo(current_app)
    if not quiet:
        outbox = os.path.join(current_app.config["KOEPEL_DATA_DIR"], "outbox-mail", "")
        click.echo(result.report(base_url or current_app.config["KOEPEL_BASE_URL"], outbox))


@click.group("users")
def users():
    """User accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["coordinator", "director", "finance", "caregiver", "loket"]))
@click.option("--org", "org_slug", help="Organisation slug (not for a coordinator).")
@click.option("--koepel", "koepel_name", help="Koepel name (for a coordinator; default: the only one).")
@click.password_option()
@with_appcontext
def users_create(email, name, role, org_slug, koepel_name, password):
    """Create a user account."""
    from core.db import get_db
    from core.models import Koepel, Organisation, Role, User
    from core.passwords import hash_password

    db = get_db()
    with db.unit_of_work() as session:
        if session.scalar(select(User.id).where(User.email == email.lower())):
            fail(f"gebruiker {email} bestaat al")
        user = User(email=email.lower(), name=name, role=Role(role), password_hash=hash_password(password))
        if role == "coordinator":
            stmt = select(Koepel) if not koepel_name else select(Koepel).where(Koepel.name == koepel_name)
            koepels = session.scalars(stmt).all()
            if len(koepels) != 1:
                fail("onbekende koepel" if not koepels else "meerdere koepels: geef --koepel")
            user.koepel_id = koepels[0].id
        else:
            org = session.scalar(select(Organisation).where(Organisation.slug == org_slug)) if org_slug else None
            if org is None:
                fail(f"onbekende organisatie: {org_slug}")
            user.organisation_id, user.koepel_id = org.id, org.koepel_id
        session.add(user)
    click.echo(f"gebruiker {email} aangemaakt")


@click.group("modules")
def modules():
    """Modules per organisation."""


def _org(session, slug):
    from core.models import Organisation

    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        fail(f"onbekende organisatie: {slug}")
    return org


def _known(module):
    if module not in current_app.extensions["koepel_plugins"].infos:
        fail(f"onbekende module: {module}")


@modules.command("list")
@click.argument("org", required=False)
@with_appcontext
def modules_list(org):
    """List modules (and, for ORG, which are enabled)."""
    from core.context import context_for_slug
    from core.db import get_db

    pm = current_app.extensions["koepel_plugins"]
    with get_db().unit_of_work() as session:
        ctx = context_for_slug(session, org) if org else None
        if org and ctx is None:
            fail(f"onbekende organisatie: {org}")
        enabled = ctx.modules if ctx is not None else set()
        for name, info in pm.infos.items():
            state = ("aan" if name in enabled else "uit") if org else ""
            requires = ",".join(sorted(info.requires)) or "-"
            click.echo(f"{name:15} {state:4} vereist: {requires}")


@modules.command("enable")
@click.argument("org")
@click.argument("module")
@with_appcontext
def modules_enable(org, module):
    """Enable MODULE for ORG (and whatever it requires)."""
    from core.db import get_db
    from core.errors import DomainError, click_error
    from core.tenancy import enable_module

    _known(module)
    try:
        with get_db().unit_of_work() as session:
            done = enable_module(session, _org(session, org), module)
    except DomainError as err:  # e.g. billing without an IBAN: nothing was written
        raise click_error(err) from None
    click.echo("ingeschakeld: " + (", ".join(done) or "niets (stond al aan)"))


@modules.command("disable")
@click.argument("org")
@click.argument("module")
@with_appcontext
def modules_disable(org, module):
    """Disable MODULE for ORG (and every module that depends on it)."""
    from core.db import get_db
    from core.tenancy import disable_module

    _known(module)
    with get_db().unit_of_work() as session:
        done = disable_module(session, _org(session, org), module)
    click.echo("uitgeschakeld: " + (", ".join(done) or "niets (stond al uit)"))


@click.group("crypto")
def crypto_cli():
    """Encryption keys of national register numbers (KOEPEL_ENCRYPTION_KEY)."""


@crypto_cli.command("rotate")
@with_appcontext
def crypto_rotate():
    """Re-encrypt every stored value with the newest key (the first of KOEPEL_ENCRYPTION_KEY) and
    rebuild the lookup hashes, in one transaction."""
    from core import crypto
    from core.db import Base, get_db
    from core.migrate import import_all_models

    import_all_models()
    try:
        with get_db().unit_of_work() as session:
            report = crypto.rotate(session, Base.metadata)
    except RuntimeError as exc:
        fail(f"{exc}; niets gewijzigd")
    click.echo(f"{report.values} waarden opnieuw versleuteld in {report.columns} kolommen, "
               f"{report.hashes} opzoeksleutels herberekend")
