"""Line descriptions in the debtor's language (one catalogue: lazy templates rendered with
``core.errors.render`` in the invoice's language, also outside a request)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import render

LINE_TEXTS = {
    "care": _l("Opvang %(name)s"),
    "no_attest": _l("Opvang %(name)s zonder attest inkomenstarief (maximumtarief)"),
    "outside_hours": _l("Opvang %(name)s buiten 06-20 u of boven 11 u"),
    "absence": _l("Niet-gewettigde afwezigheid %(name)s"),
    "late_pickup": _l("Laattijdig afhalen %(name)s"),
    "month_fee": _l("Maandprijs %(name)s"),
    "sibling": _l("Korting broer of zus (%(pct)s %%) %(name)s"),
    "deposit": _l("Waarborg %(name)s"),
    "deposit_refund": _l("Terugbetaling waarborg %(name)s"),
    "extra": _l("%(item)s %(name)s"),
    "correction": _l("Correctie %(month)s %(name)s"),
    "correction_of": _l("Correctie %(month)s %(name)s (factuur %(invoice)s)"),
}


def line_text(key: str, locale: str, **params) -> str:
    return render(LINE_TEXTS[key], params, locale)[:500]


class LineTexts:
    """:func:`line_text` for a whole proposal: each template is translated once per language,
    not once per line (switching the locale is what costs); the same text as :func:`line_text`."""

    def __init__(self) -> None:
        self._templates: dict[tuple[str, str], str] = {}

    def __call__(self, key: str, locale: str, **params) -> str:
        template = self._templates.get((key, locale))
        if template is None:
            template = self._templates[(key, locale)] = render(LINE_TEXTS[key], None, locale)
        return (template % params if params else template)[:500]
