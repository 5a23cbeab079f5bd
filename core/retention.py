"""Retention (decreet art. 24, domain rules §3.2): child and family data, including the use of
the location, are kept for ``core.retention_years`` years (per organisation, default 5) after
the last involvement, and then erased.

The rule, per organisation, with ``cutoff`` = today minus ``core.retention_years`` years:

* A **child** is erased when its file has not changed since the cutoff (``child.updated_at``),
  it was born (or expected) before the cutoff (no use of a location can have ended before the
  child existed), and no installed module holds it; in an organisation that uses no module
  recording care periods (``PluginInfo.records_care``: planning, aanwezigheden), the child must
  also no longer be linked to a location, because nothing else says it left through ``retention_holds`` (planning holds a
  child whose care plan ended after the cutoff, attendance one with attendance after it, ...).
* A **family** is erased when it has no children left after that, neither the family nor any
  of its contact persons changed since the cutoff, and no installed module holds it.

Both hooks go to every installed module, also one the organisation has switched off: its rows
still exist (switching a module off keeps its data), and a care plan must hold a child whatever
the menu shows.

Erasing is a hard delete in one transaction: the modules first clean their own rows
(``before_retention_erase``), then core scrubs the names and values from the audit entries of
the erased rows, deletes children and families (foreign keys cascade to links, contact persons
and module rows) and writes one audit entry with counts and ids, never personal data. The dry
run computes the same list and writes nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, exists, func, insert, null, select, update
from sqlalchemy.orm import Session

from core.clock import BRUSSELS, clock
from core.context import TenantContext, build_context
from core.db import chunks
from core.jobs import Job, enqueue, report_progress
from core.models import AuditEntry, Child, ChildFamily, ContactPerson, Family, Organisation

log = logging.getLogger(__name__)

JOB_KIND = "core.retention"

# Decree art. 24 (domain rules §3.2): the shortest period the law allows; settings may lengthen it.
LEGAL_MINIMUM_YEARS = {"child_family": 5, "complaint_crisis": 10}


class RetentionError(ValueError):
    """The organisation's retention setting cannot be applied."""


@dataclass
class RetentionPlan:
    """What a run erases (or would erase) in one organisation."""

    organisation_id: int
    retention_years: int
    cutoff: date
    child_ids: list[int] = field(default_factory=list)
    family_ids: list[int] = field(default_factory=list)
    held_children: dict[str, int] = field(default_factory=dict)  # module -> number of children it holds
    held_families: dict[str, int] = field(default_factory=dict)
    # complaints and crisis situations past their own (10-year) period, see core/incidents.py
    incident_ids: list[int] = field(default_factory=list)
    incident_cutoff: date | None = None

    @property
    def empty(self) -> bool:
        return not self.child_ids and not self.family_ids and not self.incident_ids


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def retention_years(ctx: TenantContext) -> int:
    raw = ctx.setting("core.retention_years")
    try:
        years = int(raw)
    except (TypeError, ValueError):
        raise RetentionError(f"core.retention_years is geen getal: {raw!r}") from None
    floor = LEGAL_MINIMUM_YEARS["child_family"]
    if years < floor:  # a row stored before the floor was enforced: erase nothing, report it
        raise RetentionError(f"core.retention_years moet minstens {floor} zijn (decreet art. 24), niet {years}")
    return years


def _records_care(session: Session, org: Organisation) -> bool:
    """Whether a module the organisation uses records when its children are in care."""
    from core.tenancy import enabled_modules, plugin_manager

    infos = plugin_manager().infos
    return any(infos[name].records_care for name in enabled_modules(session, org) if name in infos)


def _candidate_children(session: Session, org: Organisation, cutoff: date) -> list[int]:
    cutoff_at = datetime.combine(cutoff, time.min, tzinfo=BRUSSELS)
    born = func.coalesce(Child.date_of_birth, Child.expected_birth_date)
    stmt = select(Child.id).where(
        Child.organisation_id == org.id, Child.updated_at < cutoff_at, born < cutoff
    ).order_by(Child.id)
    if not _records_care(session, org):
        # nothing tells when these children were last in care (out-of-school care keeps them to
        # age 12): only a child no longer linked to a location may go
        stmt = stmt.where(Child.location_id.is_(None))
    return list(session.scalars(stmt))


