"""Peppol BIS Billing 3.0 export: an invoice or credit note to a company (an employer reserving
places) as a UBL 2.1 document with the KBO number as endpoint (EAS 0208), built with lxml and
validated against the vendored OASIS schemas (``schemas/ubl-2.1``). Childcare is exempt (art. 44
§2 2° WBTW): one VAT breakdown, category E, 0 VAT (domain-rules §6.7). Optional per organisation
(setting ``facturatie.peppol_enabled``); the Peppol network itself is not part of this."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from lxml import etree
from sqlalchemy import select
from stdnum.be import vat as be_vat

from core.errors import DomainError, register_messages
from core.models import Organisation

from ..models import BillingProfile, Invoice, InvoiceKind

register_messages({
    "facturatie.peppol_disabled": _l("Peppol staat uit voor deze organisatie (instelling ‘Peppol: e-facturen "
                                     "(UBL) voor bedrijven’)."),
    "facturatie.peppol_not_company": _l("Deze factuur is niet voor een bedrijf: duid in de facturatiegegevens van "
                                        "het gezin een bedrijf met ondernemingsnummer aan."),
    "facturatie.peppol_org_incomplete": _l("Vul eerst het ondernemingsnummer, het adres en het IBAN-nummer van de "
                                           "organisatie in."),
    "facturatie.kbo_invalid": _l("Geef een geldig ondernemingsnummer (KBO), bv. 0123.456.749."),
    "facturatie.vat_invalid": _l("Geef een geldig btw-nummer, bv. BE0123456749."),
    "facturatie.company_name_required": _l("Geef de naam van het bedrijf."),
})

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
EAS_KBO = "0208"
EXEMPTION_REASON = "Vrijgesteld van btw, art. 44 §2 2° WBTW"
EXEMPTION_CODE = "VATEX-EU-132-1H"  # CEF VATEX: art. 132(1)(h) directive 2006/112 (care of children)
NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "ubl-2.1" / "maindoc"
CENT = Decimal("0.01")


class PeppolError(DomainError):
    """The export is refused (Peppol off, not a company, organisation data missing)."""


def compact_kbo(value: str) -> str:
    """The 10 digits of a KBO number (``BE 0123.456.749`` → ``0123456749``); raises on a bad one."""
    digits = be_vat.compact(value or "")
    if not be_vat.is_valid(digits):
        raise PeppolError("facturatie.kbo_invalid", "company_kbo")
    return digits


def compact_vat(value: str) -> str:
    """``BE`` + 10 digits, or empty when not given."""
    if not (value or "").strip():
        return ""
    digits = be_vat.compact(value)
    if not be_vat.is_valid(digits):
        raise PeppolError("facturatie.vat_invalid", "company_vat")
    return "BE" + digits


def company_of(ctx, invoice: Invoice) -> BillingProfile | None:
    """The family's billing profile when it bills a company, else None."""
    if invoice.family_id is None:
        return None
    profile = ctx.session.scalar(select(BillingProfile).where(BillingProfile.organisation_id == ctx.org.id,
                                                              BillingProfile.family_id == invoice.family_id))
    return profile if profile is not None and profile.is_company and profile.company_kbo else None


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def _el(parent, tag: str, text=None, **attrs):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", **attrs)
    if text is not None:
        node.text = str(text)
    return node


def _address(parent, street: str, postcode: str, city: str) -> None:
    address = _el(parent, "cac:PostalAddress")
    if street:
        _el(address, "cbc:StreetName", street)
    if city:
        _el(address, "cbc:CityName", city)
    if postcode:
        _el(address, "cbc:PostalZone", postcode)
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", "BE")


