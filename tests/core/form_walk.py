"""Finds every form a user can see: renders every GET page of the app (URL arguments filled from
the tenancy contract's route objects, in the visitor's own organisation) as each role, and reads
the ``<form method=post>`` elements and the names of the fields they show."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from urllib.parse import urlsplit

from lxml import html as lxml_html
from werkzeug.exceptions import HTTPException

SKIPPED_TYPES = {"submit", "button", "image", "reset"}


@dataclass
class Form:
    """One posted form as shown on a page: where it posts and the fields with their shown values."""

    page: str  # URL of the page that shows it
    page_endpoint: str
    action: str  # URL it posts to
    endpoint: str  # endpoint that receives it
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> shown values
    options: dict[str, list[str]] = field(default_factory=dict)  # select/radio/checkbox name -> possible values
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type / select / textarea
    button: tuple[str, str] | None = None  # the first named submit button (name, value), posted with it


def field_key(name: str) -> str:
    """The table's key for a field: runs of digits (row ids, day numbers) become ``#``."""
    return re.sub(r"\d+", "#", name)


def parse_forms(body: str, page: str, page_endpoint: str, adapter) -> list[Form]:
    if not body.strip():
        return []
    doc = lxml_html.fromstring(body)
    found = []
    for form in doc.iter("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = form.get("action") or page
        path = urlsplit(action).path or urlsplit(page).path
        try:
            endpoint, _args = adapter.match(path, method="POST")
        except HTTPException:
            endpoint = f"?{path}"
        shown = Form(page=page, page_endpoint=page_endpoint, action=action, endpoint=endpoint)
        for element in form.iter("input", "select", "textarea", "button"):
            name = element.get("name")
            kind = element.tag if element.tag not in ("input", "button") else (
                element.get("type") or ("text" if element.tag == "input" else "submit")).lower()
            if name and kind == "submit" and shown.button is None:
                shown.button = (name, element.get("value", ""))
            if not name or name == "csrf_token" or kind in SKIPPED_TYPES:
                continue
            shown.kinds.setdefault(name, kind)
            values = shown.fields.setdefault(name, [])
            if element.tag == "select":
                options = [o.get("value", o.text_content()) for o in element.iter("option")]
                shown.options.setdefault(name, []).extend(options)
                chosen = [o.get("value", o.text_content()) for o in element.iter("option")
                          if o.get("selected") is not None]
                if not chosen and options and element.get("multiple") is None:
                    chosen = options[:1]  # what a browser posts when nothing is marked selected
                values.extend(chosen)
            elif element.tag == "textarea":
                values.append(element.text or "")
            elif kind in ("checkbox", "radio"):
                shown.options.setdefault(name, []).append(element.get("value", "on"))
                if element.get("checked") is not None:
                    values.append(element.get("value", "on"))
            elif kind != "file":
                values.append(element.get("value", ""))
        found.append(shown)
    return found


def fate_of(fates: dict[str, str], name: str) -> str | None:
    """The table's entry for a shown field name (exact, else a ``*`` pattern such as ``rank-*``)."""
    key = field_key(name)
    if key in fates:
        return fates[key]
    return next((fate for pattern, fate in fates.items() if "*" in pattern and fnmatch(key, pattern)), None)


def walk(app, client, values: dict) -> list[Form]:
    """Every posted form on every GET page (HTML, answered 200) the client's user can open."""
    adapter = app.url_map.bind("localhost")
    forms = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in ("auth.logout", "static"):
            continue
        url = adapter.build(rule.endpoint, {arg: values[arg] for arg in rule.arguments})
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            forms.extend(parse_forms(response.get_data(as_text=True), url, rule.endpoint, adapter))
    return forms
