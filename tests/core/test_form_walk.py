"""Nothing typed is lost, checked on the forms as users see them: every GET page of the app is
rendered as each role (URL arguments from the tenancy contract's route objects), every
``<form method=post>`` on it is read, and each field it shows must have an entry in
``tests/core/form_fates.py`` (saved in a model attribute that exists, or read-only with a reason).
Then every form that saves something is posted with changed valid values and the stored values
are read back."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

import pytest
from sqlalchemy import inspect as sa_inspect

from core.models import Location, Role
from tests.conftest import ALL_PLUGINS, login
from tests.contracts.route_objects import ROUTE_OBJECTS
from tests.core.form_fates import SHOWN
from tests.core.form_walk import fate_of, field_key, parse_forms, walk

ROLES = [Role.COORDINATOR, Role.DIRECTOR, Role.FINANCE, Role.CAREGIVER]

# The hand-written forms named in issue 12 (and the main WTForms ones) that the walk must find, so
# that it cannot silently go blind (a page that stops answering 200 would drop its forms).
MUST_FIND = {
    "incidents.index", "incidents.follow_up", "settings.index", "org.upload_logo", "org.edit",
    "aanwezigheden.absence_notice", "aanwezigheden.child_code", "aanwezigheden.day", "aanwezigheden.devices",
    "aanwezigheden.kot_api", "aanwezigheden.pin", "aanwezigheden.rejected",
    "facturatie.billing_profile_post", "facturatie.child_tariffs_post", "facturatie.plan_add",
    "facturatie.plan_price_add", "facturatie.extra_add", "facturatie.credit",
    "facturatie.attest_import_post", "facturatie.payments_bank_upload", "facturatie.payments_match",
    "wachtlijst.create", "wachtlijst.close", "wachtlijst.policy_page", "wachtlijst.public_answer",
    "wachtlijst.answer_offer",
    "wachtlijst_koepel.koepel_propose",
    "families.edit", "children.edit", "locations.edit", "planning.new_plan", "planning.closing_days",
}


def _models() -> dict[str, type]:
    from core.db import Base
    from core.migrate import import_all_models

    import_all_models()
    return {mapper.class_.__name__: mapper.class_ for mapper in Base.registry.mappers}


@pytest.fixture
def world(app, factory, session, frozen_today):
    from tests.core.form_walk_states import add_states

    org = factory.org(name="Eigen Huis", modules=set(ALL_PLUGINS))
    values = {name: make(factory, org, session) for name, make in ROUTE_OBJECTS.items()}
    add_states(factory, org, session, values)
    locations = session.query(Location).filter_by(organisation_id=org.id).all()
    return SimpleNamespace(org=org, values=values, locations=locations)


def client_as(app, factory, world, role):
    user = factory.user(None if role == Role.COORDINATOR else world.org, role,
                        locations=world.locations if role == Role.CAREGIVER else ())
    client = app.test_client()
    login(client, SimpleNamespace(email=user.email))
    return client


def test_every_shown_field_is_saved_or_declared_read_only(app, factory, world):
    problems, found = set(), set()
    for role in ROLES:
        for form in walk(app, client_as(app, factory, world, role), world.values):
            found.add(form.endpoint)
            if not form.fields:
                continue  # buttons only (delete, log out, send): nothing typed
            fates = SHOWN.get(form.endpoint)
            if fates is None:
                problems.add(f"{form.endpoint} (a form on {form.page_endpoint}): not in form_fates.SHOWN")
                continue
            problems |= {f"{form.endpoint}.{name} (on {form.page_endpoint}): shown but not in form_fates.SHOWN"
                         for name in form.fields if fate_of(fates, name) is None}
    assert not problems, "\n".join(sorted(problems))
    assert MUST_FIND <= found, f"the walk no longer finds {sorted(MUST_FIND - found)}"


def test_every_table_entry_names_an_endpoint_and_an_attribute_that_exist(app):
    models = _models()
    problems = []
    for endpoint, fates in SHOWN.items():
        if endpoint not in app.view_functions:
            problems.append(f"{endpoint}: no such endpoint")
        for name, fate in fates.items():
            if fate.startswith("read-only:"):
                continue
            model_name, attribute = fate.split(".")
            if model_name not in models or attribute not in sa_inspect(models[model_name]).attrs.keys():
                problems.append(f"{endpoint}.{name}: {fate} does not exist")
    assert not problems, "\n".join(problems)


# --- posted with changed values and read back ----------------------------------------------------

# Forms that are walked above but not posted here, each with why (a short list, reviewed).
NOT_POSTED = {
    "auth.login": "logs in; nothing is saved",
    "org.create_user": "the password is hashed and the locations are a relationship: tests/core/test_accounts.py",
    "org.upload_logo": "a file upload: tests/core/test_branding.py",
    "aanwezigheden.pin": "a PIN, kept only as a hash: tests/plugins/aanwezigheden/test_offline_pins.py",
    "aanwezigheden.kot_api": "a token, kept encrypted: tests/plugins/aanwezigheden/test_kot_client.py",
    "loket_sync.save_settings": "the secret is write-only and the URL is probed: tests/plugins/loket_sync",
    "facturatie.attest_import_post": "a file upload: tests/plugins/facturatie",
    "facturatie.payments_bank_upload": "a file upload: tests/plugins/facturatie/test_coda.py",
    "planning.house_rules": "needs a PDF upload: tests/plugins/planning/test_agreement_house_rules.py",
    "planning.child_agreements": "needs a care plan running today: tests/plugins/planning/test_agreement_house_rules.py",
    "wachtlijst_koepel.koepel_propose": "starts an allocation run (a job), read back in tests/plugins/wachtlijst",
    "wachtlijst.policy_page": "ranks must stay distinct, kept as JSON: tests/plugins/wachtlijst/test_brussels.py",
    "aanwezigheden.absence_notice": "needs a planned day of the chosen child: tests/plugins/aanwezigheden",
    "aanwezigheden.day": "registers a present child's arrival: tests/plugins/aanwezigheden/test_pages.py",
    "facturatie.payments_batch_new": "needs invoices to collect by direct debit: tests/plugins/facturatie/test_sepa.py",
    "facturatie.credit": "the walked invoice is credited already: tests/plugins/facturatie/test_credit.py",
}


def _errors(body: str) -> list[str]:
    from lxml import html as lxml_html

    if not body.strip():
        return []
    doc = lxml_html.fromstring(body)
    return [" ".join(e.text_content().split()) for e in doc.xpath('//*[@role="alert" or @class="error"]')]


def _count(session, column, value) -> int:
    from sqlalchemy import func, select

    return session.scalar(select(func.count()).select_from(column.class_).where(column == value))


def _setting(session, org, name: str):
    from core.settings import get_setting

    return get_setting(session, org, name)


def _same(stored, posted: str | None) -> bool:
    """A value read back through a service equals what was posted (a checkbox: None = unchecked)."""
    if isinstance(stored, bool) or posted is None:
        return stored == (posted is not None)
    try:
        return Decimal(str(stored)) == Decimal(posted.replace(",", "."))
    except (InvalidOperation, ValueError):
        return str(stored) == posted.strip()


# Fates kept in a form the count of rows cannot see (a JSON value under a key): read back through
# the service the app itself reads them with.
SERVICE_READ_BACK = {"OrganisationSetting.value": _setting}


def _post_and_read_back(session, models, clients, form, checked, org) -> tuple[bool, list[str]]:
    """Post the form with changed values: whether it was refused, and the problems found (none:
    every changed value is stored)."""
    from tests.core.form_post import column_of, new_value, post_data, to_stored

    fates = SHOWN[form.endpoint]
    changes, expected, taken, by_service = {}, {}, set(), {}
    for name in form.fields:
        fate = fate_of(fates, name)
        column = column_of(models, fate)
        value = new_value(form, name, column, taken) if column is not None else ...
        if value is ...:
            continue
        try:
            stored = to_stored(column, value)
        except ValueError:
            continue  # a field in another shape than its column (a list of dates): posted as shown
        changes[name] = value
        if fate in SERVICE_READ_BACK:
            by_service[name] = SERVICE_READ_BACK[fate]
        elif stored is not None:
            expected[name] = (column, stored, _count(session, column, stored))
    if not changes:
        return False, []
    for client in clients:  # a role may see a form it may not post (read-only for it)
        response = client.post(form.action, data=post_data(form, changes, fates))
        if response.status_code != 403:
            break
    body = response.get_data(as_text=True)
    if response.status_code >= 400 or 'role="alert"' in body or 'aria-invalid="true"' in body:
        return True, [f"{form.endpoint} on {form.page}: posted {changes}, answered {response.status_code} "
                      f"{_errors(body)}"]
    problems = [] if response.status_code == 302 else [f"{form.endpoint}: answered {response.status_code} {body[:300]}"]
    for name, (column, stored, before) in expected.items():
        checked.add(f"{form.endpoint}.{name}")
        if _count(session, column, stored) <= before:
            problems.append(f"{form.endpoint}.{name}: posted {changes[name]!r}, not found in {column}")
    session.expire_all()
    for name, read in by_service.items():
        checked.add(f"{form.endpoint}.{name}")
        if not _same(read(session, org, name), changes[name]):
            problems.append(f"{form.endpoint}.{name}: posted {changes[name]!r}, reads back {read(session, org, name)!r}")
    return False, problems


def _again(app, client, form):
    """The same form as its page shows it now (after the other forms were posted)."""
    adapter = app.url_map.bind("localhost")
    body = client.get(form.page).get_data(as_text=True)
    return next((f for f in parse_forms(body, form.page, form.page_endpoint, adapter)
                 if (f.action, tuple(f.fields)) == (form.action, tuple(form.fields))), form)


def test_every_saving_form_keeps_changed_values(app, factory, session, world):
    models = _models()
    forms: dict[tuple, tuple[list, object]] = {}  # (endpoint, fields) -> (clients of the roles that see it, form)
    for role in (Role.DIRECTOR, Role.FINANCE, Role.COORDINATOR):
        client = client_as(app, factory, world, role)
        for form in walk(app, client, world.values):
            if form.endpoint not in NOT_POSTED and form.fields:
                # one of each form: the same fields posted to the same endpoint (for another row) add nothing
                key = (form.endpoint, tuple(sorted({field_key(name) for name in form.fields})))
                forms.setdefault(key, ([], form))[0].append(client)
    checked: set[str] = set()
    problems, refused = [], []
    for clients, form in forms.values():
        was_refused, found = _post_and_read_back(session, models, clients, form, checked, world.org)
        if was_refused:
            refused.append((clients, form))
        else:
            problems += found
    # A form may need what a later one makes (direct debit needs a mandate): refused ones go again.
    for clients, form in refused:
        problems += _post_and_read_back(session, models, clients, _again(app, clients[0], form), checked, world.org)[1]
    assert not problems, "\n".join(problems)
    assert len(checked) > 200, sorted(checked)
