"""Language choice: the user's preference, then the ``lang`` cookie, then the browser; Dutch default."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["KOEPEL_LANGUAGES"]
    choice = request.cookies.get("lang")
    if choice in languages:
        return choice
    if current_user and getattr(current_user, "is_authenticated", False):
        return str(current_user.language.value)
    return request.accept_languages.best_match(languages) or "nl"
