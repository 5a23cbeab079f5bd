"""The demo loket: a staff login, two partners (their keys fixed, so ``make demo`` can connect the
demo koepel's organisations), their locations, a few vacancies and requests. Idempotent."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.clock import clock
from core.passwords import hash_password
from loket import registrations
from loket.models import Location, Partner, Registration, StaffUser, Vacancy
from loket.partners import add_partner, assign_location

STAFF = ("loket@example.org", "Loket Leuven", "loket-demo-2026")
PARTNERS = [
    # id, name, key id, secret, locations (ref, name, postcode, municipality, care type)
    ("demo-a", "Kinderopvang De Speelvogel", "demo-a-1", "demo-a-secret-0123456789abcdef0123456789",
     [("KOT-100001", "De Speelvogel", "3000", "Leuven", "groepsopvang"),
      ("KOT-100002", "Het Nestje", "3010", "Kessel-Lo", "groepsopvang")]),
    ("demo-b", "Onthaalouders Heverlee", "demo-b-1", "demo-b-secret-0123456789abcdef0123456789",
     [("KOT-200001", "Onthaal Heverlee", "3001", "Heverlee", "gezinsopvang")]),
]
CHILDREN = [
    ("Sofie", "Peeters", "sofie.peeters@example.org", "Lena", None, 120, ["KOT-100001", "KOT-200001"], ["work"]),
    ("Ahmed", "El Amrani", "ahmed@example.org", "Yasmine", 200, None, ["KOT-200001"], ["work", "sibling_in_care"]),
    ("Marie", "Dubois", "marie.dubois@example.org", "Louis", 60, None, ["KOT-100002", "KOT-100001"], ["single_parent"]),
]


def load_demo(app) -> str:
    db = app.extensions["loket_db"]
    lines = []
    with db.unit_of_work() as sess:
        if not sess.scalar(select(StaffUser.id).where(StaffUser.email == STAFF[0])):
            sess.add(StaffUser(email=STAFF[0], name=STAFF[1], password_hash=hash_password(STAFF[2]), is_admin=True))
        for partner_id, name, key_id, secret, locations in PARTNERS:
            if sess.get(Partner, partner_id) is None:
                add_partner(sess, partner_id, name, key_id=key_id, secret=secret)
            partner = sess.get(Partner, partner_id)
            for ref, lname, postcode, municipality, care_type in locations:
                assign_location(sess, partner, ref, name=lname, postcode=postcode, municipality=municipality,
                                care_type=care_type)
            lines.append(f"partner {partner_id}: key id {key_id}, secret {secret}")
        _demo_vacancies(sess)
        today = clock.today()
        for first, last, email, child, age_days, due_days, refs, flags in CHILDREN:
            born = today - timedelta(days=age_days) if age_days else None
            due = today + timedelta(days=due_days) if due_days else None
            key = registrations.child_key(child, last, born or due)
            if sess.scalar(select(Registration.id).where(Registration.child_key == key)):
                continue
            ids = [sess.scalar(select(Location.id).where(Location.ref == ref)) for ref in refs]
            registrations.file_registration(sess, registrations.RegistrationInput(
                applicant_first_name=first, applicant_last_name=last, email=email, child_first_name=child,
                child_last_name=last, date_of_birth=born, expected_birth_date=due,
                desired_start=_first_of_month(today + timedelta(days=90)), location_ids=ids,
                municipality="Leuven", postcode="3000", days=[{"day": d, "part": "full"} for d in ("mon", "tue", "thu")],
                priority_flags=flags))
    lines.insert(0, f"loketmedewerker: {STAFF[0]} / {STAFF[2]}")
    return "\n".join(lines)


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _demo_vacancies(sess) -> None:
    """A few vacancies as if the partners had sent them (sequence 0: any real event is newer)."""
    month = _first_of_month(clock.today() + timedelta(days=40)).strftime("%Y-%m")
    for partner_id, ref, band, free in (("demo-a", "KOT-100001", "0-18m", 2), ("demo-a", "KOT-100002", "18-36m", 1),
                                        ("demo-b", "KOT-200001", "0-36m", 1)):
        aggregate_id = f"{ref}|{month}|{band}|demo"
        if sess.get(Vacancy, (partner_id, aggregate_id)) is None:
            location = sess.scalar(select(Location).where(Location.ref == ref))
            sess.add(Vacancy(partner_id=partner_id, aggregate_id=aggregate_id, sequence=0, location_id=location.id,
                             age_band=band, days=["mon", "tue", "wed", "thu", "fri"], month=month, free_places=free,
                             last_minute=False))
    sess.flush()