def _candidate_families(session: Session, org: Organisation, cutoff: date, erased_children: set[int]) -> list[int]:
    """Families that keep no child once ``erased_children`` are gone and did not change since."""
    cutoff_at = datetime.combine(cutoff, time.min, tzinfo=BRUSSELS)
    recent_contact = exists().where(ContactPerson.family_id == Family.id, ContactPerson.updated_at >= cutoff_at)
    stmt = select(Family.id, ChildFamily.child_id).outerjoin(ChildFamily, ChildFamily.family_id == Family.id).where(
        Family.organisation_id == org.id, Family.updated_at < cutoff_at, ~recent_contact
    )
    remaining: dict[int, bool] = {}
    for family_id, child_id in session.execute(stmt):
        keeps = child_id is not None and child_id not in erased_children
        remaining[family_id] = remaining.get(family_id, False) or keeps
    return sorted(fid for fid, keeps in remaining.items() if not keeps)


def plan(ctx: TenantContext, today: date | None = None) -> RetentionPlan:
    """Who is past the retention period in the context's organisation (reads only); ``today``
    defaults to the context's."""
    from core.incidents import complaint_retention_years, expired_incidents
    from core.tenancy import plugin_manager

    session, org = ctx.session, ctx.org
    years = retention_years(ctx)
    cutoff = years_before(today or ctx.today(), years)
    result = RetentionPlan(org.id, years, cutoff)
    result.incident_cutoff = years_before(today or ctx.today(), complaint_retention_years(session, org))
    result.incident_ids = expired_incidents(session, org, result.incident_cutoff)
    children = _candidate_children(session, org, cutoff)
    families = _candidate_families(session, org, cutoff, set(children))
    if not children and not families:
        return result
    held_c: set[int] = set()
    held_f: set[int] = set()
    answers = plugin_manager().hook.retention_holds(
        session=session, org=org, child_ids=tuple(children), family_ids=tuple(families), cutoff=cutoff
    )
    for chunk in answers:
        for hold in chunk or []:
            child_hits = set(hold.child_ids) & set(children)
            family_hits = set(hold.family_ids) & set(families)
            if child_hits:
                result.held_children[hold.module] = result.held_children.get(hold.module, 0) + len(child_hits)
            if family_hits:
                result.held_families[hold.module] = result.held_families.get(hold.module, 0) + len(family_hits)
            held_c |= child_hits
            held_f |= family_hits
    result.child_ids = [cid for cid in children if cid not in held_c]
    if held_c:  # a held child keeps its families
        families = _candidate_families(session, org, cutoff, set(result.child_ids))
    result.family_ids = [fid for fid in families if fid not in held_f]
    return result


def scrub_audit(session: Session, org: Organisation, entity: str, ids: Iterable[int]) -> None:
    """Blank the summary and the old/new values of ``org``'s audit entries about rows ``ids`` of
    table ``entity``: the entries stay (who did what when), the personal data goes. For modules'
    ``before_retention_erase`` too."""
    audit = AuditEntry.__table__
    for part in chunks(ids):
        session.execute(update(audit).where(
            audit.c.organisation_id == org.id, audit.c.entity == entity, audit.c.entity_id.in_(part)
        ).values(summary="", changes=null()))


