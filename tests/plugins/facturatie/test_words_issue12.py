"""Issue 12 §4: the SEPA mandate form is printed in the language of the parent who signs it (its
contact's, ``?lang=`` to choose another), title and footer included."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from core.models import Language
from plugins.facturatie.models import SepaMandate
from tests.conftest import login


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("contact_language, query, expected, absent", [
    (Language.FR, "", "Domiciliation européenne – mandat SEPA", "Europese domiciliëring"),
    (Language.FR, "?lang=nl", "Europese domiciliëring – SEPA-mandaat", "Domiciliation"),
    (Language.EN, "", "SEPA direct debit mandate", "domiciliëringsmandaat"),
    (Language.NL, "", "SEPA-domiciliëringsmandaat", "SEPA direct debit"),
])
def test_mandate_form_in_the_signers_language(client, factory, session, org, finance, frozen_today,
                                              contact_language, query, expected, absent):
    org.sepa_creditor_id = "BE11ZZZ0403170701"
    family = factory.family(org)
    contact = family.contacts[0]
    contact.language = contact_language
    mandate = SepaMandate(organisation_id=org.id, family_id=family.id, contact_id=contact.id, reference="MDT-W1",
                          debtor_name="Ouder", iban="BE71096123456769", signed_on=date(2026, 10, 1))
    session.add(mandate)
    session.commit()
    login(client, finance)
    client.set_cookie("lang", "nl")  # the staff member's screen is Dutch
    response = client.get(f"/o/{org.slug}/facturatie/payments/mandates/{mandate.id}/form.pdf{query}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert expected in text and absent not in text
