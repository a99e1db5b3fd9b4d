"""The group generator (bench/generator/) writes, in bulk, exactly the rows the services write.

One small group, a plan of casework from a fixed seed, and a fixed clock. The generator writes the plan's
rows (and its audit chain must verify); then those rows are rolled back and the same events are replayed
through the services (concern_submit, read_concern, concern_mark_read, read_chronology, triage_record, referral_record,
meeting_record, safety_plan_create, action_complete),
each at its own moment. The two sets of rows are compared table by table, column by column.

Ignored, and why:
- ids: the database gives the services theirs (PostgreSQL does not roll its sequences back), so every id,
  and every column that names a row the casework wrote (concern_id, object_id, met_by_id, ...), is compared
  as that row's place in its table instead;
- the order of chronology entries (no row names one; see _snapshot);
- the audit rows' prev_hash and row_hash: they seal those ids, so they differ when the ids do; each side's
  chain is verified instead;
- encrypted columns are compared decrypted (each encryption has its own random nonce), and the generator's
  are checked to be stored encrypted;
- what the services send by email (task rows, mailboxes, held notices): the generator writes no emails for
  five years of casework that was emailed long ago.
"""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from bench.generator import casework
from bench.generator.base import build_group
from bench.generator.casework import (
    COMPLETION_NOTE,
    LAWFUL_BASIS,
    MEETING_ATTENDEES,
    MEETING_DECISIONS,
    MEETING_SHARE_FIELDS,
    PLAN_REVIEW_AFTER,
    PLAN_SECTIONS,
    events,
    generate_casework,
    plan_casework,
)
from safekeep.actions.models import Action
from safekeep.actions.services import action_complete
from safekeep.audit.models import AuditEvent
from safekeep.audit.selectors import verify_chain
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns.models import Concern, ConcernChild, PeerLink, Triage
from safekeep.chronology.selectors import read_chronology
from safekeep.concerns.selectors import read_concern
from safekeep.core.clock import LONDON
from safekeep.concerns.services import concern_mark_read, concern_submit, triage_record
from safekeep.meetings.models import Attendee, Meeting
from safekeep.meetings.services import meeting_record
from safekeep.referrals.models import NrmTracker, Referral
from safekeep.safetyplans.models import SafetyPlan, SafetyPlanVersion
from safekeep.safetyplans.services import safety_plan_create
from safekeep.referrals.services import referral_record
from safekeep.sharing.models import InformationShare

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # a Friday afternoon
SEED = 5
CONCERNS = 12
TABLES = (Concern, ConcernChild, Triage, Action, Referral, Meeting, Meeting.children.through, Attendee,
          SafetyPlan, SafetyPlanVersion, InformationShare, InformationShare.children.through, ChronologyEntry, AuditEvent,
          PeerLink)
CHAIN = {"prev_hash", "row_hash"}
# Columns naming a row of a casework table, by the table they name.
POINTS_AT = {"concern_id": Concern, "involved_id": ConcernChild, "chase_action_id": Action,
             "informationshare_id": InformationShare, "meeting_id": Meeting, "plan_id": SafetyPlan,
             "review_action_id": Action}
BY_TYPE = {"concern": Concern, "action": Action, "triage": Triage, "referral": Referral,
           "informationshare": InformationShare, "meeting": Meeting, "safetyplan": SafetyPlan}
SOURCES = {"referral": Referral, "meeting": Meeting}
MET_BY = {"concern.sent": Concern, "triage": Triage, "safety_plan": SafetyPlan}


def _rows(model) -> list[dict]:
    fields = model._meta.concrete_fields
    return [{f.attname: getattr(row, f.attname) for f in fields} for row in model.objects.order_by("pk")]