def erase(ctx: TenantContext, planned: RetentionPlan) -> None:
    """Carry out ``planned`` in the caller's transaction (see the module docstring)."""
    from core.audit import current_actor_id
    from core.tenancy import plugin_manager

    session, org = ctx.session, ctx.org
    if planned.organisation_id != org.id:
        raise ValueError("plan belongs to another organisation")
    if planned.empty:
        return
    _erase_incidents(session, org, planned.incident_ids)
    if not planned.child_ids and not planned.family_ids:
        return
    children, families = tuple(planned.child_ids), tuple(planned.family_ids)
    plugin_manager().hook.before_retention_erase(session=session, org=org, child_ids=children,
                                                     family_ids=families)
    session.flush()
    contacts: list[int] = []
    for ids in chunks(families):
        contacts += session.scalars(select(ContactPerson.id).where(
            ContactPerson.organisation_id == org.id, ContactPerson.family_id.in_(ids))).all()
    audit = AuditEntry.__table__
    for entity, ids in (("child", children), ("family", families), ("contact_person", contacts)):
        scrub_audit(session, org, entity, ids)
    # Core statements, not ORM deletes: the ORM audit listener would copy names into the log.
    for part in chunks(children):
        session.execute(delete(Child.__table__).where(Child.organisation_id == org.id, Child.id.in_(part)))
    for part in chunks(families):
        session.execute(delete(Family.__table__).where(Family.organisation_id == org.id, Family.id.in_(part)))
    session.execute(insert(audit).values(
        organisation_id=org.id, user_id=current_actor_id(), at=ctx.now(), action="erase", entity="retention",
        entity_id=None,
        summary=f"bewaartermijn {planned.retention_years} jaar: {len(children)} kinderen, {len(families)} gezinnen",
        changes={
            "cutoff": planned.cutoff.isoformat(),
            "children": len(children), "families": len(families), "contact_persons": len(contacts),
            "child_ids": ", ".join(map(str, children)), "family_ids": ", ".join(map(str, families)),
        },
    ))
    _forget_erased(session, set(children), set(families), set(contacts))


def _erase_incidents(session: Session, org: Organisation, ids: list[int]) -> None:
    """Delete register entries past their period, their audit entries scrubbed first."""
    from core.audit import current_actor_id
    from core.models import IncidentEntry

    if not ids:
        return
    scrub_audit(session, org, IncidentEntry.__tablename__, ids)
    for part in chunks(ids):
        session.execute(delete(IncidentEntry.__table__).where(IncidentEntry.organisation_id == org.id,
                                                              IncidentEntry.id.in_(part)))
    session.execute(insert(AuditEntry.__table__).values(
        organisation_id=org.id, user_id=current_actor_id(), at=clock.now(), action="erase", entity="retention",
        entity_id=None, summary=f"klachten en crisissituaties: {len(ids)} gewist",
        changes={"incidents": len(ids), "incident_ids": ", ".join(map(str, ids))}))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, IncidentEntry) and obj.id in ids and obj in session:
            session.expunge(obj)


def _forget_erased(session: Session, children: set[int], families: set[int], contacts: set[int]) -> None:
    """Drop the deleted rows' objects from the session, so nothing flushes them again."""
    for obj in list(session.identity_map.values()):
        if (isinstance(obj, Child) and obj.id in children) or (isinstance(obj, Family) and obj.id in families) or (
                isinstance(obj, ContactPerson) and obj.id in contacts) or (
                isinstance(obj, ChildFamily) and (obj.child_id in children or obj.family_id in families)):
            if obj in session:  # expunging a family already took its contacts and links along
                session.expunge(obj)


def run_all(session: Session, *, dry_run: bool = False, slug: str | None = None,
            today: date | None = None, progress=None) -> list[tuple[Organisation, RetentionPlan | RetentionError]]:
    """Plan (and unless ``dry_run``, erase) for every organisation, or the one named ``slug``.
    An organisation whose setting is unusable, or whose run a module aborts, is reported and
    rolled back to its savepoint; the other organisations go ahead. Each organisation is handled
    in its own TenantContext (its settings; the app's clock unless ``today`` is given), built the
    same way for the job and the command. ``progress(done, total, message)`` is told after each
    organisation (the job's progress)."""
    stmt = select(Organisation).order_by(Organisation.id)
    if slug is not None:
        stmt = stmt.where(Organisation.slug == slug)
    results: list[tuple[Organisation, RetentionPlan | RetentionError]] = []
    orgs = session.scalars(stmt).all()
    for number, org in enumerate(orgs):
        if progress is not None:
            progress(number, len(orgs), org.slug)
        try:
            with session.begin_nested():  # one organisation's failure leaves the others' runs intact
                ctx = build_context(session, org)
                planned = plan(ctx, today)
                if not dry_run:
                    erase(ctx, planned)
        except RetentionError as exc:
            results.append((org, exc))
            continue
        except Exception as exc:  # noqa: BLE001 - e.g. a module's before_retention_erase refused
            log.warning("retention aborted for organisation %s: %r", org.id, exc)
            results.append((org, RetentionError(f"afgebroken, niets gewist: {type(exc).__name__}: {exc}")))
            continue
        results.append((org, planned))
    if progress is not None and orgs:
        progress(len(orgs), len(orgs), "")
    return results


