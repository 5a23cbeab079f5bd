"""Validation of Belgian identifiers through well-kept libraries, with Dutch messages.

Each ``normalise_*`` returns the canonical compact form or raises ValueError with a message
meant for the user (translated through Babel by the forms).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_exc
from stdnum.be import nn as be_nn
from stdnum.be import vat as be_vat
from stdnum.iso7064 import mod_97_10


def normalise_enterprise_number(value: str) -> str:
    """KBO/BCE enterprise number, e.g. '0403.170.701' -> '0403170701'."""
    try:
        return be_vat.validate(value)
    except stdnum_exc.ValidationError as exc:
        raise ValueError(_l("Ongeldig ondernemingsnummer (formaat 0123.456.789, controlegetal).")) from exc


def format_enterprise_number(value: str | None) -> str:
    return be_vat.format(value)[3:] if value else ""


def normalise_iban(value: str) -> str:
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ValueError(_l("Ongeldig IBAN-rekeningnummer.")) from exc


def normalise_bic(value: str) -> str:
    try:
        return BIC(value).compact
    except SchwiftyException as exc:
        raise ValueError(_l("Ongeldige BIC-code.")) from exc


def normalise_national_number(value: str) -> str:
    """Rijksregisternummer (or bisnummer), 11 digits with its mod-97 check."""
    try:
        return be_nn.validate(value)
    except stdnum_exc.ValidationError as exc:
        raise ValueError(_l("Ongeldig rijksregisternummer (11 cijfers, controlegetal klopt niet).")) from exc


def format_national_number(value: str | None) -> str:
    return be_nn.format(value) if value else ""


def normalise_creditor_id(value: str, enterprise_number: str | None = None) -> str:
    """Belgian SEPA creditor identifier: 'BE' + 2 check digits + 'ZZZ' + 10-digit KBO number."""
    compact = value.replace(" ", "").upper()
    if len(compact) != 17 or not compact.startswith("BE") or not compact[4:].isalnum():
        raise ValueError(_l("Ongeldige SEPA-schuldeiseridentificatie (formaat BE00ZZZ0123456789)."))
    national = compact[7:]
    if not national.isdigit():
        raise ValueError(_l("Ongeldige SEPA-schuldeiseridentificatie (formaat BE00ZZZ0123456789)."))
    # ISO 7064 mod 97-10 over the national part + country + check digits (the business code is skipped)
    if not mod_97_10.is_valid(national + "BE" + compact[2:4]):
        raise ValueError(_l("Ongeldige SEPA-schuldeiseridentificatie: controlegetal klopt niet."))
    if enterprise_number and national != enterprise_number:
        raise ValueError(_l("De schuldeiseridentificatie hoort niet bij dit ondernemingsnummer."))
    return compact


def creditor_id_for(enterprise_number: str) -> str:
    """The creditor identifier Belgian banks derive from a KBO number (business code ZZZ)."""
    check = mod_97_10.calc_check_digits(enterprise_number + "BE")
    return f"BE{check}ZZZ{enterprise_number}"


def normalise_phone(value: str) -> str:
    """A Belgian number (0470 12 34 56, 056 12 34 56) or an international one (+33 ..., 0031 ...),
    checked against the numbering plan (python-phonenumbers) and stored as '+32 470 12 34 56'."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(_l("Ongeldig telefoonnummer (bv. 0470 12 34 56 of +33 6 12 34 56 78).")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_l("Ongeldig telefoonnummer (bv. 0470 12 34 56 of +33 6 12 34 56 78)."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
