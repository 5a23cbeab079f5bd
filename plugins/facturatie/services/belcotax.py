"""The Belcotax-on-web XML of a year's 281.86 certificates: the sender block (``Verzending``), one
declaration (``Aangifte``) of the organisation with ``Opgave32586`` and one ``Fiche28186`` per
certificate, and the trailers' control totals, in the element order of the official schema
(``../shared/data/belcotax/Belcotax-2025.xsd``). The schema checks only structure; the field
lengths (its commented-out ``maxLength`` values) are applied here.

Control totals, as in the official example: per fiche ``f86_2059_totaalcontrole`` is the sum of
its amount fields (the lines and the total, in cents); ``r8010`` counts the declaration's records
(fiches + its header and trailer), ``r8011`` adds the serial numbers, ``r8012`` the fiches' control
totals; ``r9011`` = ``r8010`` + 2, ``r9012``/``r9013`` repeat ``r8011``/``r8012``, ``r9010`` counts
the declarations + 2."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree
from sqlalchemy import select
from stdnum.be import vat as kbo

from core.models import Child, ContactPerson, Family

from ..models import FiscalCertificate
from .bulk import in_values, insert_rows
from .errors import BillingError
from .fiscal import certificate_lines

#: maxLength of the fields written (commented out in the official schema).
LENGTHS = {
    "v0014_naam": 41, "v0015_adres": 32, "v0016_postcode": 4, "v0017_gemeente": 27, "v0018_telefoonnummer": 12,
    "v0021_contactpersoon": 34, "v0023_emailadres": 44, "v0024_nationaalnr": 10,
    "a1005_registratienummer": 10, "a1011_naamnl1": 28, "a1013_adresnl": 32, "a1014_postcodebelgisch": 4,
    "a1015_gemeente": 27, "f2005_registratienummer": 10, "f2009_volgnummer": 12, "f2010_referentie": 20,
    "f2011_nationaalnr": 11, "f2013_naam": 41, "f2015_adres": 150, "f2016_postcodebelgisch": 4,
    "f2017_gemeente": 50, "f2114_voornamen": 15, "f86_2102_childaddress": 41, "f86_2106_childname": 41,
    "f86_2107_childfirstname": 32, "f86_2139_childpostnr": 4, "f86_2140_childmunicipality": 41,
    "f86_2153_nnchild": 11, "f86_2059_totaalcontrole": 13, "f86_2064_totalamount": 11,
}
LANGUAGE_CODE = {"nl": "1", "fr": "2", "de": "3"}


def audit_reads(session, organisation_id: int, people, what: str) -> None:
    """One audit entry per person whose national number is read (as ``core.audit.record_view``
    writes it: retention scrubs a person's entries by entity and id), ``people`` as (table name,
    id) pairs, in one bulk insert."""
    from core.audit import current_actor_id
    from core.clock import clock
    from core.models import AuditEntry

    now, actor = clock.now(), current_actor_id()
    insert_rows(session, AuditEntry.__table__, [
        {"organisation_id": organisation_id, "user_id": actor, "at": now, "action": "view", "entity": entity,
         "entity_id": entity_id, "summary": "", "changes": {"opened": what}} for entity, entity_id in people])


def cents(value: Decimal) -> str:
    return str(int((value * 100).to_integral_value()))


def _d(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _add(parent, name: str, value) -> None:
    text = "" if value is None else str(value)
    limit = LENGTHS.get(name)
    if limit:
        text = text[:limit]
    etree.SubElement(parent, name).text = text


def _digits(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def build_xml(ctx, year: int, certificates: list[FiscalCertificate]) -> bytes:
    """The XML for Belcotax-on-web. Reads the national numbers (decrypted, each read recorded in
    the audit log) of the debtors and children in two statements."""
    org = ctx.org
    org_kbo = _digits(org.enterprise_number)
    if not kbo.is_valid(org_kbo) or not org.street or not org.postcode or not org.municipality:
        raise BillingError("facturatie.sender_incomplete")
    session = ctx.session
    contacts = {c.id: c for c in session.execute(select(
        ContactPerson.id, ContactPerson.first_name, ContactPerson.last_name, ContactPerson.national_number,
        ContactPerson.street, ContactPerson.postcode, ContactPerson.municipality,
        Family.street.label("family_street"), Family.postcode.label("family_postcode"),
        Family.municipality.label("family_municipality"))
        .join(Family, Family.id == ContactPerson.family_id)
        .where(in_values(session, ContactPerson.id, {c.debtor_contact_id for c in certificates})))} \
        if certificates else {}
    children = {c.id: c for c in session.execute(select(
        Child.id, Child.first_name, Child.last_name, Child.national_number, Child.date_of_birth)
        .where(in_values(session, Child.id, {c.child_id for c in certificates})))} if certificates else {}
    audit_reads(session, org.id, [*((ContactPerson.__tablename__, i) for i in contacts),
                                  *((Child.__tablename__, i) for i in children)],
                "rijksregisternummer (Belcotax 281.86)")
    today = ctx.today()
    root = etree.Element("Verzendingen")
    sending = etree.SubElement(root, "Verzending")
    _add(sending, "v0002_inkomstenjaar", year)
    _add(sending, "v0010_bestandtype", "BELCOTAX")
    _add(sending, "v0011_aanmaakdatum", _d(today))
    _add(sending, "v0014_naam", org.name)
    _add(sending, "v0015_adres", org.street)
    _add(sending, "v0016_postcode", org.postcode)
    _add(sending, "v0017_gemeente", org.municipality)
    _add(sending, "v0018_telefoonnummer", ctx.setting("facturatie.belcotax_phone") or "")
    _add(sending, "v0021_contactpersoon", ctx.setting("facturatie.belcotax_contact") or org.name)
    _add(sending, "v0022_taalcode", "1")
    _add(sending, "v0023_emailadres", ctx.setting("facturatie.belcotax_email") or "")
    _add(sending, "v0024_nationaalnr", org_kbo)
    _add(sending, "v0025_typeenvoi", "0")
    _add(sending, "v0028_landwoonplaats", "150")
    declarations = etree.SubElement(sending, "Aangiften")
    declaration = etree.SubElement(declarations, "Aangifte")
    _add(declaration, "a1002_inkomstenjaar", year)
    _add(declaration, "a1005_registratienummer", org_kbo)
    _add(declaration, "a1011_naamnl1", org.name)
    _add(declaration, "a1013_adresnl", org.street)
    _add(declaration, "a1014_postcodebelgisch", org.postcode)
    _add(declaration, "a1015_gemeente", org.municipality)
    _add(declaration, "a1016_landwoonplaats", "150")
    _add(declaration, "a1020_taalcode", "1")
    forms = etree.SubElement(etree.SubElement(declaration, "Opgaven"), "Opgave32586")
    serial_total = 0
    control_total = 0
    certifier = {k: v for k, v in (
        ("f86_2155_certifiername", ctx.setting("facturatie.fiscal_certifier_name") or ""),
        ("f86_2109_certifiercbenumber", _digits(ctx.setting("facturatie.fiscal_certifier_kbo") or ""))) if v}
    for cert in sorted(certificates, key=lambda c: c.number):
        debtor, child = contacts[cert.debtor_contact_id], children[cert.child_id]
        lines = certificate_lines(cert)
        fiche = etree.SubElement(forms, "Fiche28186")
        _add(fiche, "f2002_inkomstenjaar", year)
        _add(fiche, "f2005_registratienummer", org_kbo)
        etree.SubElement(fiche, "f2007_division")
        _add(fiche, "f2008_typefiche", "28186")
        _add(fiche, "f2009_volgnummer", cert.number)
        _add(fiche, "f2010_referentie", f"{year}-{cert.number}")
        _add(fiche, "f2011_nationaalnr", _digits(debtor.national_number))
        _add(fiche, "f2013_naam", debtor.last_name)
        _add(fiche, "f2015_adres", debtor.street or debtor.family_street)
        _add(fiche, "f2016_postcodebelgisch", debtor.postcode or debtor.family_postcode)
        _add(fiche, "f2017_gemeente", debtor.municipality or debtor.family_municipality)
        _add(fiche, "f2018_landwoonplaats", "150")
        _add(fiche, "f2028_typetraitement", "0")
        _add(fiche, "f2029_enkelopgave325", "0")
        _add(fiche, "f2114_voornamen", debtor.first_name)
        amounts = [cents(line.amount) for line in lines[:4]]
        total = cents(cert.amount)
        fiche_control = sum(int(a) for a in amounts) + int(total)
        fields: dict[str, str] = {"f86_2031_certificationautorisation": "1",
                                  "f86_2059_totaalcontrole": str(fiche_control),
                                  "f86_2064_totalamount": total}
        for line, (begin, end, amount, days, tariff) in zip(lines, PERIOD_FIELDS, strict=False):
            fields.update({begin: _d(line.start), end: _d(line.end), amount: cents(line.amount), days: str(line.days),
                           tariff: cents(line.tariff)})
        fields.update(certifier)
        fields.update({
            "f86_2101_childcountry": "150",
            "f86_2102_childaddress": debtor.family_street or debtor.street,
            "f86_2106_childname": child.last_name,
            "f86_2107_childfirstname": child.first_name,
            "f86_2139_childpostnr": debtor.family_postcode or debtor.postcode,
            "f86_2140_childmunicipality": debtor.family_municipality or debtor.municipality,
            "f86_2153_nnchild": _digits(child.national_number),
            "f86_2163_childbirthdate": _d(child.date_of_birth),
        })
        for name in FICHE_ORDER:
            if name in fields:
                _add(fiche, name, fields[name])
        serial_total += cert.number
        control_total += fiche_control
    records = len(certificates) + 2
    _add(declaration, "r8002_inkomstenjaar", year)
    _add(declaration, "r8005_registratienummer", org_kbo)
    etree.SubElement(declaration, "r8007_division")
    _add(declaration, "r8010_aantalrecords", records)
    _add(declaration, "r8011_controletotaal", serial_total)
    _add(declaration, "r8012_controletotaal", control_total)
    _add(declaration, "r8013_totaalvoorheffingen", 0)
    _add(sending, "r9002_inkomstenjaar", year)
    _add(sending, "r9010_aantallogbestanden", 3)
    _add(sending, "r9011_totaalaantalrecords", records + 2)
    _add(sending, "r9012_controletotaal", serial_total)
    _add(sending, "r9013_controletotaal", control_total)
    _add(sending, "r9014_controletotaal", 0)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True)


#: The f86 elements of the (at most four) periods: begin, end, amount, days, day tariff.
PERIOD_FIELDS = (
    ("f86_2055_begindate1", "f86_2056_enddate1", "f86_2060_amount1", "f86_2110_numberofday1", "f86_2111_dailytariff1"),
    ("f86_2093_begindate2", "f86_2144_enddate2", "f86_2061_amount2", "f86_2113_numberofday2", "f86_2115_dailytariff2"),
    ("f86_2157_begindate3", "f86_2158_enddate3", "f86_2062_amount3", "f86_2116_numberofday3", "f86_2117_dailytariff3"),
    ("f86_2161_begindate4", "f86_2162_enddate4", "f86_2063_amount4", "f86_2119_numberofday4", "f86_2120_dailytariff4"),
)

#: The f86 elements in the order of the schema's Fiche28186 sequence.
FICHE_ORDER = (
    "f86_2031_certificationautorisation", "f86_2055_begindate1", "f86_2056_enddate1", "f86_2059_totaalcontrole",
    "f86_2060_amount1", "f86_2061_amount2", "f86_2062_amount3", "f86_2063_amount4", "f86_2064_totalamount",
    "f86_2093_begindate2", "f86_2100_certifierpostnr", "f86_2101_childcountry", "f86_2102_childaddress",
    "f86_2106_childname", "f86_2107_childfirstname", "f86_2109_certifiercbenumber", "f86_2110_numberofday1",
    "f86_2111_dailytariff1", "f86_2113_numberofday2", "f86_2115_dailytariff2", "f86_2116_numberofday3",
    "f86_2117_dailytariff3", "f86_2119_numberofday4", "f86_2120_dailytariff4", "f86_2139_childpostnr",
    "f86_2140_childmunicipality", "f86_2144_enddate2", "f86_2153_nnchild", "f86_2154_certifiermunicipality",
    "f86_2155_certifiername", "f86_2156_certifieradres", "f86_2157_begindate3", "f86_2158_enddate3",
    "f86_2161_begindate4", "f86_2162_enddate4", "f86_2163_childbirthdate", "f86_2164_beginvaliditycertification",
    "f86_2171_endvaliditycertification",
)
