"""The victim organisation's payment objects for the route contract tests (tests/contracts)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal


def _invoice(f, org, s):
    from . import payment_builders as build

    family = f.family(org)
    return build.invoice(s, org, family, f.child(org, family), care="40")


def victim_mandate(f, org, s) -> int:
    from plugins.facturatie.models import SepaMandate

    row = SepaMandate(organisation_id=org.id, family_id=f.family(org).id, reference=f"V-{org.id}",
                      debtor_name="Slachtoffer", iban="BE71096123456769", signed_on=date(2026, 1, 1))
    s.add(row)
    s.commit()
    return row.id


def victim_batch(f, org, s) -> int:
    from plugins.facturatie.models import DirectDebitBatch

    row = DirectDebitBatch(organisation_id=org.id, collection_date=date(2026, 12, 1), schema="pain.008.001.02")
    s.add(row)
    s.commit()
    return row.id


def victim_movement(f, org, s) -> int:
    from plugins.facturatie.models import BankMovement, MovementState

    row = BankMovement(organisation_id=org.id, external_key=f"victim-{org.id}", entry_date=date(2026, 11, 2),
                       amount=Decimal("12.00"), state=MovementState.UNMATCHED)
    s.add(row)
    s.commit()
    return row.id


def victim_payment(f, org, s) -> int:
    from . import payment_builders as build

    inv = _invoice(f, org, s)
    return build.pay(s, org, inv, "40", date(2026, 11, 2)).id


def victim_certificate(f, org, s) -> int:
    from plugins.facturatie.models import FiscalCertificate

    family = f.family(org)
    child = f.child(org, family)
    row = FiscalCertificate(organisation_id=org.id, year=2025, number=1, child_id=child.id,
                            debtor_contact_id=family.contacts[0].id, amount=Decimal("10"), content={"lines": []})
    s.add(row)
    s.commit()
    return row.id
