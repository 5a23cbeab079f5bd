"""The structured communication (OGM/VCS, domain-rules §6.2) of an invoice.

Twelve digits: ten chosen digits and two check digits (the ten as a number mod 97, 0 → 97).
The check digits and the validation come from python-stdnum's ``stdnum.be.ogm_vcs``; what the
ten digits say is ours: the organisation (id mod 100), the series year (mod 100), the kind
(1 invoice, 2 credit note) and the number (five digits), so an OGM is unique per organisation
for a century of series and a payment's reference names its invoice without a lookup table."""
from __future__ import annotations

from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError

from ..models import InvoiceKind
from .errors import BillingError

MAX_NUMBER = 99_999
_KIND_DIGIT = {InvoiceKind.INVOICE: "1", InvoiceKind.CREDIT_NOTE: "2"}


def make_ogm(organisation_id: int, kind: InvoiceKind, year: int, number: int) -> str:
    """The 12 digits (no separators) of invoice ``number`` of ``kind`` and series ``year``."""
    if not 0 < number <= MAX_NUMBER:
        raise BillingError("facturatie.number_out_of_range", number=number, maximum=MAX_NUMBER)
    base = f"{organisation_id % 100:02d}{year % 100:02d}{_KIND_DIGIT[InvoiceKind(kind)]}{number:05d}"
    return base + ogm_vcs.calc_check_digits(base)


def compact_ogm(value: str) -> str:
    """``+++010/8068/17183+++``, ``***...***`` or spaced digits → ``010806817183`` (no check)."""
    return ogm_vcs.compact((value or "").replace("*", ""))


def is_valid_ogm(value: str) -> bool:
    try:
        ogm_vcs.validate(compact_ogm(value))
    except ValidationError:
        return False
    return True


def format_ogm(digits: str) -> str:
    """``+++123/4567/89002+++``, the way banks and invoices print it."""
    return f"+++{ogm_vcs.format(compact_ogm(digits))}+++"
