"""The structured communication and the EPC QR code."""
from __future__ import annotations

from decimal import Decimal

import pytest
import segno

from core.errors import DomainError
from plugins.facturatie.models import InvoiceKind
from plugins.facturatie.services.ogm import compact_ogm, format_ogm, is_valid_ogm, make_ogm
from plugins.facturatie.services.qr import epc_qr, svg_data_uri


def _mod97(ten: str) -> str:
    rest = int(ten) % 97
    return f"{rest or 97:02d}"


def test_the_check_digits_are_the_first_ten_mod_97_with_0_as_97():
    ogm = make_ogm(7, InvoiceKind.INVOICE, 2026, 123)
    assert ogm == "0726100123" + _mod97("0726100123")
    assert len(ogm) == 12 and is_valid_ogm(ogm)
    # a base that is a multiple of 97 gets 97, not 00
    n = next(n for n in range(1, 200) if int(f"0126100{n:05d}") % 97 == 0)
    assert make_ogm(1, InvoiceKind.INVOICE, 2026, n)[-2:] == "97"
    assert format_ogm("000000009797") == "+++000/0000/09797+++" and is_valid_ogm("+++000/0000/09797+++")
    assert not is_valid_ogm("000000009700")


def test_invoice_and_credit_note_of_one_number_differ_and_organisations_differ():
    a = make_ogm(5, InvoiceKind.INVOICE, 2026, 1)
    b = make_ogm(5, InvoiceKind.CREDIT_NOTE, 2026, 1)
    c = make_ogm(6, InvoiceKind.INVOICE, 2026, 1)
    assert len({a, b, c}) == 3


def test_format_and_compact_round_trip():
    ogm = make_ogm(12, InvoiceKind.INVOICE, 2026, 45678)
    printed = format_ogm(ogm)
    assert printed.startswith("+++") and printed.endswith("+++") and printed.count("/") == 2
    assert compact_ogm(printed) == ogm and compact_ogm("***" + printed[3:-3] + "***") == ogm
    assert is_valid_ogm(printed) and not is_valid_ogm(printed.replace(ogm[-1], str((int(ogm[-1]) + 1) % 10)))
    assert not is_valid_ogm("") and not is_valid_ogm("abc")


def test_a_number_that_does_not_fit_is_refused():
    with pytest.raises(DomainError) as err:
        make_ogm(1, InvoiceKind.INVOICE, 2026, 100_000)
    assert err.value.code == "facturatie.number_out_of_range"


def test_the_epc_qr_code_carries_the_payload_of_epc069_12():
    qr = epc_qr(name="Kinderopvang De Bolle", iban="be68 5390 0754 7034", amount=Decimal("67.50"),
                ogm="010806817183", bic="GEBABEBB")
    expected = "BCD\n002\n1\nSCT\nGEBABEBB\nKinderopvang De Bolle\nBE68539007547034\nEUR67.5\n\n010806817183"
    same = segno.make_qr(expected.encode("utf-8"), error="m", boost_error=False)
    assert qr.matrix == same.matrix  # the code holds exactly this payload
    assert qr.error == "M" and qr.version <= 13
    assert svg_data_uri(qr).startswith("data:image/svg+xml;base64,")


def test_no_qr_code_for_nothing_to_pay_and_bic_is_optional():
    assert epc_qr(name="x", iban="BE68539007547034", amount=Decimal("0"), ogm="010806817183") is None
    assert epc_qr(name="x", iban="BE68539007547034", amount=Decimal("-3"), ogm="010806817183") is None
    assert epc_qr(name="x", iban="", amount=Decimal("3"), ogm="010806817183") is None
    qr = epc_qr(name="x", iban="BE68539007547034", amount=Decimal("3"), ogm="010806817183")
    expected = "BCD\n002\n1\nSCT\n\nx\nBE68539007547034\nEUR3\n\n010806817183"
    assert qr.matrix == segno.make_qr(expected.encode("utf-8"), error="m", boost_error=False).matrix
