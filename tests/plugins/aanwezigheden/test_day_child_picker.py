"""A missing arrival or departure added by hand on a location's day page: with dozens of children
the child list becomes a picker that searches the page's own names (still a plain, labelled select
without JavaScript); a small location keeps the plain list."""
from __future__ import annotations

import pytest

from core.views.locations import PICKER_FROM
from tests.conftest import login


@pytest.mark.parametrize("many", [False, True])
def test_day_page_child_list_is_a_picker_only_with_many_children(client, session, factory, org, location, director,
                                                                 many):
    for i in range(PICKER_FROM + 1 if many else 3):
        factory.child(org, location=location, first_name=f"Kind{i:02d}")
    session.commit()
    login(client, director)
    page = client.get(f"/o/{org.slug}/aanwezigheden/register/{location.id}/day?date=2026-11-18").get_data(as_text=True)
    assert '<label for="add-child">Kind</label> <select id="add-child" name="child_id"' in page
    assert page.count("Kind") > (PICKER_FROM if many else 3)  # every child listed: works without JavaScript
    assert ("data-picker" in page) is many and ("tom-select.complete.min.js" in page) is many
