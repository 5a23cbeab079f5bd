"""The ``koepel`` command: the entry point (a FlaskGroup that builds the app) and ``serve``.

Every other command group (db, demo, users, modules, crypto, jobs, retention and the modules'
own) is registered on ``app.cli`` through the ``register_cli_commands`` hook, core's included
(core/hooks.py -> core/commands.py), so that core.commands never imports the app and the import
circle app -> plugin manager -> hooks -> cli -> app does not exist."""
from __future__ import annotations

import os

import click
from flask.cli import FlaskGroup

from core.commands import fail  # noqa: F401  (kept importable from here)


def _create_app():
    from core.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def main():
    """Koepel: administration software for Flemish childcare."""


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--dev", is_flag=True, help="Plain HTTP on localhost: cookies without the Secure flag.")
@click.option("--jobs", "with_jobs", is_flag=True,
              help="Also run the job worker in this process (e-mails, scheduled jobs): for the demo.")
def serve(host, port, dev, with_jobs):
    """Serve Koepel (development server; use gunicorn in production)."""
    if dev:
        os.environ["KOEPEL_INSECURE_COOKIES"] = "1"
    from werkzeug.serving import run_simple

    app = _create_app()
    if with_jobs:
        from core.jobs import start_worker_thread

        start_worker_thread(app)
        outbox = os.path.join(app.config["KOEPEL_DATA_DIR"], "outbox-mail", "")
        click.echo(f"taakverwerker draait mee (e-mails zonder SMTP in {outbox})")
    # Not app.run(): Flask ignores it inside a FlaskGroup command (FLASK_RUN_FROM_CLI).
    click.echo(f"Koepel op http://{host}:{port}/ (Ctrl+C stopt)")
    from core.netaddr import WILDCARDS, base_url

    if host in WILDCARDS:
        click.echo(f"Vanaf een ander toestel (tablet, gsm): {base_url(host, port)}/ ; links in e-mails gebruiken "
                   f"KOEPEL_BASE_URL ({app.config['KOEPEL_BASE_URL']})")
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
