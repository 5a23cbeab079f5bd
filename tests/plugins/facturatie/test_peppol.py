"""Peppol BIS Billing 3.0 export: the UBL 2.1 document validated against the vendored OASIS
schemas, the EN 16931 rules that can be checked offline asserted one by one, the company fields
of the billing profile, the download route (roles, tenancy, refusals) and bad input."""
from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import select

from core.context import build_context
from core.models import OrganisationSetting, Role
from plugins.facturatie.models import BillingProfile, Invoice
from plugins.facturatie.services import credit, peppol
from plugins.facturatie.services import finalise as fin
from tests.conftest import login
from tests.plugins.facturatie.draft_builders import (
    care_line,
    draft_invoice,
    families_with_children,
    meals_line,
    proposal,
)

NS = {"cac": peppol.NS["cac"], "cbc": peppol.NS["cbc"]}
KBO = "0403170701"
ORG_KBO = "0123456749"


@pytest.fixture
def org(factory):
    return factory.org(name="Kinderopvang De Bolle", modules={"planning", "aanwezigheden", "facturatie"},
                       enterprise_number=ORG_KBO, street="Molenstraat 5", postcode="9000", municipality="Gent")


@pytest.fixture
def pairs(factory, org, location):
    return families_with_children(factory, org, location, 2)


@pytest.fixture
def invoices(session, org, pairs, frozen_today):
    ctx = build_context(session, org)
    (company_family, c1), (parent_family, c2) = pairs
    lines = [care_line(c1.id, 2026, 10, days=3, half=2), meals_line(c1.id, count=5)]
    done = fin.finalise(ctx, proposal(2026, 10, [draft_invoice(company_family, lines=lines),
                                                 draft_invoice(parent_family, [c2.id])]))
    return [session.get(Invoice, i) for i in done.invoice_ids]


def _company(session, org, family, **kw):
    session.add(BillingProfile(organisation_id=org.id, family_id=family.id, is_company=True,
                               company_name=kw.get("name", "Brouwerij Janssens NV"), company_kbo=kw.get("kbo", KBO),
                               company_vat=kw.get("vat", "BE" + KBO)))
    session.commit()


def _enable(session, org, on=True):
    session.add(OrganisationSetting(organisation_id=org.id, key="facturatie.peppol_enabled", value=on))
    session.commit()


@pytest.fixture
def ready(session, org, pairs, invoices):
    _enable(session, org)
    _company(session, org, pairs[0][0])
    return build_context(session, org)


def _one(doc, path):
    found = doc.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} found"
    return found[0]


def _amount(doc, path) -> Decimal:
    return Decimal(_one(doc, path).text)