# --- the scheduled job ------------------------------------------------------------------------


def schedule(session: Session) -> Job:
    """Tomorrow's run at 03:30 Brussels time (one waiting at a time: coalesced by its key; never two
    runs at once: its lock key)."""
    tomorrow = clock.today() + timedelta(days=1)
    return enqueue(session, JOB_KIND, {}, key=JOB_KIND, lock_key=JOB_KIND,
                   run_at=datetime.combine(tomorrow, time(3, 30), tzinfo=BRUSSELS))


def retention_job(session: Session, job: Job) -> None:
    def progress(done: int, total: int, slug: str) -> None:
        report_progress(job, done, total, slug)

    for org, outcome in run_all(session, progress=progress):
        if isinstance(outcome, RetentionError):
            log.warning("retention skipped for organisation %s: %s", org.id, outcome)
        elif not outcome.empty:
            log.info("retention erased %d children, %d families in organisation %s",
                     len(outcome.child_ids), len(outcome.family_ids), org.id)
    from core.documents import purge_expired

    purged = purge_expired(session)
    if purged:
        log.info("retention deleted %d documents past their delete-after date", purged)
    schedule(session)


# --- CLI ----------------------------------------------------------------------------------------


@click.group("retention")
def retention_cli():
    """Retention of child and family data (core.retention_years)."""


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased; write nothing.")
@click.option("--org", "slug", default=None, help="Only this organisation (slug).")
@with_appcontext
def retention_run(dry_run, slug):
    """Erase children and families past the retention period of their organisation."""
    import sys

    from core.db import get_db

    db = get_db()
    failed = False
    with db.unit_of_work() as session:
        results = run_all(session, dry_run=dry_run, slug=slug)
        if slug is not None and not results:
            click.echo(f"fout: onbekende organisatie: {slug}", err=True)
            session.rollback()
            sys.exit(2)
        for org, outcome in results:
            if isinstance(outcome, RetentionError):
                click.echo(f"fout: {org.slug}: {outcome}", err=True)
                failed = True
                continue
            verb = "te wissen" if dry_run else "gewist"
            click.echo(f"{org.slug}: {verb}: {len(outcome.child_ids)} kinderen, {len(outcome.family_ids)} gezinnen "
                       f"(laatste betrokkenheid vóór {outcome.cutoff.isoformat()})")
            if outcome.incident_ids:
                click.echo(f"  {verb}: {len(outcome.incident_ids)} klachten en crisissituaties "
                           f"(laatste activiteit vóór {outcome.incident_cutoff.isoformat()})")
            for module, count in sorted(outcome.held_children.items()):
                click.echo(f"  {count} kinderen bewaard door {module}")
            for module, count in sorted(outcome.held_families.items()):
                click.echo(f"  {count} gezinnen bewaard door {module}")
            if outcome.child_ids:
                click.echo("  kinderen: " + ", ".join(f"#{cid}" for cid in outcome.child_ids))
            if outcome.family_ids:
                click.echo("  gezinnen: " + ", ".join(f"#{fid}" for fid in outcome.family_ids))
        if dry_run:
            session.rollback()
    if failed:
        sys.exit(1)


@retention_cli.command("schedule")
@with_appcontext
def retention_schedule():
    """Queue the daily retention job (it re-queues itself every day)."""
    from core.db import get_db

    with get_db().unit_of_work() as session:
        job = schedule(session)
    click.echo(f"gepland op {job.run_at.astimezone(BRUSSELS):%Y-%m-%d %H:%M}")

