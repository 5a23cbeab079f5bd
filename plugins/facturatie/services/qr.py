"""The EPC QR code (EPC069-12, version 002) a parent scans with a banking app: the
organisation's IBAN (BIC optional), the amount and the OGM as structured reference, made by
segno and embedded as SVG in the PDF."""
from __future__ import annotations

import base64
from decimal import Decimal

import segno
from segno import helpers

MAX_AMOUNT = Decimal("999999999.99")


def epc_qr(*, name: str, iban: str, amount: Decimal, ogm: str, bic: str | None = None):
    """The QR code, or None when there is nothing to pay (0,00 or a credit note)."""
    if amount is None or amount <= 0 or amount > MAX_AMOUNT or not (iban or "").strip():
        return None
    return helpers.make_epc_qr(name=(name or "").strip()[:70] or "-", iban=iban.replace(" ", "").upper(),
                               amount=amount.quantize(Decimal("0.01")), reference=ogm, bic=(bic or None),
                               encoding="utf-8")


def svg_data_uri(qr) -> str | None:
    """The code as an ``<img src>`` for WeasyPrint (only data: URLs pass the PDF fetcher)."""
    if qr is None:
        return None
    svg = qr.svg_inline(scale=3, border=2, dark="#000") if hasattr(qr, "svg_inline") else None
    if svg is None:  # pragma: no cover - old segno
        return qr.svg_data_uri(scale=3, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


__all__ = ["epc_qr", "svg_data_uri", "segno"]
