"""Pictures of the planning pages: the occupancy heatmap (JSON for a <canvas> drawn by the
module's ``heatmap.js``) and the ratio curve through the day (server-rendered SVG).

No inline ``style`` or script (the CSP forbids both). The pages also show the same figures as a
table for screen readers, printing and browsers without JavaScript.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

# Colour stops for occupancy (fraction of capacity): free -> full -> over capacity.
_STOPS = ((0.0, (232, 245, 233)), (0.6, (129, 199, 132)), (0.85, (255, 213, 79)), (1.0, (245, 124, 0)),
          (1.15, (183, 28, 28)))


def occupancy_colour(fraction: float | None) -> str:
    """Hex colour for an occupancy fraction (None: no capacity known, grey)."""
    if fraction is None:
        return "#e0e0e0"
    f = max(0.0, fraction)
    for (x0, c0), (x1, c1) in zip(_STOPS, _STOPS[1:], strict=False):
        if f <= x1:
            t = (f - x0) / (x1 - x0) if x1 > x0 else 0.0
            rgb = [round(a + (b - a) * t) for a, b in zip(c0, c1, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#{:02x}{:02x}{:02x}".format(*_STOPS[-1][1])


MAX_LABEL = 34


@dataclass(frozen=True)
class HeatCell:
    """One cell: ``fraction`` of capacity used (None = unknown), ``text`` shown, ``label`` as tooltip."""

    fraction: float | None
    text: str
    label: str
    highlight: bool = False  # e.g. a month with last-minute places


def heatmap_data(rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[HeatCell]], *,
                 title: str, description: str = "") -> str:
    """The heatmap as compact JSON for ``heatmap.js``, which draws it on one <canvas> (an SVG of
    every location and month was thousands of DOM elements). Per cell: colour, text, label
    (tooltip and what the keyboard reads out) and a 1 when highlighted. The page keeps the same
    figures as a table for screen readers, printing and browsers without JavaScript."""
    if len(cells) != len(rows) or any(len(r) != len(columns) for r in cells):
        raise ValueError("cells must have one row per row label and one cell per column label")
    shown = [r if len(r) <= MAX_LABEL else r[:MAX_LABEL - 1] + "…" for r in rows]
    data = {"title": title, "description": description, "rows": list(rows), "shown": shown,
            "columns": list(columns),
            "cells": [[[occupancy_colour(c.fraction), c.text, c.label, 1 if c.highlight else 0,
                        1 if c.fraction is not None and c.fraction >= 1.0 else 0] for c in row] for row in cells]}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _slot_text(children: int, staff: int) -> str:
    return ", ".join((ngettext("%(num)s kind", "%(num)s kinderen", children),
                      ngettext("%(num)s begeleider nodig", "%(num)s begeleiders nodig", staff)))


def legend_svg() -> Markup:
    """The colour scale of the heatmap with its meaning."""
    marks = [(0.0, "0%"), (0.6, "60%"), (0.85, "85%"), (1.0, "100%"), (1.15, ">100%")]
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" class="legend" role="img" viewBox="0 0 360 40" width="360" '
             f'height="40" aria-label="{escape(_("Kleurschaal: bezetting van 0% tot meer dan 100%"))}" '
             'font-family="sans-serif">']
    for k in range(60):
        f = 1.2 * k / 59
        parts.append(f'<rect x="{k * 6}" y="0" width="6" height="18" fill="{occupancy_colour(f)}"/>')
    for i, (f, text) in enumerate(marks):
        x = 360 if i == len(marks) - 1 else round(f / 1.2 * 360)
        # the end marks hang inwards: centred on the edge, half of "0%" and ">100%" fell outside the picture
        anchor = "start" if i == 0 else "end" if i == len(marks) - 1 else "middle"
        parts.append(f'<text x="{x}" y="34" font-size="11" text-anchor="{anchor}" fill="#1b1f24">{text}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def ratio_curve_svg(slots: Sequence[str], children: Sequence[int], staff_needed: Sequence[int], *,
                    capacity: int | None, title: str, width: int = 720, height: int = 200) -> Markup:
    """Children present (area) and staff needed (step line) per time slot, capacity as a dashed line."""
    n = len(slots)
    if not (len(children) == len(staff_needed) == n):
        raise ValueError("slots, children and staff_needed must have the same length")
    left, right, top, bottom = 34, 34, 14, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_children = max([*children, capacity or 0, 1])
    top_staff = max([*staff_needed, 1])
    step = plot_w / max(n, 1)

    def y_child(v: float) -> float:
        return top + plot_h - plot_h * v / top_children

    def y_staff(v: float) -> float:
        return top + plot_h - plot_h * v / top_staff

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ratio-curve" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}" font-family="sans-serif" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#f6f7f9" stroke="#d5dbe1"/>',
    ]
    if n:
        points = [f"{left},{top + plot_h}"]
        for i, v in enumerate(children):
            points += [f"{left + i * step:.1f},{y_child(v):.1f}", f"{left + (i + 1) * step:.1f},{y_child(v):.1f}"]
        points.append(f"{left + n * step:.1f},{top + plot_h}")
        out.append(f'<polygon points="{" ".join(points)}" fill="#9ec5e0" stroke="#0b5e8e" stroke-width="1"/>')
        staff_pts = []
        for i, v in enumerate(staff_needed):
            staff_pts += [f"{left + i * step:.1f},{y_staff(v):.1f}", f"{left + (i + 1) * step:.1f},{y_staff(v):.1f}"]
        out.append(f'<polyline points="{" ".join(staff_pts)}" fill="none" stroke="#a1262a" stroke-width="2.5"/>')
        for i, (c, s) in enumerate(zip(children, staff_needed, strict=True)):
            out.append(f'<rect x="{left + i * step:.1f}" y="{top}" width="{step:.1f}" height="{plot_h}" '
                       f'fill="transparent"><title>{escape(slots[i])}: {escape(_slot_text(c, s))}'
                       f"</title></rect>")
        every = max(1, -(-n // 10))  # at most about ten hour labels
        for i in range(0, n, every):
            out.append(f'<text x="{left + i * step:.1f}" y="{height - 10}" font-size="11" fill="#4a5560">'
                       f"{escape(slots[i])}</text>")
    if capacity:
        yc = y_child(capacity)
        out.append(f'<line x1="{left}" y1="{yc:.1f}" x2="{left + plot_w}" y2="{yc:.1f}" stroke="#8a5a00" '
                   f'stroke-dasharray="6 4" stroke-width="1.5"/>')
    out.append(f'<text x="4" y="{top + 10}" font-size="11" fill="#0b5e8e">{top_children}</text>')
    out.append(f'<text x="{width - 4}" y="{top + 10}" font-size="11" fill="#a1262a" text-anchor="end">{top_staff}</text>')
    out.append("</svg>")
    return Markup("".join(out))
