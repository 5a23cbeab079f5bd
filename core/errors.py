"""One domain error for core and every module.

A service raises ``DomainError(code, field=None, **params)``; the code names a translatable
message template (registered with :func:`register_messages`, written with ``lazy_gettext`` in
Dutch), and the message is rendered only at the edge, in the reader's language:

* UI: :func:`flash_error` / :func:`form_error` (the screen's language);
* API: :func:`error_response` answers ``{"error": {"code", "field", "message", "params"}}`` with
  a 4xx (also the app-wide error handler for a DomainError that escapes a view);
* CLI: :func:`click_error` (the CLI's language, Dutch by default);
* parents and PDFs: ``err.message_in("fr")`` renders through Flask-Babel's ``force_locale``.
"""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from flask_babel import force_locale, gettext

_MESSAGES: dict[str, Any] = {}


class DuplicateErrorCode(ValueError):
    """Two modules registered different templates for one code: a start-up error."""


def register_messages(messages: Mapping[str, Any]) -> None:
    """Register ``code -> lazy_gettext(template)``. Codes are global: prefix them with the
    module's name (``planning.closed_day``); core's own codes have no prefix."""
    for code, template in messages.items():
        known = _MESSAGES.get(code)
        if known is not None and _source(known) != _source(template):
            raise DuplicateErrorCode(f"error code {code!r} registered twice with different messages")
        _MESSAGES[code] = template


def message_template(code: str):
    return _MESSAGES.get(code)


def _source(template) -> str:
    """The Dutch source of a lazy Flask-Babel string (``pgettext``: after its context)."""
    args = getattr(template, "_args", None)
    if not args:
        return str(template)
    func = getattr(template, "_func", None)
    return args[1] if getattr(func, "__name__", "") == "pgettext" else args[0]


def render(template, params: Mapping[str, Any] | None = None, locale: str | None = None) -> str:
    """A lazy (``lazy_gettext``/``lazy_pgettext``) or plain template rendered with ``params`` in
    ``locale`` (default: the current language; Dutch outside a request). Outside an app context
    the Dutch source is used."""
    try:
        with force_locale(locale) if locale else nullcontext():
            values = _rendered(params)
            func = getattr(template, "_func", None)
            if func is None:
                return gettext(str(template), **values)
            return func(*template._args, **{**template._kwargs, **values})
    except RuntimeError:  # no app context (a bare unit test): the Dutch source
        values = {k: _source(v) if hasattr(v, "_args") else v for k, v in (params or {}).items()}
        source = _source(template)
        return source % values if values else source


def _rendered(params: Mapping[str, Any] | None) -> dict:
    """Parameters that are lazy strings themselves (a weekday name) follow the same locale."""
    return {k: str(v) if hasattr(v, "_args") else v for k, v in (params or {}).items()}


class DomainError(Exception):
    """Bad input or a rule that forbids the change: a code, the field it concerns (for forms)
    and the parameters of its message. ``status`` is the HTTP status at the API edge."""

    status = 422

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def template(self):
        return _MESSAGES.get(self.code)

    @property
    def message(self) -> str:
        """The message in the current language (the request's; Dutch in jobs and commands)."""
        return self.message_in(None)

    def message_in(self, locale: str | None) -> str:
        """The message in ``locale`` (a parent's, a PDF's), through ``force_locale``."""
        template = self.template()
        if template is None:  # an unregistered code is a programming error, but still readable
            return self.code
        return render(template, self.params, locale)

    def to_dict(self, locale: str | None = None) -> dict:
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message_in(locale),
            "params": {k: _plain(v) for k, v in self.params.items()},
        }

    def __str__(self) -> str:
        return self.message


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


# --- the edges ---------------------------------------------------------------------------------


def error_response(err: DomainError, status: int | None = None):
    """The API answer: ``{"error": {...}}`` in the request's language, with a 4xx."""
    from flask import jsonify

    return jsonify({"error": err.to_dict()}), status or err.status


def flash_error(err: DomainError) -> None:
    from flask import flash

    flash(err.message, "error")


def form_error(form, err: DomainError) -> None:
    """Attach the message to the form field it concerns (else to the form as a whole)."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None and hasattr(field, "errors"):
        errors = list(field.errors)
        errors.append(err.message)
        field.errors = errors
    else:
        form.form_errors.append(err.message)


def click_error(err: DomainError):
    """A click exception with the message in the CLI's language (Dutch unless forced)."""
    import click

    return click.ClickException(err.message)


def init_app(app) -> None:
    """A DomainError that escapes a view: JSON for API requests, an error page otherwise; the
    request's transaction is rolled back by the 4xx (core.app)."""
    from flask import render_template, request

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        if request.is_json or request.accept_mimetypes.best == "application/json" or "/api/" in request.path:
            return error_response(err)
        return render_template("core/error.html", code=err.status, error=None, message=err.message), err.status

