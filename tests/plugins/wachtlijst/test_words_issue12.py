"""Issue 12 §4 on the waiting list's pages: a request's days with the reader's weekday
abbreviations and day-part words, a free place's pattern and age band labelled (its key stays)."""
from __future__ import annotations

import pytest

from tests.conftest import login
from tests.plugins.wachtlijst.helpers import make_request


@pytest.mark.parametrize("lang, day, absent", [("nl", "ma (volle dag)", "(full)"),
                                               ("fr", "lun. (journée complète)", "ma (")
                                               , ("en", "Mon (full day)", "(full)")])
def test_request_days_in_the_readers_words(client, session, org, location, director, frozen_today, lang, day, absent):
    req, _token = make_request(session, org, [location.id])
    session.commit()
    login(client, director)
    client.set_cookie("lang", lang)
    page = client.get(f"/o/{org.slug}/wachtlijst/{req.id}").get_data(as_text=True)
    assert day in page and absent not in page


def test_candidates_page_labels_the_slot(client, session, org, location, director, frozen_today):
    make_request(session, org, [location.id])
    session.commit()
    login(client, director)
    client.set_cookie("lang", "en")
    page = client.get(f"/o/{org.slug}/wachtlijst/candidates?slot={location.id}:2027-01:0-12m:ma-vr volle dag")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "0-12 months" in text and "Mon–Fri full day" in text and "ma-vr volle dag" not in text.replace(
        "ma-vr%20volle%20dag", "")
