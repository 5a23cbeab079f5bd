"""Core blueprints."""
from __future__ import annotations

from flask import Flask


def register_core_blueprints(app: Flask) -> None:
    from core.views import auth, children, families, koepel, locations, org, settings

    for module in (auth, koepel, org, locations, families, children, settings):
        app.register_blueprint(module.bp)
    app.register_error_handler(403, _error_page(403))
    app.register_error_handler(404, _error_page(404))
    app.register_error_handler(400, _error_page(400))
    _refuse_out_of_range_values(app)


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
