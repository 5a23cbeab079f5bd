"""The proposal's hot paths were restructured for speed (fact-speed): each precomputed value
must give exactly what the per-day computation it replaces gave, on random data. The references
below are the code before the change (main 28b3737), kept verbatim."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.clock import BRUSSELS
from plugins.aanwezigheden.services import rules
from plugins.aanwezigheden.services.rules import Reservation, counted_minutes, months_after
from plugins.facturatie.services import pricing, proposal
from plugins.facturatie.services.tariffs import attest_on
from plugins.facturatie.services.texts import LINE_TEXTS, LineTexts, line_text

DST_DAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28)]


def _reference_reserved_minutes(reservation: Reservation, day: date, *, flex: bool) -> int:
    if reservation.start and reservation.end and reservation.end > reservation.start:
        local = lambda t: datetime.combine(day, t, tzinfo=BRUSSELS)  # noqa: E731
        minutes, _ = counted_minutes([(local(reservation.start), local(reservation.end))], day, flex=flex)
        return minutes
    if reservation.day_part in ("morning", "afternoon"):
        return 240
    return 600


def _reference_out_of_school(*, bo_location, birth_date, school_start, day, school_part_time=False) -> bool:
    if not bo_location:
        return False
    if school_start is not None and school_start <= day and not school_part_time:
        return True
    if birth_date is None:
        return False
    return day >= months_after(birth_date, rules.BO_AGE_MONTHS)


def _random_time(rng: random.Random) -> time | None:
    if rng.random() < 0.1:
        return None
    return time(rng.randint(0, 23), rng.choice([0, 15, 30, 45, rng.randint(0, 59)]))


@pytest.mark.parametrize("seed", range(5))
def test_reserved_minutes_once_per_pattern_equals_per_day(seed):
    rng = random.Random(seed)
    for _ in range(2000):
        res = Reservation(rng.choice(["full", "morning", "afternoon", "hours"]), _random_time(rng), _random_time(rng))
        day = rng.choice(DST_DAYS) if rng.random() < 0.3 else date(2026, 1, 1) + timedelta(days=rng.randint(0, 730))
        flex = rng.random() < 0.3
        assert rules.reserved_minutes(res, day, flex=flex) == _reference_reserved_minutes(res, day, flex=flex), \
            (res, day, flex)


@pytest.mark.parametrize("seed", range(5))
def test_out_of_school_date_equals_per_day_test(seed):
    rng = random.Random(seed)
    for _ in range(300):
        bo = rng.random() < 0.7
        birth = None if rng.random() < 0.1 else date(2020, 1, 1) + timedelta(days=rng.randint(0, 2200))
        school = None if rng.random() < 0.4 else date(2023, 1, 1) + timedelta(days=rng.randint(0, 1500))
        part_time = rng.random() < 0.3
        first = rules.out_of_school_from(bo_location=bo, birth_date=birth, school_start=school,
                                         school_part_time=part_time)
        for _ in range(20):
            day = date(2023, 1, 1) + timedelta(days=rng.randint(0, 1800))
            expected = _reference_out_of_school(bo_location=bo, birth_date=birth, school_start=school, day=day,
                                                school_part_time=part_time)
            assert (first is not None and day >= first) == expected
            assert rules.is_out_of_school(bo_location=bo, birth_date=birth, school_start=school, day=day,
                                          school_part_time=part_time) == expected


@pytest.mark.parametrize("seed", range(5))
def test_attest_periods_equal_attest_on(seed):
    rng = random.Random(seed)
    for n in range(300):
        attests = []
        for i in range(rng.randint(0, 4)):
            lo = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300))
            hi = None if rng.random() < 0.4 else lo + timedelta(days=rng.randint(0, 120))
            attests.append(SimpleNamespace(id=n * 10 + i, valid_from=lo, valid_to=hi,
                                           family_id=rng.choice([None, None, 1, 2]), kindcode=f"K{i}", ivt=False,
                                           day_price=Decimal(rng.randint(599, 3218)) / 100))
        periods = proposal._attest_periods({7: attests})[7] if attests else []
        for _ in range(20):
            day = date(2026, 1, 1) + timedelta(days=rng.randint(0, 420))
            family = rng.choice([None, 1, 2, 3])
            old = attest_on(attests, day, family)
            new = proposal._attest_on(periods, day, family)
            if old is None:
                assert new is None
            else:
                assert new == (old.day_price, {"attest_id": old.id, "kindcode": old.kindcode, "ivt": old.ivt})


def test_day_amount_quantized_once_equals_per_day():
    rng = random.Random(3)
    for _ in range(5000):
        price = Decimal(rng.randint(0, 99999)) / Decimal(rng.choice([1, 10, 100, 1000]))
        fraction = rng.choice([Decimal("0.6"), Decimal("0.60"), Decimal("1"), Decimal(rng.randint(1, 12))])
        assert pricing._amount(price, fraction) == pricing.cents(price * fraction)
        assert str(pricing._amount(price, fraction)) == str(pricing.cents(price * fraction))


@pytest.mark.parametrize("locale", ["nl", "fr", "en"])
def test_line_texts_once_per_language_equal_line_text(app, locale):
    texts = LineTexts()
    with app.test_request_context():
        for key in LINE_TEXTS:
            params = {"name": "Lotte Peeters", "item": "Maaltijd", "pct": "10", "month": "11/2026",
                      "invoice": "2026-000001"}
            for _ in range(2):  # the second time from the cache
                assert texts(key, locale, **params) == line_text(key, locale, **params)
