"""Language choice: the user's preference, then the ``lang`` cookie, then the browser; Dutch default."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import current_app, has_request_context, request
from flask_login import current_user


def select_locale() -> str | None:
    """Outside a request (jobs, CLI, services in tests) Dutch, Flask-Babel's default; a message
    for someone else (a parent, a PDF) is rendered under ``force_locale(their_language)``."""
    if not has_request_context():
        return None
    languages = current_app.config["KOEPEL_LANGUAGES"]
    choice = request.cookies.get("lang")
    if choice in languages:
        return choice
    if current_user and getattr(current_user, "is_authenticated", False):
        return str(current_user.language.value)
    return request.accept_languages.best_match(languages) or "nl"


def compile_catalogues(directory: Path) -> list[Path]:
    """Compile every ``messages.po`` whose ``.mo`` is missing or older, so that a fresh clone,
    ``pip install -e .`` or a wheel built without ``make`` still shows French and English.
    Written atomically (several workers may start together); a read-only install is left as is."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    done = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        try:
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name)
            tmp = mo_path.with_name(f".messages.{os.getpid()}.mo")
            with tmp.open("wb") as handle:
                write_mo(handle, catalog)
            os.replace(tmp, mo_path)
            done.append(mo_path)
        except OSError as exc:
            logging.getLogger(__name__).warning("cannot compile %s: %s", po_path, exc)
    return done


def document_language(requested: str | None, default: str | None = None) -> str:
    """The language to render a document in for its reader (a PDF a parent signs or receives):
    ``?lang=`` when it names a known language, else the reader's own (``default``: a debtor's,
    an agreement's), else the screen's. Rendered under ``force_locale`` of the result."""
    from flask_babel import get_locale

    languages = current_app.config["KOEPEL_LANGUAGES"]
    for choice in (requested, default):
        if choice in languages:
            return str(choice)
    return str(get_locale() or "nl")
