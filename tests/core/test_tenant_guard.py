"""The loader-criteria guard: inside a request scoped to an organisation, ORM queries cannot
return another organisation's tenant rows even if a view forgot its filter."""
from flask import g
from sqlalchemy import select

from core.models import Child


def test_guard_hides_other_organisations_rows(app, factory, session):
    mine, other = factory.org(), factory.org()
    own_child = factory.child(mine)
    foreign_child = factory.child(other)
    with app.test_request_context("/"):
        g.org = mine
        ids = set(session.scalars(select(Child.id).where(Child.id.in_([own_child.id, foreign_child.id]))))
        assert ids == {own_child.id}
        assert session.get(Child, foreign_child.id) is None or session.get(Child, foreign_child.id).organisation_id == other.id
        rows = session.scalars(select(Child).where(Child.id == foreign_child.id)).all()
        assert rows == []
    # outside a request nothing is filtered (CLI, jobs, tests)
    assert session.scalar(select(Child.id).where(Child.id == foreign_child.id)) == foreign_child.id
