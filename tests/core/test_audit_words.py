"""The audit log in the reader's words (issue 12, point 4): one entry of every audited model (every
column changed) rendered in French and English shows no column name, no raw enum value, no id where
a name exists, and the page's statement count does not grow with the entries shown."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import JSON, Boolean, Date, Enum, Integer, Numeric

from core.audit import IGNORED_FIELDS, SECRET_FIELDS, register_summary
from core.db import Base, UTCDateTime
from core.labels import HIDDEN_FIELDS, enum_label, field_label
from core.models import AuditEntry, Role
from tests.conftest import ALL_PLUGINS, QueryCounter, login, make_config

# words that are the same in French as the English column name
COGNATES = {"relation", "communication", "logo", "iban", "bic", "pdf", "total", "source", "urgent", "extra"}
MONDAY = {"fr": "lun.", "en": "Mon"}
FULL_DAY = {"fr": "journée", "en": "full day"}
AT = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)


@pytest.fixture
def app_config(database_url, tmp_path):
    return make_config(database_url, tmp_path, KOEPEL_PAGE_SIZE=200)


def audited_models():
    from core.migrate import import_all_models

    import_all_models()
    return sorted((m.class_ for m in Base.registry.mappers if getattr(m.class_, "__audited__", False)),
                  key=lambda c: c.__tablename__)


def _columns(model):
    return [c for c in model.__table__.columns if c.key != "id" and c.key not in IGNORED_FIELDS]


def _sample(model, column, refs):
    """A stored value as the audit log keeps it (JSON-able), for one column."""
    if column.key in SECRET_FIELDS:
        return "***"
    for fk in column.foreign_keys:
        return refs.get(fk.column.table.name, 999_999)
    own = getattr(model, "__audit_values__", {}).get(column.key)
    if isinstance(own, dict):
        return str(next(iter(own)))
    if isinstance(column.type, Enum):
        return column.type.enums[0]
    if column.key == "status" and callable(own):
        return "submitted" if model.__tablename__ == "wachtlijst_request" else "open"
    if isinstance(column.type, Boolean):
        return True
    if isinstance(column.type, UTCDateTime):
        return "2026-11-23T09:15:00+00:00"
    if isinstance(column.type, Date):
        return "2026-11-23"
    if isinstance(column.type, Integer):
        return 3
    if isinstance(column.type, Numeric):
        return "12.50"
    if isinstance(column.type, JSON):
        return [{"weekday": 0, "day_part": "full"}, {"weekday": 1, "day_part": "morning"}]
    return "tekst"


def _every_model_entries(org, refs):
    for model in audited_models():
        changes = {c.key: [None, _sample(model, c, refs)] for c in _columns(model)}
        yield AuditEntry(organisation_id=org.id, at=AT, action="update", entity=model.__tablename__, entity_id=1,
                         summary="", changes=changes)


def _changes(body: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", li)) for ul in re.findall(r'<ul class="changes">(.*?)</ul>', body, re.S)
            for li in re.findall(r"<li>(.*?)</li>", ul, re.S)]


def test_every_audited_column_has_a_label_and_every_enum_value_a_word(app):
    with app.test_request_context():
        for model in audited_models():
            for column in _columns(model):
                if column.key in HIDDEN_FIELDS:
                    continue
                label = field_label(column.key, model.__tablename__)
                assert label != "ander gegeven" and "_" not in label, (model.__name__, column.key)
                if isinstance(column.type, Enum):
                    unnamed = [v for v in column.type.enums if enum_label(column.key, v, model.__tablename__) is None]
                    assert unnamed == [], (model.__name__, column.key)
            for key in getattr(model, "__audit_values__", {}):
                assert field_label(key, model.__tablename__) != "ander gegeven", (model.__name__, key)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_one_entry_of_every_audited_model_in_the_readers_words(client, session, factory, lang):
    org = factory.org(modules=set(ALL_PLUGINS))
    location = factory.location(org, name="Het Vlindertje")
    family = factory.family(org, name="Gezin Peeters")
    child = factory.child(org, family=family, location=location, first_name="Fien")
    director = factory.user(org, Role.DIRECTOR)
    refs = {"organisation": org.id, "location": location.id, "family": family.id, "child": child.id,
            "user_account": director.id}
    session.add_all(list(_every_model_entries(org, refs)))
    session.add(AuditEntry(organisation_id=org.id, at=AT, action="view", entity="child", entity_id=child.id,
                           summary="Fien", changes={"opened": "dossier"}))
    session.add(AuditEntry(organisation_id=org.id, at=AT, action="create", entity="aanwezigheden_confirmation",
                           entity_id=7, summary=register_summary("pickup", child.id, "2026-11-23"),
                           changes={"child_id": [None, child.id]}))
    session.add(AuditEntry(organisation_id=org.id, at=AT, action="create", entity="aanwezigheden_confirmation",
                           entity_id=8, summary=f"bevestiging kind {child.id} 2026-11-24", changes=None))  # an old row
    session.add(AuditEntry(organisation_id=org.id, at=AT, action="update", entity="aanwezigheden_rejected_item",
                           entity_id=9, summary="absence {'child_id': 3}",
                           changes={"decision": [None, "accepted"], "reason": [None, "ok"]}))
    session.add(AuditEntry(organisation_id=org.id, at=AT, action="erase", entity="retention", entity_id=None,
                           summary="bewaartermijn 3 jaar: 2 kinderen, 1 gezinnen",
                           changes={"cutoff": "2020-01-01", "children": 2, "families": 1, "child_ids": "4, 5"}))
    session.add(AuditEntry(organisation_id=org.id, at=AT, action="update", entity="organisation_setting",
                           entity_id=10, summary="core.retention_years", changes={"value": [5, 7]}))
    session.commit()
    login(client, director)
    client.set_cookie("lang", lang)
    body = client.get(f"/o/{org.slug}/audit").get_data(as_text=True)

    columns = {c.key for m in audited_models() for c in _columns(m)}
    spoken = {key.replace("_", " ") for key in columns} - COGNATES
    lines = _changes(body)
    assert len(lines) > 300
    labels = {line.split(":")[0].strip() for line in lines}
    assert [label for label in labels if "_" in label or label in ("ander gegeven", "autre donnée", "other data")
            or (lang == "fr" and label.lower() in spoken)] == []
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    raw_values = ("submitted", "pickup", "closure", "weekly", "transfer", "respijt", "arrival", "staff", "klacht", "accepted", "full")
    if lang == "fr":  # in English some words are the stored value ("transfer")
        assert [line for line in lines if line.endswith(tuple(f"→ {raw}" for raw in raw_values))] == []
    for raw in ("UnboundField", "{'weekday'", "token hash", "opened: dossier", "bevestiging kind",
                "{'child_id'", "bewaartermijn", "core.retention_years",
                f"#{child.id} 2026"):
        assert raw not in text, raw
    assert f"→ {MONDAY[lang]} " in text and FULL_DAY[lang] in text  # the day slots in words
    assert "Fien Achternaam" in text and "Het Vlindertje" in text and "Gezin Peeters" in text
    assert [line for line in lines if line.endswith(f"→ {child.id}")] == []  # a name, not the id
    assert {"fr": "Ouvert: dossier", "en": "Opened: file"}[lang] in text
    assert {"fr": "Durée de conservation des données", "en": "Retention period for child"}[lang] in text
    assert "Pleegkind" not in text and {"fr": "Enfant placé", "en": "Foster child"}[lang] in text


def test_the_audit_page_statement_count_does_not_grow_with_the_entries(app, engine, session, factory):
    def world(n):
        org = factory.org(modules=set(ALL_PLUGINS))
        director = factory.user(org, Role.DIRECTOR)
        for i in range(n):
            location = factory.location(org)
            child = factory.child(org, location=location, first_name=f"Kind{i}")
            session.add(AuditEntry(organisation_id=org.id, at=AT, action="create", entity="aanwezigheden_confirmation",
                                   entity_id=i, summary=register_summary("week", child.id, "2026-11-23"),
                                   changes={"child_id": [None, child.id], "location_id": [None, location.id],
                                            "device_id": [None, None], "kind": [None, "week"]}))
            session.add(AuditEntry(organisation_id=org.id, at=AT, action="update", entity="planning_care_plan",
                                   entity_id=i, summary="", changes={"family_id": [None, child.family_links[0].family_id],
                                                                     "created_by_id": [None, director.id]}))
        session.commit()
        return org, director

    counts = []
    for n in (2, 12):
        org, director = world(n)
        client = app.test_client()
        login(client, director)
        client.get(f"/o/{org.slug}/audit")
        with QueryCounter(engine) as counter:
            body = client.get(f"/o/{org.slug}/audit").get_data(as_text=True)
        assert f"Kind{n - 1} " in body
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
