"""Words for planning's keys on screen. Free places carry a day-part pattern ("ma-vr volle dag")
and age bands ("0-12m", "schoolkinderen") as Dutch keys: the waiting list's slots and the loket's
protocol (``loket_sync`` aggregate ids) match on them, so they stay as they are and are only
labelled at display, in the reader's language, with Babel's weekday abbreviations."""
from __future__ import annotations

import re

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

#: The weekday abbreviations the keys are written with (Dutch, Monday first).
KEY_WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
_PATTERN = re.compile(r"\s*([a-z]{2})(?:-([a-z]{2}))?\s+(volle dag|voormiddag|namiddag)\s*")
_BAND = re.compile(r"(\d+)-(\d+)m")


def weekday_short(weekday: int) -> str:
    """Monday (0) to Sunday (6) abbreviated in the current language: ma / lun. / Mon."""
    from babel import Locale

    return Locale.parse(str(get_locale() or "nl")).days["format"]["abbreviated"][weekday % 7]


def pattern_label(key: str) -> str:
    """``"ma-vr volle dag"`` as "ma–vr volle dag" / "lun.–ven. journée complète" / "Mon–Fri full
    day"; a key it does not know is shown as it is."""
    match = _PATTERN.fullmatch(key or "")
    if not match or match.group(1) not in KEY_WEEKDAYS or (match.group(2) and match.group(2) not in KEY_WEEKDAYS):
        return key
    days = weekday_short(KEY_WEEKDAYS.index(match.group(1)))
    if match.group(2) and match.group(2) != match.group(1):
        days += "–" + weekday_short(KEY_WEEKDAYS.index(match.group(2)))
    part = match.group(3)
    if part == "volle dag":
        return _("%(days)s volle dag", days=days)
    if part == "voormiddag":
        return _("%(days)s voormiddag", days=days)
    return _("%(days)s namiddag", days=days)


def age_band_label(key: str) -> str:
    """``"0-12m"`` as "0-12 maanden" / "0-12 mois" / "0-12 months", ``"schoolkinderen"`` and
    ``"alle leeftijden"`` translated; a key it does not know is shown as it is."""
    match = _BAND.fullmatch(key or "")
    if match:
        return ngettext("%(start)s-%(num)s maand", "%(start)s-%(num)s maanden", int(match.group(2)),
                        start=match.group(1))
    if key == "schoolkinderen":
        return _("schoolkinderen")
    if key == "alle leeftijden":
        return _("alle leeftijden")
    return key


def age_bands_label(keys) -> str:
    """Several bands of one free-places row, as the occupancy page lists them."""
    return ", ".join(age_band_label(k) for k in keys)


def day_part_label(part: str) -> str:
    """A stored day part (``full``, ``morning``, ``afternoon``) in the reader's words."""
    words = {"full": _("volle dag"), "morning": _("voormiddag"), "afternoon": _("namiddag")}
    return words.get(part, part)