def _snapshot() -> dict:
    """Every casework row, with each id replaced by its row's place in its own table."""
    tables = {model: _rows(model) for model in TABLES}
    place = {model: {row["id"]: n for n, row in enumerate(rows)} for model, rows in tables.items()}

    def at(model, pk):
        return None if pk in (None, "") else ("row", model._meta.model_name, place[model].get(int(pk), f"?{pk}"))

    for model, rows in tables.items():
        for row in rows:
            row["id"] = at(model, row["id"])
            for column, target in POINTS_AT.items():
                if column in row:
                    row[column] = at(target, row[column])
            if model is Action and row["met_by_id"] is not None:
                row["met_by_id"] = at(MET_BY.get(row["met_by_kind"], Referral), row["met_by_id"])
            if model is InformationShare:
                row["source_id"] = at(SOURCES[row["source_kind"]], row["source_id"])
            if model in (ChronologyEntry, AuditEvent) and row["object_type"] in BY_TYPE:
                row["object_id"] = at(BY_TYPE[row["object_type"]], row["object_id"])
            if model is AuditEvent:
                for key, target in (("record", MET_BY.get(row["detail"].get("met_by"), Referral)),
                                    ("source_id", SOURCES.get(row["detail"].get("source_kind"))),
                                    ("share", InformationShare), ("concern", Concern)):
                    if key in row["detail"]:
                        row["detail"][key] = at(target, row["detail"][key])
                for column in CHAIN:
                    row.pop(column)
    # No row names a chronology entry, and the services write a concern's entries child by child in the order
    # the database returns its children (PostgreSQL: by the (concern, child) index): compared in any order.
    chronology = tables[ChronologyEntry]
    for row in chronology:
        row["id"] = None
    chronology.sort(key=lambda row: repr(sorted(row.items())))
    return {model._meta.db_table: rows for model, rows in tables.items()}


def differences(generated: dict, replayed: dict) -> list[str]:
    found = []
    for table, rows in replayed.items():
        if len(generated[table]) != len(rows):
            found.append(f"{table}: the generator wrote {len(generated[table])} rows, the services {len(rows)}")
            continue
        for n, (ours, theirs) in enumerate(zip(generated[table], rows, strict=True)):
            found += [f"{table}.{column} row {n}: generator {ours[column]!r}, services {theirs[column]!r}"
                      for column in theirs if ours[column] != theirs[column]]
    return found


def _replay(group, plans, time_machine) -> None:
    """The same events, through the services, each at its moment."""
    for at, kind, plan, extra in events(plans):  # extra: the triage, or who opens the concern
        time_machine.move_to(at, tick=False)
        concern = Concern.objects.filter(idempotency_key=plan.idempotency_key).first()
        if kind == "view_concern":
            read_concern(extra, concern.pk)
        elif kind == "view_chronology":
            read_chronology(plan.dsl, concern.children_involved.order_by("pk")[extra.index].child_id)
        elif kind == "submit":
            concern_submit(actor=plan.recorder, establishment=plan.establishment, occurred_at=plan.occurred_at,
                           children=[{"child": child, "role": role, "categories": codes}
                                     for child, role, codes in plan.children],
                           narrative=plan.narrative, childs_words=plan.childs_words, disclosure=plan.disclosure,
                           immediate_risk=plan.immediate_risk, place=plan.place,
                           idempotency_key=plan.idempotency_key)
        elif kind == "read":
            concern_mark_read(actor=plan.dsl, concern=concern)
        elif kind == "triage":
            involved = concern.children_involved.order_by("pk")[extra.index]
            triage_record(actor=plan.dsl, involved=involved, risk=extra.risk, rationale=extra.rationale,
                          categories=involved.categories, outcome=extra.outcome)
        elif kind == "referral":
            referral_record(actor=plan.dsl, establishment=plan.establishment,
                            child=concern.children_involved.order_by("pk")[0].child, concern=concern,
                            agency=plan.referral.agency, made_at=at, how=plan.referral.how,
                            what_shared="The concern and the triage", consent="given",
                            lawful_basis=LAWFUL_BASIS, secure_handling_agreed=True)
        elif kind == "meeting":
            meeting_record(actor=plan.dsl, establishment=plan.establishment, kind="strategy", held_at=at,
                           children=[concern.children_involved.order_by("pk")[0].child], concern=concern,
                           attendees=[{"name": name, "role": role, "agency": agency}
                                      for name, role, agency in MEETING_ATTENDEES],
                           decisions=MEETING_DECISIONS,
                           share=MEETING_SHARE_FIELDS | {"lawful_basis": LAWFUL_BASIS, "consent": "given",
                                                         "secure_handling_agreed": True})
        elif kind == "safety_plan":
            child = concern.children_involved.order_by("pk")[0].child
            if not SafetyPlan.objects.filter(establishment=plan.establishment, child=child, role="harmed",
                                             status="open").exists():
                agreed_on = at.astimezone(LONDON).date()
                safety_plan_create(actor=plan.dsl, establishment=plan.establishment, child=child, role="harmed",
                                   concern=concern, values=PLAN_SECTIONS | {
                                       "agreed_with_child": True, "agreed_on": agreed_on,
                                       "review_due": agreed_on + PLAN_REVIEW_AFTER})
        else:
            for action in Action.objects.filter(concern_id=concern.pk, status="open").order_by("pk"):
                action_complete(actor=group.dsl_at[action.establishment_id], action=action, note=COMPLETION_NOTE)


