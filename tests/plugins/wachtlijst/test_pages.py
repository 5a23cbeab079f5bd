"""Staff pages: list, policy editing, duplicates merge, closing, the reminder mail, access."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.clock import BRUSSELS, app_clock
from core.context import context_for
from core.db import get_db
from core.jobs import Job, run_pending
from core.mail import mail_body
from core.models import Role
from plugins.wachtlijst.models import WAITING_STATUSES, CareRequest, Status
from plugins.wachtlijst.services import offers, placing, policy
from tests.conftest import QueryCounter, login
from tests.plugins.wachtlijst.helpers import make_request


def test_list_page_query_count_does_not_grow(app, client, session, org, location, director, frozen_today):
    for i in range(2):
        make_request(session, org, [location.id], email=f"l{i}@example.be")
    session.commit()
    slug = org.slug
    login(client, director)
    engine = app.extensions["koepel_db"].session_factory.kw["bind"]
    with QueryCounter(engine) as small:
        assert client.get(f"/o/{slug}/wachtlijst/").status_code == 200
    for i in range(2, 20):
        make_request(session, org, [location.id], email=f"l{i}@example.be")
    session.commit()
    with QueryCounter(engine) as large:
        body = client.get(f"/o/{slug}/wachtlijst/").get_data(as_text=True)
    assert "Lotte Peeters" in body
    assert large.count == small.count


def test_policy_page_edits_rules_and_refuses_unknown(client, session, org, director, frozen_today):
    session.commit()
    slug = org.slug
    login(client, director)
    page = client.get(f"/o/{slug}/wachtlijst/policy").get_data(as_text=True)
    assert "Alleenstaande ouder" in page and '<label for="rank-single_parent">' in page
    assert "<code>" not in page and "subsidiebesluit</option>" not in page  # names, not keys
    before = policy.get_rules(context_for(session, org))
    for bad_data in ({"rank-work": "1", "rank-horoscoop": "2"}, {"rank-work": "1", "rank-urgent": "1"},
                     {"rank-work": "een"}, {"preset": "horoscoop"}):
        bad = client.post(f"/o/{slug}/wachtlijst/policy", data=bad_data)
        assert bad.status_code == 422 and "Elke regel krijgt een eigen plaats" in bad.get_data(as_text=True)
        assert policy.get_rules(context_for(session, org)) == before
    ok = client.post(f"/o/{slug}/wachtlijst/policy", data={"rank-urgent": "1", "rank-work": "2", "rank-sibling": ""})
    assert ok.status_code == 302
    assert policy.get_rules(context_for(session, org)) == ["urgent", "work"]
    assert client.post(f"/o/{slug}/wachtlijst/policy", data={"preset": "brussel"}).status_code == 302
    from core.models import Organisation

    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    assert policy.get_rules(context_for(session, org)) == policy.PRESETS["brussel"]


def test_duplicates_page_merges(client, session, org, location, director, frozen_today):
    a, _ = make_request(session, org, [location.id], email="x1@example.be")
    b, _ = make_request(session, org, [location.id], email="x2@example.be")
    session.commit()
    slug, a_id, b_id = org.slug, a.id, b.id
    login(client, director)
    assert f"Samenvoegen in #{a_id}" in client.get(f"/o/{slug}/wachtlijst/duplicates").get_data(as_text=True)
    assert client.post(f"/o/{slug}/wachtlijst/duplicates", data={"keep": a_id, "drop": b_id}).status_code == 302
    assert session.get(CareRequest, b_id).merged_into_id == a_id


def test_close_requires_reason_and_lapse(client, session, org, location, director, frozen_today):
    req, _ = make_request(session, org, [location.id])
    session.commit()
    slug, req_id = org.slug, req.id
    login(client, director)
    client.post(f"/o/{slug}/wachtlijst/{req_id}/close", data={"how": "lapse", "reason": ""})
    assert session.get(CareRequest, req_id).status == Status.CONFIRMED
    client.post(f"/o/{slug}/wachtlijst/{req_id}/close", data={"how": "lapse", "reason": "miskraam"})
    req = session.get(CareRequest, req_id)
    assert req.status == Status.LAPSED and req.history[-1].reason == "miskraam"


def test_reminder_mail_before_the_deadline(app, session, org, location, director, frozen_today, monkeypatch):
    slot = placing.Slot(location.id, 2027, 1, "0-12m", "ma-vr volle dag", free=1)
    monkeypatch.setattr(placing, "vacancies", lambda *a, **k: [slot])
    req, _ = make_request(session, org, [location.id], language="fr")
    offer = offers.make_offer(context_for(session, org), req, slot, actor=director)
    session.commit()
    app_clock().freeze(datetime.combine(offer.deadline - timedelta(days=3), datetime.min.time(), tzinfo=BRUSSELS)
                 + timedelta(hours=10))
    assert run_pending(get_db(), kinds=["wachtlijst.offer_reminder"]).done == 1
    mails = get_db().scoped().scalars(select(Job).where(Job.kind == "mail.send")).all()
    subjects = sorted(m.payload["subject"] for m in mails)
    assert "Rappel : répondez à l'offre pour Lotte Peeters" in subjects
    reminder = next(m for m in mails if m.payload["subject"].startswith("Rappel"))
    assert f"{offer.deadline:%d/%m/%Y}" in mail_body(reminder.payload) and "/status/" in mail_body(reminder.payload)


def test_caregivers_and_finance_cannot_see_the_waiting_list(client, factory, session, org, frozen_today):
    finance = factory.user(org, Role.FINANCE)
    slug = org.slug
    login(client, finance)
    assert client.get(f"/o/{slug}/wachtlijst/").status_code == 403


def test_disabled_module_answers_404_also_on_public_pages(client, factory, session, frozen_today):
    plain = factory.org(modules={"planning"})
    response = client.get(f"/o/{plain.slug}/wachtlijst/status/x")
    assert response.status_code == 404 and "Deze link is ongeldig" not in response.get_data(as_text=True)


def test_demo_data_and_dashboard_widget(client, session, org, location, director, frozen_today):
    from plugins.wachtlijst.services.demo import populate

    assert populate(context_for(session, org), seed=1) == 14
    assert populate(context_for(session, org), seed=1) == 0  # idempotent
    from core.models import PriceRegime
    from core.settings import get_setting

    group_id = str(get_setting(session, org, "wachtlijst.subsidiegroep_id"))
    assert group_id.isdigit() == (org.price_regime == PriceRegime.INKOMENSTARIEF)  # FO-RE-19 can be tried
    waiting = session.scalar(select(func.count()).select_from(CareRequest).where(
        CareRequest.organisation_id == org.id, CareRequest.status.in_(WAITING_STATUSES)))
    session.commit()
    slug = org.slug
    login(client, director)
    body = client.get(f"/o/{slug}/").get_data(as_text=True)
    assert f"Wachtend: {waiting}" in body and "Open aanbiedingen: 2" in body


def test_demo_places_children_and_leaves_open_offers(client, session, org, location, director, frozen_today):
    """The demo's offers go through the waiting list's services: three accepted (each placed with a
    care plan at the offered location from the offered start), one declined, two open, one offer per
    request; the printed link opens a status page with an offer and its answer date; a second run
    adds nothing; the placement report counts the placements."""
    from plugins.planning.models import CarePlan
    from plugins.wachtlijst.models import Offer, OfferStatus
    from plugins.wachtlijst.services.demo import links, populate

    ctx = context_for(session, org)
    populate(ctx, seed=3)
    demo_offers = session.scalars(select(Offer).where(Offer.organisation_id == org.id).order_by(Offer.id)).all()
    assert [o.status for o in demo_offers] == [OfferStatus.ACCEPTED] * 3 + [OfferStatus.DECLINED] + [OfferStatus.OPEN] * 2
    assert len({o.request_id for o in demo_offers}) == 6
    for offer in demo_offers[:3]:
        req = offer.request
        plan = session.get(CarePlan, req.care_plan_id)
        assert req.status == Status.PLACED and plan.child_id == req.child_id
        assert (plan.location_id, plan.start_date) == (offer.location_id, offer.start_date)
    assert demo_offers[3].request.status == Status.DECLINED and demo_offers[3].decline_reason
    assert all(o.request.status == Status.OFFER_MADE and o.deadline > frozen_today for o in demo_offers[4:])
    [(label, path)] = links(ctx)
    assert path.startswith(f"/o/{org.slug}/wachtlijst/status/") and org.name in label
    session.commit()
    assert populate(context_for(session, org), seed=3) == 0
    assert session.scalar(select(func.count()).select_from(Offer).where(Offer.organisation_id == org.id)) == 6
    page = client.get(path).get_data(as_text=True)
    assert f"{demo_offers[4].deadline:%d/%m/%Y}" in page and 'name="offer_id"' in page
    login(client, director)
    report = client.get(f"/o/{org.slug}/wachtlijst/reports").get_data(as_text=True)
    assert "<dt>Plaatsingen</dt><dd>3</dd>" in report and "We vonden opvang dichter bij huis: 1" in report


def test_ranking_page_shows_order_and_reasons(client, session, org, location, director, frozen_today):
    make_request(session, org, [location.id], email="r1@example.be", child_first_name="Zonder")
    make_request(session, org, [location.id], email="r2@example.be", child_first_name="Werkend",
                 facts={"work": True})
    session.commit()
    slug, loc_id = org.slug, location.id
    login(client, director)
    body = client.get(f"/o/{slug}/wachtlijst/ranking?location={loc_id}").get_data(as_text=True)
    assert body.index("Werkend Peeters") < body.index("Zonder Peeters")
    assert "na de vorige omdat die voldoet aan: Werk, werk zoeken of opleiding" in body
    assert client.get(f"/o/{slug}/wachtlijst/ranking?location=999999").status_code == 404


def test_staff_pages_follow_the_screen_language(client, session, org, location, director, frozen_today):
    make_request(session, org, [location.id], email="taal@example.be")
    session.commit()
    slug = org.slug
    login(client, director)
    assert "bevestigd, op de wachtlijst" in client.get(f"/o/{slug}/wachtlijst/").get_data(as_text=True)
    client.set_cookie("lang", "fr")
    listing = client.get(f"/o/{slug}/wachtlijst/").get_data(as_text=True)
    assert "confirmée, sur la liste d&#39;attente" in listing and "bevestigd, op de wachtlijst" not in listing
    client.set_cookie("lang", "en")
    form = client.get(f"/o/{slug}/wachtlijst/new").get_data(as_text=True)
    assert "Request childcare" in form and "Applicant" in form and "Aanvrager" not in form
    assert '<option selected value="nl">' in form  # the parent's message language stays a choice, Dutch by default