def _party(parent, role: str, name: str, kbo: str, vat: str, address: tuple[str, str, str]) -> None:
    party = _el(_el(parent, role), "cac:Party")
    _el(party, "cbc:EndpointID", kbo, schemeID=EAS_KBO)
    _el(_el(party, "cac:PartyName"), "cbc:Name", name)
    _address(party, *address)
    if vat:
        scheme = _el(party, "cac:PartyTaxScheme")
        _el(scheme, "cbc:CompanyID", vat)
        _el(_el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _el(party, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", name)
    _el(legal, "cbc:CompanyID", kbo, schemeID=EAS_KBO)


def _category(parent, tag: str = "cac:TaxCategory", reason: bool = True) -> None:
    category = _el(parent, tag)
    _el(category, "cbc:ID", "E")
    _el(category, "cbc:Percent", "0")
    if reason:
        _el(category, "cbc:TaxExemptionReasonCode", EXEMPTION_CODE)
        _el(category, "cbc:TaxExemptionReason", EXEMPTION_REASON)
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def build(ctx, invoice: Invoice) -> bytes:
    """The UBL 2.1 XML of ``invoice`` (Invoice, or CreditNote with positive amounts), validated."""
    if not ctx.setting("facturatie.peppol_enabled"):
        raise PeppolError("facturatie.peppol_disabled")
    company = company_of(ctx, invoice)
    if company is None:
        raise PeppolError("facturatie.peppol_not_company")
    org = ctx.session.get(Organisation, ctx.org.id)
    org_kbo = be_vat.compact(org.enterprise_number or "")
    if not be_vat.is_valid(org_kbo) or not org.iban or not (org.street and org.postcode and org.municipality):
        raise PeppolError("facturatie.peppol_org_incomplete")
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    root_name = "CreditNote" if credit else "Invoice"
    sign = Decimal(-1) if credit else Decimal(1)  # a credit note states positive amounts (BR-CO / 381)
    root = etree.Element(f"{{{NS[root_name]}}}{root_name}",
                         nsmap={None: NS[root_name], "cac": NS["cac"], "cbc": NS["cbc"]})
    _el(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    _el(root, "cbc:ProfileID", PROFILE_ID)
    _el(root, "cbc:ID", invoice.display_number)
    _el(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if not credit:
        _el(root, "cbc:DueDate", invoice.due_date.isoformat())
    _el(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", "381" if credit else "380")
    _el(root, "cbc:Note", f"{invoice.period_year}-{invoice.period_month:02d}")
    _el(root, "cbc:DocumentCurrencyCode", "EUR")
    _el(root, "cbc:BuyerReference", invoice.display_number)
    if credit and invoice.credited_invoice_id:
        credited = ctx.session.get(Invoice, invoice.credited_invoice_id)
        reference = _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _el(reference, "cbc:ID", credited.display_number)
        _el(reference, "cbc:IssueDate", credited.issue_date.isoformat())
    _party(root, "cac:AccountingSupplierParty", org.name, org_kbo, "", (org.street, org.postcode, org.municipality))
    _party(root, "cac:AccountingCustomerParty", company.company_name or invoice.debtor_name, company.company_kbo,
           company.company_vat, (invoice.debtor_street, invoice.debtor_postcode, invoice.debtor_municipality))
    if credit:
        _el(_el(root, "cac:PaymentMeans"), "cbc:PaymentMeansCode", "30")
    else:
        means = _el(root, "cac:PaymentMeans")
        _el(means, "cbc:PaymentMeansCode", "30")
        _el(means, "cbc:PaymentID", invoice.ogm)
        _el(_el(means, "cac:PayeeFinancialAccount"), "cbc:ID", org.iban.replace(" ", "").upper())
        _el(_el(root, "cac:PaymentTerms"), "cbc:Note", f"Gestructureerde mededeling {invoice.ogm}")
    lines = [(line, sign * line.amount) for line in invoice.lines]
    net = sum((amount for _line, amount in lines), Decimal("0")).quantize(CENT)
    tax = _el(root, "cac:TaxTotal")
    _el(tax, "cbc:TaxAmount", "0.00", currencyID="EUR")
    subtotal = _el(tax, "cac:TaxSubtotal")
    _el(subtotal, "cbc:TaxableAmount", _money(net), currencyID="EUR")
    _el(subtotal, "cbc:TaxAmount", "0.00", currencyID="EUR")
    _category(subtotal)
    totals = _el(root, "cac:LegalMonetaryTotal")
    _el(totals, "cbc:LineExtensionAmount", _money(net), currencyID="EUR")
    _el(totals, "cbc:TaxExclusiveAmount", _money(net), currencyID="EUR")
    _el(totals, "cbc:TaxInclusiveAmount", _money(net), currencyID="EUR")
    _el(totals, "cbc:PayableAmount", _money(net), currencyID="EUR")
    for line, amount in lines:
        _line(root, credit, line, amount)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(xml)
    return xml


def _line(root, credit: bool, line, amount: Decimal) -> None:
    node = _el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    _el(node, "cbc:ID", line.position)
    quantity = abs(Decimal(line.quantity)) if line.quantity else Decimal(1)
    # BR-27: no negative price; the sign goes to the quantity, so quantity × price = amount (R120)
    if amount < 0:
        quantity = -quantity
    price = (abs(amount) / abs(quantity)).quantize(Decimal("0.0001")) if quantity else abs(amount)
    if (price * abs(quantity)).quantize(CENT) != abs(amount):
        quantity, price = Decimal(-1 if amount < 0 else 1), abs(amount)
    _el(node, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", _qty(quantity), unitCode="C62")
    _el(node, "cbc:LineExtensionAmount", _money(amount), currencyID="EUR")
    item = _el(node, "cac:Item")
    _el(item, "cbc:Name", (line.description or line.kind.value)[:200])
    _category(item, "cac:ClassifiedTaxCategory", reason=False)
    _el(_el(node, "cac:Price"), "cbc:PriceAmount", _qty(price), currencyID="EUR")


def _qty(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


@lru_cache(maxsize=2)
def schema(root_name: str) -> etree.XMLSchema:
    """The official OASIS schema of ``Invoice`` or ``CreditNote`` (loaded once)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / f"UBL-{root_name}-2.1.xsd")))


def validate(xml: bytes) -> None:
    """Raise ``etree.DocumentInvalid`` when ``xml`` breaks the UBL 2.1 schema (a bug, not bad input)."""
    doc = etree.fromstring(xml)
    schema(etree.QName(doc).localname).assertValid(doc)


def filename(invoice: Invoice) -> str:
    return f"peppol-{invoice.display_number}.xml"