def _generated_then_rolled_back(group, plans_seed=SEED):
    with transaction.atomic():
        generate_casework(group, concerns=CONCERNS, years=1, seed=plans_seed, now=NOW, flush_every=5)
        chain_problem = verify_chain()
        generated = _snapshot()
        raw = _stored_encrypted()
        transaction.set_rollback(True)
    return generated, chain_problem, raw


def _stored_encrypted() -> list:
    """The narratives as stored: never the words themselves."""
    column = Concern._meta.get_field("narrative").column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {Concern._meta.db_table}")  # noqa: S608 (names from the model)
        return [value for (value,) in cursor.fetchall()]


@pytest.fixture
def group(time_machine):
    time_machine.move_to(NOW, tick=False)
    return build_group(establishments=4, children=24, seed=SEED, name="Parity Group")


def test_the_generator_writes_the_rows_the_services_write(group, smtp_server, time_machine):
    plans = plan_casework(group, concerns=CONCERNS, years=1, seed=SEED, now=NOW)
    generated, chain_problem, stored = _generated_then_rolled_back(group)
    assert chain_problem is None
    assert stored and not any(plan.narrative in str(value) for plan in plans for value in stored)
    assert Concern.objects.count() == 0  # rolled back: the services start from the same place
    _replay(group, plans, time_machine)
    assert verify_chain() is None
    replayed = _snapshot()

    assert differences(generated, replayed) == []
    # The plan reaches every path the generator writes: several children, an integrated pair's note on the
    # linked file and its steps there, referrals and their shares, steps met, done by hand and still open.
    kinds = {row["kind"] for row in replayed["chronology_chronologyentry"]}
    assert {"concern.recorded", "concern.read", "concern.triaged", "concern.linked_note", "action.required",
            "action.completed", "referral.made", "share.recorded", "meeting.recorded", "plan.created", "action.added"} <= kinds
    assert {"concern.create", "concern.alert", "concern.view", "concern.read", "concern.triage",
            "child.chronology.view", "action.create", "action.complete", "referral.create",
            "sharing.record", "meeting.create", "plan.create"} == {row["action"] for row in replayed["audit_auditevent"]} - {"policy.adopt"}
    assert any(len(plan.children) > 1 for plan in plans)
    assert replayed["concerns_peerlink"]  # children named together: the peer graph's edges
    actions = replayed["actions_action"]
    assert {"open", "done"} <= {row["status"] for row in actions}
    assert {"concern.sent", "triage", ""} <= {row["met_by_kind"] for row in actions}
    assert any(row["met_by_kind"].startswith("referral.") for row in actions)
    assert len({row["establishment_id"] for row in actions}) > 1
    assert NrmTracker.objects.count() == 0  # the generator leaves out the NRM route (no trafficking concerns)


def test_a_column_written_differently_is_named(group, smtp_server, time_machine, monkeypatch):
    plans = plan_casework(group, concerns=CONCERNS, years=1, seed=SEED, now=NOW)
    monkeypatch.setattr(casework, "COMPLETION_NOTE", "Done.")  # the generator's words, not the service's
    generated, _, _ = _generated_then_rolled_back(group)
    monkeypatch.undo()
    _replay(group, plans, time_machine)

    found = differences(generated, _snapshot())
    assert any(line.startswith("actions_action.completion_note row") and "'Done.'" in line for line in found)
    assert any(line.startswith("chronology_chronologyentry.summary row") for line in found)
