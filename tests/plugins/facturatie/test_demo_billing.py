"""`make demo` with billing: a partner filled like the demo fills its two billing partners (the
demo's families and children, then every module's populate_demo) can be billed by its finance
user: last month's proposal opens, its warnings are accepted with a reason, finalising and the
PDF job work — no 500 anywhere."""
from __future__ import annotations

import random
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.db import get_db
from core.demo import _families_and_children
from core.jobs import run_pending
from core.models import PriceRegime, Role
from core.tenancy import tenant_hook
from plugins.facturatie.models import DeliveryState, Invoice
from plugins.facturatie.services import documents
from tests.conftest import login
from tests.plugins.facturatie.engine_helpers import freeze


@pytest.mark.parametrize("regime", [PriceRegime.INKOMENSTARIEF, PriceRegime.VRIJE_PRIJS])
def test_a_demo_partner_bills_last_month(app, client, session, factory, regime):
    freeze()
    org = factory.org(name=f"Demo {regime.value}", modules={"planning", "aanwezigheden", "facturatie"},
                      price_regime=regime, bic="GEBABEBB", enterprise_number="0403170701", street="Kerkstraat 1",
                      postcode="8500", municipality="Kortrijk")  # as the demo's partners have them
    factory.location(org, name="Demo centrum", places=10)
    session.refresh(org)
    _families_and_children(session, org, random.Random(2026), date(2026, 12, 2))
    session.commit()
    tenant_hook(session, org).populate_demo(session=session, org=org, seed=2026 + org.id)
    session.commit()
    from plugins.facturatie.models import BillingProfile

    profiles = session.scalar(select(func.count(BillingProfile.id)).where(BillingProfile.organisation_id == org.id))
    tenant_hook(session, org).populate_demo(session=session, org=org, seed=2026 + org.id)  # make demo again
    session.commit()
    assert session.scalar(select(func.count(BillingProfile.id)).where(
        BillingProfile.organisation_id == org.id)) == profiles
    login(client, factory.user(org, Role.FINANCE))
    base = f"/o/{org.slug}/facturatie"
    assert client.get(f"{base}/").status_code == 200
    page = client.get(f"{base}/2026/11/")
    assert page.status_code == 200
    keys = re.findall(r'name="key" value="([^"]+)"', page.get_data(as_text=True))
    for key in keys:
        accepted = client.post(f"{base}/2026/11/accept", data={"key": key, "reason": "Demo: nagekeken"})
        assert accepted.status_code == 302, (key, accepted.status_code)
    done = client.post(f"{base}/2026/11/finalise")
    assert done.status_code == 303 and "/invoices" in done.headers["Location"]
    month = (Invoice.organisation_id == org.id, Invoice.period_year == 2026, Invoice.period_month == 11)
    count = session.scalar(select(func.count()).select_from(Invoice).where(*month))
    assert count >= 5
    session.commit()
    assert run_pending(get_db(), kinds=[documents.JOB_KIND]).done == 1
    session.expire_all()
    states = set(session.scalars(select(Invoice.pdf_state).where(*month)))
    assert states == {DeliveryState.DONE}
    listing = client.get(f"{base}/invoices?year=2026&month=11")
    first = re.search(r'/facturatie/invoices/(\d+)"', listing.get_data(as_text=True)).group(1)
    assert listing.status_code == 200 and client.get(f"{base}/invoices/{first}").status_code == 200
    _company_invoice_as_ubl(client, session, org, base, month)


def _company_invoice_as_ubl(client, session, org, base, month):
    """At the free-price partner one family is billed to an employer and Peppol is on: its invoice
    page offers the UBL file, which names the company; elsewhere no invoice offers it."""
    from lxml import etree

    from plugins.facturatie.models import BillingProfile
    from plugins.facturatie.services.demo import COMPANY_NAME

    company = session.scalar(select(BillingProfile).where(BillingProfile.organisation_id == org.id,
                                                          BillingProfile.is_company.is_(True)))
    invoice_ids = session.scalars(select(Invoice.id).where(*month).order_by(Invoice.id)).all()
    if org.price_regime != PriceRegime.VRIJE_PRIJS:
        assert company is None
        assert "E-factuur (UBL" not in client.get(f"{base}/invoices/{invoice_ids[0]}").get_data(as_text=True)
        return
    assert company is not None and company.company_name == COMPANY_NAME and len(company.company_kbo) == 10
    inv_id = session.scalar(select(Invoice.id).where(*month, Invoice.family_id == company.family_id))
    assert inv_id is not None  # the employee's child was billed last month
    page = client.get(f"{base}/invoices/{inv_id}").get_data(as_text=True)
    assert f"/facturatie/invoices/{inv_id}/peppol.xml" in page
    ubl = client.get(f"{base}/invoices/{inv_id}/peppol.xml")
    assert ubl.status_code == 200 and ubl.mimetype == "application/xml"
    doc = etree.fromstring(ubl.data)
    names = doc.xpath("//cac:AccountingCustomerParty//cbc:RegistrationName/text()", namespaces={
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"})
    assert names == [COMPANY_NAME]
    other = next(i for i in invoice_ids if i != inv_id)
    assert f"/invoices/{other}/peppol.xml" not in client.get(f"{base}/invoices/{other}").get_data(as_text=True)
