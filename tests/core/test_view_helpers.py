"""core.views.helpers: the one tenant-scoped get_or_404 and the one form-render helper."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from core.context import set_request_context
from core.models import Child, Family, Koepel
from core.views.helpers import get_or_404, render_form


def test_get_or_404_finds_only_the_request_organisations_row(app, factory):
    mine, other = factory.org(name="Eigen"), factory.org(name="Andere")
    own_family, their_family = factory.family(mine), factory.family(other)
    child = factory.child(mine, family=own_family)
    with app.test_request_context("/"):
        set_request_context(mine)
        assert get_or_404(Family, own_family.id) is own_family
        with pytest.raises(NotFound):
            get_or_404(Family, their_family.id)  # another organisation's id: as if it did not exist
        with pytest.raises(NotFound):
            get_or_404(Family, 2**31 - 1)
        with pytest.raises(NotFound):  # extra criteria (a caregiver's scope) narrow it further
            get_or_404(Child, child.id, Child.location_id.in_([-1]))
        with pytest.raises(TypeError, match="not a tenant table"):
            get_or_404(Koepel, mine.koepel_id)


def test_get_or_404_outside_an_organisations_request_is_a_programming_error(app, factory):
    family = factory.family(factory.org())
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="no TenantContext"):
        get_or_404(Family, family.id)


class _Form:
    def __init__(self, errors):
        self.errors = errors


def test_render_form_answers_422_with_errors_and_200_without(monkeypatch):
    from core.views import helpers

    rendered = []
    monkeypatch.setattr(helpers, "render_template", lambda name, **ctx: rendered.append((name, ctx)) or "page")
    assert render_form("x.html", _Form({}), title="T") == ("page", 200)
    assert render_form("x.html", _Form({"email": ["Ongeldig adres."]})) == ("page", 422)
    assert render_form("x.html", None, errors={"x": "fout"}) == ("page", 422)
    assert render_form("x.html", None, errors={}) == ("page", 200)
    assert rendered[0][1]["title"] == "T" and rendered[0][1]["form"].errors == {}
    assert rendered[2][1]["errors"] == {"x": "fout"} and "form" not in rendered[2][1]
