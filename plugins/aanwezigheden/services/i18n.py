"""gettext that also works outside a request (CLI, jobs, tests): the Dutch source text then."""
from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **variables) -> str:
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message