def check_en16931(doc, credit_note: bool = False) -> None:
    """The EN 16931 / Peppol BIS rules that need no Schematron: mandatory elements (BR-01..BR-16),
    line and document totals (BR-CO-10/13/15, BR-LIN), exempt category E (BR-E-*), Peppol ids."""
    line_tag = "cac:CreditNoteLine" if credit_note else "cac:InvoiceLine"
    qty_tag = "cbc:CreditedQuantity" if credit_note else "cbc:InvoicedQuantity"
    assert _one(doc, "cbc:CustomizationID").text == peppol.CUSTOMIZATION_ID  # BR-01
    assert _one(doc, "cbc:ProfileID").text == peppol.PROFILE_ID  # PEPPOL-EN16931-R001
    assert _one(doc, "cbc:ID").text  # BR-02
    assert _one(doc, "cbc:IssueDate").text  # BR-03
    type_code = _one(doc, "cbc:CreditNoteTypeCode" if credit_note else "cbc:InvoiceTypeCode").text  # BR-04
    assert type_code == ("381" if credit_note else "380")
    assert _one(doc, "cbc:DocumentCurrencyCode").text == "EUR"  # BR-05
    assert _one(doc, "cbc:BuyerReference").text  # PEPPOL-EN16931-R003 (buyer reference or order reference)
    seller = _one(doc, "cac:AccountingSupplierParty/cac:Party")
    buyer = _one(doc, "cac:AccountingCustomerParty/cac:Party")
    for party in (seller, buyer):
        assert _one(party, "cac:PartyLegalEntity/cbc:RegistrationName").text  # BR-06, BR-07
        endpoint = _one(party, "cbc:EndpointID")  # PEPPOL-EN16931-R010/R020
        assert endpoint.get("schemeID") == "0208" and len(endpoint.text) == 10 and endpoint.text.isdigit()
        assert _one(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode").text == "BE"  # BR-08, BR-10
    assert seller.xpath("cac:PartyTaxScheme/cbc:CompanyID|cac:PartyLegalEntity/cbc:CompanyID",
                        namespaces=NS)  # BR-CO-26
    totals = _one(doc, "cac:LegalMonetaryTotal")
    line_ext = _amount(totals, "cbc:LineExtensionAmount")  # BR-12
    tax_excl = _amount(totals, "cbc:TaxExclusiveAmount")  # BR-13
    tax_incl = _amount(totals, "cbc:TaxInclusiveAmount")  # BR-14
    payable = _amount(totals, "cbc:PayableAmount")  # BR-15
    lines = doc.xpath(line_tag, namespaces=NS)
    assert lines  # BR-16
    line_sum = Decimal("0")
    for line in lines:
        assert _one(line, "cbc:ID").text  # BR-21
        quantity = _amount(line, qty_tag)  # BR-22
        assert _one(line, qty_tag).get("unitCode")  # BR-23
        amount = _amount(line, "cbc:LineExtensionAmount")  # BR-24
        assert _one(line, "cac:Item/cbc:Name").text  # BR-25
        price = _amount(line, "cac:Price/cbc:PriceAmount")  # BR-26
        assert price >= 0  # BR-27
        assert (quantity * price).quantize(Decimal("0.01")) == amount  # PEPPOL-EN16931-R120
        assert _one(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID").text == "E"  # BR-CO-04
        assert Decimal(_one(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent").text) == 0  # BR-E-05
        line_sum += amount
    assert line_sum == line_ext  # BR-CO-10
    tax = _one(doc, "cac:TaxTotal")
    tax_amount = _amount(tax, "cbc:TaxAmount")
    assert tax_amount == 0  # BR-E-09 (exempt: no VAT)
    assert tax_excl == line_ext  # BR-CO-13 (no document allowances or charges)
    assert tax_incl == tax_excl + tax_amount  # BR-CO-15
    assert payable == tax_incl  # BR-CO-16 (nothing prepaid, no rounding)
    subtotal = _one(tax, "cac:TaxSubtotal")  # BR-CO-18
    assert _one(subtotal, "cac:TaxCategory/cbc:ID").text == "E"
    assert _amount(subtotal, "cbc:TaxableAmount") == line_sum  # BR-E-08
    assert _amount(subtotal, "cbc:TaxAmount") == 0  # BR-E-09
    assert Decimal(_one(subtotal, "cac:TaxCategory/cbc:Percent").text) == 0  # BR-E-06
    assert "art. 44" in _one(subtotal, "cac:TaxCategory/cbc:TaxExemptionReason").text  # BR-E-10
    assert _one(subtotal, "cac:TaxCategory/cac:TaxScheme/cbc:ID").text == "VAT"
    for amount_node in doc.xpath("//*[@currencyID]"):
        assert amount_node.get("currencyID") == "EUR"  # BR-CL-03
        assert len(amount_node.text.split(".")[-1]) <= 2 or amount_node.tag.endswith("PriceAmount")  # BR-DEC


def test_an_invoice_to_a_company_is_valid_ubl_and_follows_en16931(ready, invoices, org):
    inv = invoices[0]
    xml = peppol.build(ready, inv)
    doc = etree.fromstring(xml)
    peppol.schema("Invoice").assertValid(doc)
    assert etree.QName(doc).localname == "Invoice"
    check_en16931(doc)
    assert _one(doc, "cbc:ID").text == inv.display_number
    assert _one(doc, "cbc:IssueDate").text == inv.issue_date.isoformat()
    assert _one(doc, "cbc:DueDate").text == inv.due_date.isoformat()
    assert _one(doc, "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID").text == ORG_KBO
    assert _one(doc, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID").text == KBO
    assert _one(doc, "cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name").text == "Brouwerij Janssens NV"
    assert _one(doc, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID").text == "BE" + KBO
    means = _one(doc, "cac:PaymentMeans")
    assert _one(means, "cbc:PaymentMeansCode").text == "30"
    assert _one(means, "cbc:PaymentID").text == inv.ogm
    assert _one(means, "cac:PayeeFinancialAccount/cbc:ID").text == org.iban
    assert _amount(doc, "cac:LegalMonetaryTotal/cbc:PayableAmount") == inv.total
    assert len(doc.xpath("cac:InvoiceLine", namespaces=NS)) == len(inv.lines) == 2
    assert peppol.filename(inv) == f"peppol-{inv.display_number}.xml"


def test_a_credit_note_is_a_valid_creditnote_with_positive_amounts(ready, invoices, session, finance):
    inv = invoices[0]
    note = credit.create_credit_note(ready, inv.id, "Eén dag te veel", {inv.lines[0].id: Decimal("20.00")},
                                     user=finance)
    session.commit()
    doc = etree.fromstring(peppol.build(ready, note))
    peppol.schema("CreditNote").assertValid(doc)
    assert etree.QName(doc).localname == "CreditNote"
    check_en16931(doc, credit_note=True)
    assert _amount(doc, "cac:LegalMonetaryTotal/cbc:PayableAmount") == Decimal("20.00") == -note.total
    assert _one(doc, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID").text == inv.display_number


def test_a_broken_document_fails_the_schema_and_the_rules(ready, invoices):
    """The checks can fail: a missing ID breaks the schema, a wrong total breaks BR-CO-10."""
    doc = etree.fromstring(peppol.build(ready, invoices[0]))
    wrong = _one(doc, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount")
    wrong.text = str(Decimal(wrong.text) + 1)
    with pytest.raises(AssertionError):
        check_en16931(doc)
    doc.remove(_one(doc, "cbc:ID"))
    with pytest.raises(etree.DocumentInvalid):
        peppol.validate(etree.tostring(doc))


def test_refused_when_off_not_a_company_or_the_organisation_is_incomplete(session, org, pairs, invoices):
    ctx = build_context(session, org)
    with pytest.raises(peppol.PeppolError) as err:
        peppol.build(ctx, invoices[0])
    assert err.value.code == "facturatie.peppol_disabled"
    _enable(session, org)
    ctx = build_context(session, org)
    with pytest.raises(peppol.PeppolError) as err:
        peppol.build(ctx, invoices[1])  # a parent: no billing profile
    assert err.value.code == "facturatie.peppol_not_company"
    _company(session, org, pairs[0][0])
    org.enterprise_number = None
    session.commit()
    with pytest.raises(peppol.PeppolError) as err:
        peppol.build(build_context(session, org), invoices[0])
    assert err.value.code == "facturatie.peppol_org_incomplete"


@pytest.mark.parametrize("value", ["0123456748", "123", "BE0403170702", "abc", ""])
def test_a_bad_kbo_number_is_refused(value):
    with pytest.raises(peppol.PeppolError) as err:
        peppol.compact_kbo(value)
    assert err.value.code == "facturatie.kbo_invalid" and err.value.field == "company_kbo"


def test_kbo_and_vat_numbers_are_compacted():
    assert peppol.compact_kbo("BE 0403.170.701") == KBO
    assert peppol.compact_vat(" be0403 170 701 ") == "BE" + KBO
    assert peppol.compact_vat("") == ""
    with pytest.raises(peppol.PeppolError):
        peppol.compact_vat("BE0403170709")


def _url(org, path):
    return f"/o/{org.slug}/facturatie{path}"


def test_the_billing_profile_form_keeps_input_and_stores_the_company(client, session, org, pairs, finance):
    family = pairs[0][0]
    login(client, finance)
    bad = client.post(_url(org, f"/families/{family.id}/billing"),
                      data={"payment_method": "transfer", "is_company": "1", "company_name": "",
                            "company_kbo": "0403.170.702", "company_vat": "BE12"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Geef de naam van het bedrijf." in page and "Geef een geldig ondernemingsnummer" in page
    assert "Geef een geldig btw-nummer" in page and 'value="0403.170.702"' in page
    assert session.scalar(select(BillingProfile).where(BillingProfile.family_id == family.id)) is None
    good = client.post(_url(org, f"/families/{family.id}/billing"),
                       data={"payment_method": "transfer", "is_company": "1", "company_name": "Brouwerij Janssens",
                             "company_kbo": "0403.170.701", "company_vat": ""})
    assert good.status_code == 302
    profile = session.scalar(select(BillingProfile).where(BillingProfile.family_id == family.id))
    session.refresh(profile)
    assert (profile.is_company, profile.company_name, profile.company_kbo, profile.company_vat) == (
        True, "Brouwerij Janssens", KBO, "")


def test_download_route_roles_refusals_and_tenancy(client, session, factory, org, ready, invoices, finance, director):
    url = _url(org, f"/invoices/{invoices[0].id}/peppol.xml")
    login(client, director)  # the director reads
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert f'filename="peppol-{invoices[0].display_number}.xml"' in response.headers["Content-Disposition"]
    peppol.validate(response.data)
    page = client.get(_url(org, f"/invoices/{invoices[0].id}")).get_data(as_text=True)
    assert "peppol.xml" in page
    assert "peppol.xml" not in client.get(_url(org, f"/invoices/{invoices[1].id}")).get_data(as_text=True)
    login(client, finance)
    refused = client.get(_url(org, f"/invoices/{invoices[1].id}/peppol.xml"))
    assert refused.status_code == 409 and "niet voor een bedrijf" in refused.get_data(as_text=True)
    as_json = client.get(_url(org, f"/invoices/{invoices[1].id}/peppol.xml"), headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and as_json.get_json()["error"]["code"] == "facturatie.peppol_not_company"
    other = factory.org(modules={"facturatie"})  # tenancy: this invoice through another organisation's URL
    assert client.get(f"/o/{other.slug}/facturatie/invoices/{invoices[0].id}/peppol.xml").status_code in (403, 404)
    login(client, factory.user(other, Role.FINANCE))
    assert client.get(f"/o/{other.slug}/facturatie/invoices/{invoices[0].id}/peppol.xml").status_code == 404
    login(client, finance)
    setting = session.scalar(select(OrganisationSetting).where(OrganisationSetting.organisation_id == org.id,
                                                               OrganisationSetting.key == "facturatie.peppol_enabled"))
    setting.value = False
    session.commit()
    off = client.get(url)
    assert off.status_code == 404 and "Peppol staat uit" in off.get_data(as_text=True)
