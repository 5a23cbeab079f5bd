"""Core blueprints."""
from __future__ import annotations

from flask import Flask


def register_core_blueprints(app: Flask) -> None:
    from core.views import (
        auth,
        children,
        documents,
        families,
        incidents,
        jobs,
        koepel,
        locations,
        org,
        settings,
    )

    for module in (auth, koepel, org, locations, families, children, settings, jobs, documents, incidents):
        app.register_blueprint(module.bp)
    app.register_error_handler(403, _error_page(403))
    app.register_error_handler(404, _error_page(404))
    app.register_error_handler(400, _error_page(400))
    _refuse_out_of_range_values(app)
    app.before_request(_refuse_unstorable_text)


def _unstorable(value: str) -> bool:
    """Text PostgreSQL refuses (a NUL byte) or that is no UTF-8 (a lone surrogate from JSON)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_json_field(value, path: str = "") -> str | None:
    if isinstance(value, str):
        return path or "body" if _unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _unstorable(key):
                return path or "body"
            found = _bad_json_field(item, name)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_json_field(item, f"{path}[{index}]")
            if found:
                return found
    return None


def _refuse_unstorable_text(*_args):
    """Any query, form or JSON value with a character the database cannot store is a 400 that
    names the field, before a view runs (no write, no server error)."""
    from flask import render_template, request
    from flask_babel import gettext as _

    field = next((name for source in (request.args, request.form)
                  for name, value in source.items(multi=True) if _unstorable(name) or _unstorable(value)), None)
    if field is None and request.is_json:
        field = _bad_json_field(request.get_json(silent=True))
    if field is None:
        return None
    if _unstorable(field):
        field = "?"
    message = _("Ongeldig teken (bv. een nulbyte) in het veld %(field)s.", field=field)
    if request.is_json or "/api/" in request.path or request.accept_mimetypes.best == "application/json":
        return {"error": "bad_character", "field": field, "message": message}, 400
    from flask import g

    g.pop("org", None)  # the error page names no organisation (the visitor may be an outsider)
    return render_template("core/error.html", code=400, error=message, message=message), 400


def _refuse_out_of_range_values(app: Flask) -> None:
    """A number from the query string that the database cannot hold (``?location=99999999999``)
    is a bad request (400), not a server error; the request's transaction is rolled back."""
    from sqlalchemy.exc import DataError
    from werkzeug.exceptions import BadRequest

    bad_request = _error_page(400)

    def handler(_error):
        from core.db import session

        session().rollback()  # PostgreSQL refuses every further statement of a failed transaction
        return bad_request(BadRequest())

    app.register_error_handler(DataError, handler)
    app.register_error_handler(OverflowError, handler)


def _error_page(code: int):
    def handler(error):
        from flask import g, render_template, request
        from flask_login import current_user

        from core.security import user_may_enter

        org = g.get("org")
        if org is not None and not (current_user.is_authenticated and user_may_enter(current_user, org)):
            g.pop("org")  # the page layout must not name an organisation the visitor may not enter
        if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
            return {"error": getattr(error, "description", str(error)), "status": code}, code
        return render_template("core/error.html", code=code, error=error), code

    return handler
