"""Bad input never reaches a 500: Hypothesis throws generated values (NUL bytes, lone
surrogates, numbers too big for a column, impossible dates and months, malformed slots, wrong
JSON types) at every form and JSON endpoint of the full app, as a director and as an unlocked
tablet, and at every GET route's query parameters. Each answer must be below 500, and an error
answer (4xx) must have written nothing. Runs on SQLite and, in CI's PostgreSQL lane, on
PostgreSQL (which refuses NUL bytes and 64-bit ids)."""
from __future__ import annotations

from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.context import context_for
from core.db import Base
from core.models import Location, Role
from tests.conftest import ALL_PLUGINS, login
from tests.contracts.route_objects import ROUTE_OBJECTS

#: Field and parameter names the views read (WTForms fields are added from the form classes).
NAMES = ["action", "event_id", "time", "reason", "child_id", "kind", "date", "decision", "item_id", "location_id",
         "name", "pin", "pin_again", "kindcode", "sex", "school_start", "own_child", "day", "note", "remove", "token",
         "how", "slot", "request_id", "preset", "answer", "offer_id", "keep", "drop", "month", "year", "from", "to",
         "status", "page", "q", "location", "entity", "email", "password", "language", "choice_1", "day_0"]
JSON_NAMES = ["client_id", "child_id", "kind", "user_id", "pin", "items", "reason", "confirmed_by", "at", "type",
              "staff_id", "pin_failures", "unlock_at", "staff_proof"]
NASTY = ["", "\x00", "a\x00b", "-1", "0", "2147483648", "9" * 25, "1e308", "NaN", "2026-02-30",
         "2026-13", "2026-00", "0000-00-00", "9999-12-31", "31/12/2026", "25:99", "<script>x</script>",
         "' OR 1=1 --", "1:2027-01:0-12m:ma-vr volle dag", "x:y:z:w", "9999999999:2027-13:a:b", "ma-vr",
         "x" * 3000, " ", "é", "\u202e", "on", "accept", "remove", "correct", "add", "arrival"]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=20),
                 st.integers(min_value=-(2**70), max_value=2**70).map(str))
# A lone surrogate cannot travel in a URL or a form (it is no UTF-8), but it can in JSON ("\ud800").
JSON_TEXT = st.one_of(TEXT, st.just("\ud800"), st.just("x\udfffy"))
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
              st.floats(allow_nan=True, allow_infinity=True), JSON_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(JSON_NAMES), inner,
                                                                         max_size=4)),
    max_leaves=6)
#: Tables an error answer may still change on purpose: the throttles (committed before the answer).
COMMITTED_ON_ERROR = {"login_throttle"}
#: ... and per endpoint: a wrong PIN counts on the device (audited) although the answer is a 401.
WRITES_ON_ERROR = {"aanwezigheden.api_unlock": {"audit_log"}, "aanwezigheden.api_sync": {"audit_log"}}


def _form_field_names() -> list[str]:
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    import core.forms  # noqa: F401
    import plugins.planning.forms  # noqa: F401
    import plugins.wachtlijst.forms  # noqa: F401

    names, todo = set(), list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        names |= {name for name in dir(cls) if isinstance(getattr(cls, name, None), UnboundField)}
    return sorted(names)


def _counts(session) -> dict[str, int]:
    tables = [t for t in Base.metadata.sorted_tables if t.name not in COMMITTED_ON_ERROR]
    row = session.execute(select(*(select(func.count()).select_from(t).scalar_subquery() for t in tables))).one()
    return dict(zip((t.name for t in tables), row, strict=True))


def test_generated_input_never_reaches_a_500_nor_writes_on_an_error(app, factory, session):
    from plugins.aanwezigheden.services.devices import pair_device, set_pin

    org = factory.org(name="Eigen Huis", modules=set(ALL_PLUGINS))
    session.commit()
    values = {name: make(factory, org, session) for name, make in ROUTE_OBJECTS.items()}
    location = session.scalars(select(Location).where(Location.organisation_id == org.id)).first()
    director = factory.user(org, Role.DIRECTOR)
    set_pin(context_for(session, org), director, "4821")
    _device, token = pair_device(context_for(session, org), location, "Tablet", actor_id=director.id)
    session.commit()
    staff = app.test_client()
    login(staff, SimpleNamespace(email=director.email))
    tablet = app.test_client()
    tablet.set_cookie("koepel_tablet", token)
    headers = {"X-Koepel-Tablet": "1"}
    unlocked = tablet.post(f"/o/{org.slug}/aanwezigheden/tablet/api/unlock", json={"user_id": director.id,
                                                                                   "pin": "4821"}, headers=headers)
    assert unlocked.status_code == 200
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in ("static", "auth.logout") or "static" in rule.endpoint:
            continue
        url = adapter.build(rule.endpoint, {arg: values[arg] for arg in rule.arguments})
        for method in sorted(rule.methods & {"GET", "POST"}):
            routes.append((rule.endpoint, method, url))
    fields = sorted(set(NAMES) | set(_form_field_names()))
    seen: set[tuple[str, str]] = set()
    problems: list[str] = []

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def probe(data):
        endpoint, method, url = data.draw(st.sampled_from(routes), label="route")
        seen.add((endpoint, method))
        params = data.draw(st.dictionaries(st.sampled_from(fields), TEXT, max_size=5), label="params")
        before = _counts(session)
        if "tablet/api" in url:
            body = data.draw(st.dictionaries(st.sampled_from(JSON_NAMES), JSON_VALUE, max_size=6), label="json")
            response = tablet.open(url, method=method, json=body if method == "POST" else None,
                                   query_string=params if method == "GET" else None, headers=headers)
        elif method == "GET":
            response = staff.get(url, query_string=params)
        else:
            response = staff.post(url, data=params)
        session.expire_all()
        where = f"{method} {url} ({endpoint}) {params!r}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        elif response.status_code >= 400:
            after = _counts(session)
            changed = {name for name in before if before[name] != after[name]} - WRITES_ON_ERROR.get(endpoint, set())
            if changed:
                problems.append(f"{where}: {response.status_code} but wrote {sorted(changed)}")
        assert not problems, "\n".join(problems)

    probe()
    assert len(seen) >= 40, sorted(seen)  # the examples reached most endpoints
