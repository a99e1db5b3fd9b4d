"""Five years of casework, planned from a seed and written in bulk with the rows the services would write.

`plan_casework` decides what happens (who records which concern about which children, when the DSL reads and
triages it, which ones are referred, when the remaining steps are done); `events` puts that in the order it
happened; `CaseworkWriter` writes, for each event, the rows of the service named beside it:

  submit           concern_submit     the concern, each child's part, chronology, the steps the packs require
                                      (the real policy engine), steps met by sending it, notes on linked
                                      files and the steps there, the pairs of children it names together
                                      (written once, at the end), audit (and the alert's audit row)
  view_concern     read_concern       the audit row of opening the concern (recorder or DSL)
  read             concern_mark_read  read_by_dsl_at, chronology per child, audit
  view_chronology  read_chronology    the audit rows of opening the child's chronology
  triage           triage_record      the decision, steps it meets, chronology, audit; the last child decides the concern
  referral         referral_record    the referral, its chase, the share in the register, steps met and set
  meeting          meeting_record     a strategy discussion, its attendees and its share in the register
  safety_plan      safety_plan_create the harmed child's plan, its review action, steps it meets
  close            action_complete    each step still open, done by its establishment's DSL

Rows are built as model instances and saved once a concern's last event has passed (its actions change until
then): on PostgreSQL with COPY, each value prepared by its own field (so encrypted fields are encrypted by the
field itself, per row, as a save would); elsewhere (SQLite, for the parity test) with bulk_create. Ids are given here,
so a row can name another before either is saved, and the audit chain is sealed here exactly as
safekeep/audit/services.py seals it: seq in id order, each row_hash over the row before.

Not written: the emails of five years ago (task rows, mailboxes, held notices) - they were sent long since;
reminders and escalations of steps (the scheduler's work); plan reviews and revisions, addenda, allegations about adults and
the NRM route (their categories are left out of the plan). tests/integration/test_generator_parity.py
replays the same events through the services and compares the rows.
"""

import heapq
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day

from django.core.management.color import no_style
from django.db import connection, models, transaction
from encrypted_fields.fields import EncryptedFieldMixin

from bench.generator.base import busyness
from safekeep.actions.ladders import ladders_for
from safekeep.actions.models import Action
from safekeep.actions.services import step_action, step_schedule, steps_plan
from safekeep.audit.chain import GENESIS, seal
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import require_permission, role_for
from safekeep.authz.roles import Permission, Role
from safekeep.chronology.forms import ChronologyFilterForm
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns.models import Concern, ConcernChild, PeerLink, Triage
from safekeep.concerns.notifications import ALERT_QUEUED, alert_recipients
from safekeep.concerns.peers import pairs_in
from safekeep.core.clock import LONDON
from safekeep.establishments.selectors import terms_for
from safekeep.packs.selectors import packs_for
from safekeep.policy import deadlines
from safekeep.policy.deadlines import Deadline
from safekeep.policy.engine import ConcernFacts
from safekeep.policy.packs import same_steps, steps_met_by
from safekeep.referrals.models import CHASE_STEP, Agency, Consent, Referral
from safekeep.referrals.services import CONSENT_STEP, REFERRAL
from safekeep.meetings.models import Attendee, Meeting
from safekeep.safetyplans.models import SafetyPlan, SafetyPlanVersion
from safekeep.safetyplans.services import SECTIONS
from safekeep.sharing.models import InformationShare

# Categories weighted roughly as a group's concerns fall (neglect and emotional harm most often). Categories
# the packs follow through the NRM (trafficking, modern slavery) and allegations about adults take routes
# this generator does not write yet, so they are left out.
ONE_CHILD = (("neglect", 18), ("emotional_abuse", 12), ("mental_health", 10), ("self_harm", 7),
             ("physical_abuse", 7), ("domestic_abuse", 7), ("online_safety", 6), ("attendance", 6),
             ("cce", 4), ("cse", 3), ("county_lines", 3), ("online_grooming", 3), ("serious_violence", 2),
             ("missing_education", 2), ("sexual_abuse", 2), ("radicalisation", 1))
CHILD_ON_CHILD = (("coc_bullying", 8), ("coc_physical_abuse", 5), ("coc_sexual_harassment", 4),
                  ("coc_nudes_semi_nudes", 2), ("coc_abuse_in_relationships", 1))
NARRATIVES = ("Came in hungry again and said there was no food at home over the weekend.",
              "Was tearful in the lesson and said things at home are bad at the moment.",
              "A bruise on the upper arm; said a friend grabbed them.",
              "Said an older boy gives them money to carry bags to other towns.",
              "Others said messages about them are being passed round a group chat.")
WORDS = ("He said I'm not allowed to tell.", "I don't want to go home tonight.", "")
RISKS = (("low", 5), ("medium", 4), ("high", 1))
OUTCOMES = (("monitor", 5), ("early_help", 2), ("childrens_services", 2), ("nfa", 1))
REFERRED_SHARE = 0.35  # shares per concern in the measured group: 353,312 for 997,449 concerns
MEETING_SHARE = 0.5  # referrals to children's services followed by a strategy discussion recorded here
STILL_OPEN_SHARE = 0.03  # concerns whose remaining steps nobody has closed (overdue now)
# A DSL decides most concerns within hours, but in a real group some wait: read and not yet decided, most of
# them from the last fortnight (what the home pages' "open concerns" counts).
WAITING_SHARE = 0.25
WAITING_WITHIN = timedelta(days=14)
LAWFUL_BASIS = "public-task-safeguarding"
COMPLETION_NOTE = "Done and recorded on the child's file."
MEETING_DECISIONS = "Section 47 enquiry to start; the school keeps a daily check-in."
MEETING_ATTENDEES = (("Sam Patel", "Social worker", "Children's services"), ("PC Jo Reid", "Officer", "Police"))
MEETING_SHARE_FIELDS = {"recipient": "Sam Patel", "recipient_organisation": "Children's services",
                        "what": "Concern record and chronology", "purpose": "Strategy discussion"}
PLAN_SECTIONS = {"situations_to_avoid": "The back field at lunchtime", "check_ins_who": "Form tutor",
                 "check_ins_how_often": "Daily", "reporting": "Tell the form tutor or any member of staff"}
PLAN_REVIEW_AFTER = timedelta(days=42)
NO_FILTERS = ChronologyFilterForm(None, categories=[]).filters().names()  # the chronology as first opened


def _weighted(rng, pairs):
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


@dataclass
class Triaged:
    index: int  # which child of the concern
    at: datetime
    risk: str
    outcome: str
    rationale: str


@dataclass
class Referred:
    at: datetime  # when it was made and recorded
    agency: str
    how: str


@dataclass
class ConcernPlan:
    n: int
    establishment: object
    recorder: object
    dsl: object
    children: list  # [(child, role, [category codes])]
    occurred_at: datetime
    recorded_at: datetime
    narrative: str
    childs_words: str
    disclosure: bool
    immediate_risk: bool
    place: object
    idempotency_key: str
    receipt_at: datetime | None = None  # the recorder opens what they sent (the receipt's link)
    read_at: datetime | None = None
    triages: list = field(default_factory=list)
    referral: Referred | None = None
    meeting_at: datetime | None = None  # a strategy discussion after a referral to children's services
    plan_at: datetime | None = None  # a safety plan for the child harmed by another child (CoC 11.1)
    closed_at: datetime | None = None


def _school_day_moment(rng, day) -> datetime:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    moment = datetime.combine(day, time_of_day(8, 30), tzinfo=LONDON) + timedelta(minutes=rng.randrange(8 * 60))
    # In UTC, as the clock gives it: the audit chain seals the time as written (DjangoJSONEncoder keeps the offset).
    return moment.replace(microsecond=rng.randrange(1_000_000)).astimezone(UTC)


def plan_casework(group, *, concerns: int, years: int, seed: int, now: datetime) -> list[ConcernPlan]:
    """What happens in the group over `years` up to `now`, the same for the same seed."""
    rng = random.Random(seed)
    first = (now - timedelta(days=365 * years)).astimezone(LONDON).date()
    span = max(1, (now.astimezone(LONDON).date() - first).days)
    plans = []
    weights = busyness(group.establishments)
    for n in range(concerns):
        establishment = rng.choices(group.establishments, weights=weights)[0]
        children_here = group.children_at[establishment.pk]
        occurred = _school_day_moment(rng, first + timedelta(days=rng.randrange(span)))
        recorded = occurred + timedelta(minutes=rng.randrange(5, 90), microseconds=rng.randrange(1_000_000))
        if recorded >= now - timedelta(hours=2):
            occurred, recorded = now - timedelta(hours=3), now - timedelta(hours=2, minutes=rng.randrange(1, 50))
        several = rng.random() < 0.2 and len(children_here) >= 3
        if several:
            chosen = rng.sample(children_here, 3 if rng.random() < 0.25 else 2)
            code = _weighted(rng, CHILD_ON_CHILD)
            roles = ["harmed", "alleged_responsible", "witness"][:len(chosen)]
            children = [(child, role, [code] if role != "witness" else []) for child, role in zip(chosen, roles, strict=True)]
        else:
            code = _weighted(rng, ONE_CHILD)
            extra = [_weighted(rng, ONE_CHILD)] if rng.random() < 0.15 else []
            children = [(rng.choice(children_here), "harmed", sorted({code, *extra}))]
        plan = ConcernPlan(
            n=n, establishment=establishment, recorder=rng.choice(group.staff_at[establishment.pk]),
            dsl=group.dsl_at[establishment.pk], children=children, occurred_at=occurred, recorded_at=recorded,
            narrative=rng.choice(NARRATIVES), childs_words=rng.choice(WORDS), disclosure=rng.random() < 0.15,
            immediate_risk=rng.random() < 0.04, place=rng.choice(group.places_at[establishment.pk]),
            idempotency_key=f"bench-{seed}-{n}")
        receipt = recorded + timedelta(seconds=rng.randrange(5, 120))
        if receipt < now and rng.random() < 0.5:
            plan.receipt_at = receipt
        read = recorded + timedelta(minutes=rng.randrange(3, 240), microseconds=rng.randrange(1_000_000))
        waiting = False
        if read < now:
            plan.read_at = read
            at = read
            waiting = recorded > now - WAITING_WITHIN and rng.random() < WAITING_SHARE
            for index in range(0 if waiting else len(children)):
                at = at + timedelta(minutes=rng.randrange(2, 30))
                if at < now:
                    plan.triages.append(Triaged(index=index, at=at, risk=_weighted(rng, RISKS),
                                                outcome=_weighted(rng, OUTCOMES),
                                                rationale="Seen with the form tutor; history on file considered."))
            referred = at + timedelta(minutes=rng.randrange(5, 60))
            if rng.random() < REFERRED_SHARE and plan.triages and referred < now:
                agency = Agency.POLICE if code in {"cce", "county_lines", "serious_violence"} else \
                    Agency.CHILDRENS_SERVICES
                plan.referral = Referred(at=referred, agency=agency, how=rng.choice(["phone", "online_form"]))
                meeting = referred + timedelta(days=rng.randrange(1, 4), minutes=rng.randrange(60))
                if agency == Agency.CHILDRENS_SERVICES and rng.random() < MEETING_SHARE and meeting < now:
                    plan.meeting_at = meeting
        if several and plan.triages and plan.triages[0].at + timedelta(minutes=20) < now:
            plan.plan_at = plan.triages[0].at + timedelta(minutes=20)
        closed = recorded + timedelta(days=rng.randrange(1, 15), minutes=rng.randrange(600))
        if closed < now and rng.random() >= STILL_OPEN_SHARE and not waiting:  # steps wait for the decision
            plan.closed_at = closed
        plans.append(plan)
    return plans


def plan_events(plan) -> list:
    """One concern's events, in order: (at, kind, extra). Opening a page writes its audit rows too: the DSL
    opens the concern before reading, triaging and closing it, and the child's chronology before triage."""
    found = [(plan.recorded_at, "submit", None)]
    if plan.receipt_at:
        found.append((plan.receipt_at, "view_concern", plan.recorder))
    if plan.read_at:
        found += [(plan.read_at, "view_concern", plan.dsl), (plan.read_at, "read", None)]
    for triaged in plan.triages:
        found += [(triaged.at, "view_concern", plan.dsl), (triaged.at, "view_chronology", triaged),
                  (triaged.at, "triage", triaged)]
    if plan.referral:
        found.append((plan.referral.at, "referral", None))
    if plan.meeting_at:
        found.append((plan.meeting_at, "meeting", None))
    if plan.plan_at:
        found.append((plan.plan_at, "safety_plan", None))
    if plan.closed_at:
        found += [(plan.closed_at, "view_concern", plan.dsl), (plan.closed_at, "close", None)]
    return found


def events(plans):
    """Every event of every concern, in the order it happened: (at, kind, plan, extra)."""
    heap = [(at, plan.n, order, kind) for plan in plans for order, (at, kind, _) in enumerate(plan_events(plan))]
    heapq.heapify(heap)
    by_n = {plan.n: (plan, plan_events(plan)) for plan in plans}
    while heap:
        at, n, order, kind = heapq.heappop(heap)
        plan, planned = by_n[n]
        yield at, kind, plan, planned[order][2]


# Fields Django fills with the time of saving: the generator saves years later, so it gives them itself.
_STAMPED = [(Concern, "recorded_at"), (Triage, "triaged_at"), (Action, "created_at"),
            (ChronologyEntry, "recorded_at"), (Referral, "recorded_at"), (InformationShare, "recorded_at"),
            (Meeting, "recorded_at"), (SafetyPlan, "created_at"), (SafetyPlanVersion, "created_at")]


@contextmanager
def _times_as_given():
    fields = [model._meta.get_field(name) for model, name in _STAMPED]
    for stamped in fields:
        stamped.auto_now_add = False
    try:
        yield
    finally:
        for stamped in fields:
            stamped.auto_now_add = True


def _id_of(row) -> int:
    return row["id"] if isinstance(row, dict) else row.pk


@dataclass
class _Open:
    """A concern whose events are not all written yet: its rows wait here, because its actions change."""

    concern: Concern
    involved: list  # ConcernChild, in the order named
    triage_categories: dict = field(default_factory=dict)  # child pk -> categories of their latest triage
    actions: list = field(default_factory=list)  # in id order
    rows: list = field(default_factory=list)  # (model, instance or values by column), everything else the concern's events wrote
    events_left: int = 0


class CaseworkWriter:
    """Writes the rows of each event. `flush_every` concerns at a time, each flush in one transaction."""

    MODELS = (Concern, ConcernChild, Triage, Action, Referral, Meeting, Meeting.children.through, Attendee,
              SafetyPlan, SafetyPlanVersion, InformationShare, InformationShare.children.through, ChronologyEntry, AuditEvent,
              PeerLink)

    def __init__(self, group, *, flush_every: int = 2000, progress=None):
        self.group, self.flush_every, self.progress = group, flush_every, progress
        self.next_id = {model: (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1 for model in self.MODELS}
        last = AuditEvent.objects.order_by("-seq").values("seq", "row_hash").first()
        self.seq, self.prev_hash = (last["seq"], last["row_hash"]) if last else (0, GENESIS)
        self.open: dict[int, _Open] = {}
        self.pending: dict = {model: [] for model in self.MODELS}
        self.pending_concerns = 0
        self.counts = {model: 0 for model in self.MODELS}
        self.seconds = {"preparing values (encryption included)": 0.0, "COPY": 0.0}
        self._roles, self._packs, self._ladders, self._terms, self._same, self._alerted = {}, {}, {}, {}, {}, {}
        # Each establishment's links, read once (linked_peers reads them for every step a linked lead owns).
        models.prefetch_related_objects(group.establishments, "links_as_first__second", "links_as_second__first")
        self._linked = {e.pk: [] for e in group.establishments}
        for school, home in group.pairs:
            self._linked[school.pk].append(home)
            self._linked[home.pk].append(school)
        self._planned = set()  # (establishment pk, child pk, role) with a safety plan in place
        # The peer graph's edges (peer_links_record): a pair's row changes with every concern naming both, so
        # they are kept here and written once, at the end (the generator writes on an empty database).
        self._links: dict[tuple[int, int, int], PeerLink] = {}
        self._places_of = {}  # child pk -> establishment pks where they are now
        for pk, kids in group.children_at.items():
            for child in kids:
                self._places_of.setdefault(child.pk, set()).add(pk)

    # What the services look up, looked up once.
    def _role(self, actor, permission, establishment) -> str:
        key = (actor.pk, permission, establishment.pk)
        if key not in self._roles:
            self._roles[key] = require_permission(actor, permission, action="bench", establishment_id=establishment.pk)
        return self._roles[key]

    def _packs_for(self, establishment):
        if establishment.pk not in self._packs:
            self._packs[establishment.pk] = packs_for(establishment)
            self._ladders[establishment.pk] = ladders_for(establishment)
            self._terms[establishment.pk] = terms_for(establishment)
            self._same[establishment.pk] = same_steps(self._packs[establishment.pk])
        return self._packs[establishment.pk]

    def _id(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    # The rows every service writes through chronology_add and audit_record.
    def _categories(self, state: _Open, child) -> list:
        if child.pk in state.triage_categories:
            return state.triage_categories[child.pk]
        return next(list(i.categories) for i in state.involved if i.child_id == child.pk)

    def _chronology(self, state, *, actor, child, establishment, kind, summary, obj, at, occurred_at=None,
                    key_event=False, categories=None):
        # A row's values by column (attname), not a model instance: instances cost more than the rest of the row.
        state.rows.append((ChronologyEntry, {
            "id": self._id(ChronologyEntry), "child_id": child.pk, "establishment_id": establishment.pk,
            "occurred_at": occurred_at or at, "recorded_at": at, "recorded_by_id": getattr(actor, "pk", None),
            "kind": kind, "summary": summary, "object_type": obj._meta.model_name, "object_id": str(obj.pk),
            "concern_id": state.concern.pk,
            "categories": ChronologyEntry.categories_text(categories if categories is not None
                                                          else self._categories(state, child)),
            "key_event": bool(key_event)}))

    def _audit(self, *, actor, action, obj, at, role="", establishment_id=None, detail=None):
        self.seq += 1
        row = {"seq": self.seq, "occurred_at": at.replace(microsecond=at.microsecond // 1000 * 1000),
               "actor_id": getattr(actor, "pk", None), "actor_email": getattr(actor, "email", "") or "",
               "role": str(role or ""), "establishment_id": establishment_id, "action": action,
               "object_type": obj._meta.model_name, "object_id": str(obj.pk), "outcome": AuditEvent.Outcome.ALLOWED,
               "request_id": "", "detail": detail or {}}
        row_hash = seal(self.prev_hash, row)
        self.pending[AuditEvent].append({"id": self._id(AuditEvent), **row, "prev_hash": self.prev_hash,
                                         "row_hash": row_hash})
        self.prev_hash = row_hash

    # One event.
    def write(self, at, kind, plan, extra=None):
        if kind == "submit":
            self._submit(at, plan)
        else:
            getattr(self, f"_{kind}")(at, plan, extra)
        state = self.open[plan.n]
        state.events_left -= 1
        if state.events_left == 0:
            self._finish(plan.n)

    def _submit(self, at, plan):
        actor, establishment = plan.recorder, plan.establishment
        role = self._role(actor, Permission.CHILD_SEARCH, establishment)
        concern = Concern(pk=self._id(Concern), establishment=establishment, recorded_by=actor, recorded_at=at,
                          occurred_at=plan.occurred_at, place=plan.place, narrative=plan.narrative,
                          childs_words=plan.childs_words, action_taken="", disclosure=plan.disclosure,
                          immediate_risk=plan.immediate_risk, idempotency_key=plan.idempotency_key,
                          subject_description="")
        state = self.open[plan.n] = _Open(concern=concern, involved=[], events_left=len(plan_events(plan)))
        everyone = {code for _, _, codes in plan.children for code in codes}
        for child, child_role, codes in plan.children:
            categories = sorted(set(codes))
            involved = ConcernChild(pk=self._id(ConcernChild), concern=concern, child=child, role=child_role,
                                    categories=categories, indicators=[])
            state.involved.append(involved)
            self._chronology(state, actor=actor, child=child, establishment=establishment, kind="concern.recorded",
                             obj=concern, at=at, occurred_at=concern.occurred_at,
                             key_event=concern.disclosure or concern.immediate_risk,
                             summary=f"Concern recorded by {actor.full_name}. Role: "
                                     f"{ConcernChild.Role(child_role).label.lower()}.")
            flags = self._flags(concern, child)
            self._require(state, at, actor=actor, establishment=establishment, child=child, categories=categories,
                          flags=flags, child_role=child_role, concern_categories=everyone)
            for place in self._linked_places(establishment, child):
                self._require(state, at, actor=actor, establishment=establishment, child=child,
                              categories=categories, flags=flags, child_role=child_role,
                              concern_categories=everyone, linked_place=place)
            self._met_by(state, at, actor=actor, record=concern, event="concern.sent", child=child,
                         words="sending the concern: Safekeep alerted the safeguarding team")
            if "integrated_pair" in flags:
                for place in self._linked_places(establishment, child):
                    self._chronology(
                        state, actor=actor, child=child, establishment=place, kind="concern.linked_note", obj=concern,
                        at=at, occurred_at=concern.occurred_at,
                        summary=f"Note from {establishment.name}: a concern about this child was recorded there "
                                f"({ConcernChild.Role(child_role).label.lower()}). Their safeguarding lead will "
                                f"share what you need to know (CE 11.3).")
        self._peer_links(concern, [(child.pk, child_role) for child, child_role, _ in plan.children])
        self._audit(actor=actor, action="concern.create", obj=concern, at=at, role=role,
                    establishment_id=establishment.pk,
                    detail={"children": len(plan.children), "immediate_risk": concern.immediate_risk})
        key = (establishment.pk, actor.pk)
        if key not in self._alerted:
            self._alerted[key] = len(alert_recipients(concern))
        self._audit(actor=None, action=ALERT_QUEUED, obj=concern, at=at, establishment_id=establishment.pk,
                    detail={"recipients": self._alerted[key], "swept": False})

    def _peer_links(self, concern, children):
        """peer_links_record: each pair the concern names together, counted, with the roles each had."""
        for low, high, low_bit, high_bit in pairs_in(children):
            key = (concern.establishment_id, low, high)
            link = self._links.get(key)
            if link is None:
                self._links[key] = PeerLink(pk=self._id(PeerLink), establishment_id=concern.establishment_id,
                                            child_low_id=low, child_high_id=high, concern_count=1,
                                            first_named_at=concern.recorded_at, last_named_at=concern.recorded_at,
                                            low_roles=low_bit, high_roles=high_bit)
            else:
                link.concern_count += 1
                link.last_named_at = concern.recorded_at
                link.low_roles |= low_bit
                link.high_roles |= high_bit

    def _linked_places(self, establishment, child) -> list:
        places = self._places_of.get(child.pk, set())
        return sorted((peer for peer in self._linked[establishment.pk] if peer.pk in places), key=lambda e: e.pk)

    def _flags(self, concern, child) -> set:
        flags = {name for name in ("immediate_risk", "disclosure") if getattr(concern, name)}
        day, born = concern.occurred_at.astimezone(LONDON).date(), child.date_of_birth
        if day.year - born.year - ((day.month, day.day) < (born.month, born.day)) < 13:
            flags.add("under_13")
        if child.looked_after:
            flags.add("looked_after")
        if self._linked_places(concern.establishment, child):
            flags.add("integrated_pair")
        return flags

    def peers_of(self, place) -> list:
        """The linked school or home, as steps_batch's Steps reads it for _place_of (CE 11.3)."""
        return self._linked[place.pk]

    def _require(self, state, at, *, actor, establishment, child, categories, flags, child_role="",
                 concern_categories=(), linked_place=None, event="", met_by_record=()):
        """actions_require, for a concern: the steps the adopted packs require, from the real policy engine."""
        role = self._role(actor, Permission.CHILD_SEARCH, establishment)
        here = linked_place or establishment
        packs = self._packs_for(here)
        ladders, terms = self._ladders[here.pk], self._terms[here.pk]
        facts = ConcernFacts(frozenset(categories), frozenset(flags), here.kind, here.nation, at, terms=terms,
                             role=child_role, concern_categories=frozenset(concern_categories) | frozenset(categories))

        def already_set(step, codes) -> bool:
            return any(a.action_code in codes and (step.once_per_concern or a.child_id == child.pk)
                       for a in state.actions)

        for planned in steps_plan(packs, facts, here=here, flags=flags, ladders=ladders, peers_of=self.peers_of,
                                  event=event, elsewhere_than=establishment.kind if linked_place else "",
                                  met_by_record=met_by_record, same=self._same[here.pk], already_set=already_set):
            required, place = planned.required, planned.establishment
            action = step_action(planned, actor=actor, child=child, concern_id=state.concern.pk, started=at,
                                 ladders=ladders, pk=self._id(Action), created_at=at)
            state.actions.append(action)
            self._chronology(state, actor=actor, child=child, establishment=place, kind="action.required", obj=action,
                             at=at, summary=f"Required: {required.what} ({required.deadline}; {required.source}).")
            self._audit(actor=actor, action="action.create", obj=action, at=at, role=role, establishment_id=place.pk,
                        detail={"rule": required.rule_id, "pack_version": required.pack_version})

    def _met_by(self, state, at, *, actor, record, event, child, words):
        """actions_met_by: the open steps of the concern that this record meets are done, linked to it."""
        codes_at = {}
        for action in state.actions:
            if action.status != Action.Status.OPEN or not action.action_code:
                continue
            if action.establishment_id not in codes_at:
                codes_at[action.establishment_id] = steps_met_by(self._packs_for(action.establishment), event)
            codes = codes_at[action.establishment_id]
            if action.action_code not in codes or not (codes[action.action_code] or action.child_id == child.pk):
                continue
            action.status, action.completed_at, action.completed_by = Action.Status.DONE, at, actor
            action.completion_note, action.next_escalation_at = f"Met by {words}.", None
            action.met_by_kind, action.met_by_id = event, record.pk
            self._chronology(state, actor=actor, child=action.child, establishment=action.establishment,
                             kind="action.completed", obj=action, at=at, summary=f"Done: {action.what}. Met by {words}.")
            self._audit(actor=actor, action="action.complete", obj=action, at=at, establishment_id=action.establishment_id,
                        detail={"met_by": event, "record": record.pk})
            self._closed(state, action)

    def _view_concern(self, at, plan, actor):
        """read_concern: the concern page's audit row (the team's role; none for the recorder)."""
        state = self.open[plan.n]
        key = (actor.pk, Permission.CHILD_VIEW, "role_for", plan.establishment.pk)
        if key not in self._roles:
            self._roles[key] = role_for(actor, Permission.CHILD_VIEW, state.concern)
        self._audit(actor=actor, action="concern.view", obj=state.concern, at=at, role=self._roles[key],
                    establishment_id=plan.establishment.pk)

    def _view_chronology(self, at, plan, triaged: Triaged):
        """read_chronology, first page, no filters: access_child's audit row, then the page's own."""
        actor, child = plan.dsl, self.open[plan.n].involved[triaged.index].child
        key = (actor.pk, Permission.CHILD_VIEW, "role_for", plan.establishment.pk)
        if key not in self._roles:
            self._roles[key] = role_for(actor, Permission.CHILD_VIEW, plan.establishment)
        for detail in ({}, {"page": 1, "filters": NO_FILTERS, "print": False}):
            self._audit(actor=actor, action="child.chronology.view", obj=child, at=at, role=self._roles[key],
                        establishment_id=plan.establishment.pk, detail=detail)

    def _read(self, at, plan, _):
        state, actor = self.open[plan.n], plan.dsl
        role = self._role(actor, Permission.CHILD_VIEW, plan.establishment)
        if state.concern.read_by_dsl_at is not None:
            return
        state.concern.read_by_dsl_at = at
        for involved in state.involved:
            self._chronology(state, actor=actor, child=involved.child, establishment=plan.establishment,
                             kind="concern.read", obj=state.concern, at=at,
                             summary=f"Concern read by {actor.full_name}.")
        self._audit(actor=actor, action="concern.read", obj=state.concern, at=at, role=role,
                    establishment_id=plan.establishment.pk)

    def _triage(self, at, plan, triaged: Triaged):
        state, actor = self.open[plan.n], plan.dsl
        involved = state.involved[triaged.index]
        role = self._role(actor, Permission.CHILD_VIEW, plan.establishment)
        triage = Triage(pk=self._id(Triage), involved=involved, triaged_by=actor, triaged_at=at, risk=triaged.risk,
                        rationale=triaged.rationale, categories=sorted(set(involved.categories)), categories_reason="",
                        hackett="", hackett_rationale="", outcome=triaged.outcome, outcome_note="", under_13_reason="")
        state.rows.append((Triage, triage))
        state.triage_categories[involved.child_id] = list(triage.categories)  # the latest, from now on
        self._met_by(state, at, actor=actor, record=triage, event="triage", child=involved.child,
                     words="the DSL's triage")
        self._chronology(state, actor=actor, child=involved.child, establishment=plan.establishment,
                         kind="concern.triaged", obj=triage, at=at, categories=triage.categories,
                         summary=f"Triage by {actor.full_name}: {triage.get_risk_display().lower()} risk. "
                                 f"{triage.rationale} Outcome: {triage.get_outcome_display().lower()}.",
                         key_event=triaged.risk == Triage.Risk.HIGH or triaged.outcome in {
                             Triage.Outcome.CHILDRENS_SERVICES, Triage.Outcome.POLICE, Triage.Outcome.LADO})
        if state.concern.read_by_dsl_at is None:
            state.concern.read_by_dsl_at = at
        if triaged.index == len(state.involved) - 1:  # each child in turn: the last one decides the concern
            state.concern.decided_at = at
        self._audit(actor=actor, action="concern.triage", obj=state.concern, at=at, role=role,
                    establishment_id=plan.establishment.pk,
                    detail={"child": involved.child_id, "risk": triaged.risk, "outcome": triaged.outcome})

    def _referral(self, at, plan, _):
        """referral_record, by the DSL, for the first child named, the moment it was made."""
        state, actor, establishment = self.open[plan.n], plan.dsl, plan.establishment
        child, referred = state.involved[0].child, plan.referral
        role = self._role(actor, Permission.CHILD_SEARCH, establishment)
        agency_name = Agency(referred.agency).label
        referral = Referral(pk=self._id(Referral), establishment=establishment, child=child, concern=state.concern,
                            agency=referred.agency, agency_name=agency_name, made_by=actor, made_at=referred.at,
                            recorded_at=at, how=referred.how, reference="", what_shared="The concern and the triage",
                            urgent=False, consent=Consent.GIVEN, consent_note="")
        state.rows.append((Referral, referral))
        packs = self._packs_for(establishment)
        window = next((w for pack in packs for w in pack.response_windows if w.agency == referred.agency), None)
        if window:
            referral.chase_action = self._follow_up(
                state, at, actor=actor, establishment=establishment, child=child, code=CHASE_STEP,
                what=f"Get the decision of {agency_name} on the referral; chase if it has not come",
                deadline=window.deadline, source=window.source, started=referred.at)
            referral.awaiting_answer = True
        self._chronology(state, actor=actor, child=child, establishment=establishment, kind="referral.made",
                         obj=referral, at=at, occurred_at=referred.at, key_event=True,
                         summary=f"Referral to {agency_name} by {actor.full_name}. "
                                 f"Consent: {Consent(Consent.GIVEN).label.lower()}.")
        self._share(state, at, actor=actor, establishment=establishment, child=child, recipient=agency_name,
                    recipient_organisation=Agency(referred.agency).label,
                    what="A referral: " + Referral.How(referred.how).label.lower(),
                    purpose=f"Referral to {Agency(referred.agency).label.lower()}", source_kind="referral",
                    source_id=referral.pk, shared_at=referral.made_at)
        self._met_by(state, at, actor=actor, record=referral, event=f"referral.{referred.agency}", child=child,
                     words=f"the referral to {agency_name}")
        self._require(state, at, actor=actor, establishment=establishment, child=child, categories=(),
                      flags={REFERRAL}, event=REFERRAL, met_by_record=(CONSENT_STEP,))
        self._audit(actor=actor, action="referral.create", obj=referral, at=at, role=role,
                    establishment_id=establishment.pk, detail={"agency": referred.agency, "urgent": False})

    def _follow_up(self, state, at, *, actor, establishment, child, code, what, deadline, source, started):
        """action_follow_up: owned by the DSL, climbing the packs' follow-up ladder."""
        started, ladders = min(started, at), self._ladders[establishment.pk]
        action = Action(pk=self._id(Action), establishment=establishment, child=child, concern_id=state.concern.pk,
                        what=what[:300], owner_role=Role.DSL.value, source=source, action_code=code,
                        due_at=deadlines.due_at(started, deadline, nation=establishment.nation,
                                                terms=self._terms[establishment.pk]),
                        escalation_ladder=[step for step in ladders.ladder("follow_up") if step != Role.DSL.value],
                        created_by=actor, created_at=at)
        step_schedule(action, started, deadline, ladders)
        state.actions.append(action)
        self._chronology(state, actor=actor, child=child, establishment=establishment, kind="action.required",
                         obj=action, at=at, summary=f"Required: {action.what} ({action.deadline}; {source}).")
        self._audit(actor=actor, action="action.create", obj=action, at=at, establishment_id=establishment.pk,
                    detail={"code": code})
        return action

    def _share(self, state, at, *, actor, establishment, child, recipient, recipient_organisation, what, purpose,
               source_kind, source_id, shared_at):
        """share_record: the register's row, its chronology entry and its audit event (consent given)."""
        share = InformationShare(
            pk=self._id(InformationShare), establishment=establishment, recipient=recipient,
            recipient_organisation=recipient_organisation, what=what, purpose=purpose, lawful_basis=LAWFUL_BASIS,
            consent="given", consent_note="", authorised_by=actor, secure_handling_agreed=True,
            secure_handling_note="", source_kind=source_kind, source_id=source_id, shared_at=shared_at,
            recorded_at=at, recorded_by=actor, concern=state.concern)
        state.rows.append((InformationShare, share))
        through = InformationShare.children.through
        state.rows.append((through, through(pk=self._id(through), informationshare_id=share.pk, child_id=child.pk)))
        self._chronology(state, actor=actor, child=child, establishment=establishment, kind="share.recorded",
                         obj=share, at=at, occurred_at=share.shared_at,
                         summary=f"Information shared with {share.recipient}, {share.recipient_organisation}: "
                                 f"{share.what}. Why: {share.purpose}. Lawful basis: "
                                 f"{share.get_lawful_basis_display()}. Consent: {share.get_consent_display().lower()}.")
        key = (actor.pk, Permission.CHILD_VIEW, "role_for", establishment.pk)
        if key not in self._roles:
            self._roles[key] = role_for(actor, Permission.CHILD_VIEW, establishment)
        self._audit(actor=actor, action="sharing.record", obj=share, at=at, role=self._roles[key],
                    establishment_id=establishment.pk,
                    detail={"children": [child.pk], "source_kind": source_kind, "source_id": source_id,
                            "lawful_basis": LAWFUL_BASIS, "consent": "given", "corrects": None})
        return share

    def _meeting(self, at, plan, _):
        """meeting_record, by the DSL: a strategy discussion about the child referred, with two agencies,
        and what was shared there in the register (no actions agreed: the chase is already set)."""
        state, actor, establishment = self.open[plan.n], plan.dsl, plan.establishment
        child = state.involved[0].child
        role = self._role(actor, Permission.CHILD_VIEW, establishment)
        meeting = Meeting(pk=self._id(Meeting), kind=Meeting.Kind.STRATEGY, held_at=at, establishment=establishment,
                          decisions=MEETING_DECISIONS, minutes=None, recorded_by=actor, recorded_at=at,
                          concern=state.concern)
        state.rows.append((Meeting, meeting))
        through = Meeting.children.through
        state.rows.append((through, through(pk=self._id(through), meeting_id=meeting.pk, child_id=child.pk)))
        for name, person_role, agency in MEETING_ATTENDEES:
            state.rows.append((Attendee, Attendee(pk=self._id(Attendee), meeting=meeting, name=name, role=person_role,
                                                  agency=agency)))
        agencies = ", ".join(dict.fromkeys(agency for _, _, agency in MEETING_ATTENDEES))
        self._chronology(state, actor=actor, child=child, establishment=establishment, kind="meeting.recorded",
                         obj=meeting, at=at, occurred_at=at,
                         summary=f"{meeting.get_kind_display()} with {len(MEETING_ATTENDEES)} attendees ({agencies}). "
                                 f"Decisions: {MEETING_DECISIONS[:1000]}")
        share = self._share(state, at, actor=actor, establishment=establishment, child=child, **MEETING_SHARE_FIELDS,
                            source_kind="meeting", source_id=meeting.pk, shared_at=at)
        self._audit(actor=actor, action="meeting.create", obj=meeting, at=at, role=role,
                    establishment_id=establishment.pk,
                    detail={"children": [child.pk], "attendees": len(MEETING_ATTENDEES), "actions": [],
                            "share": share.pk, "concern": state.concern.pk})

    def _safety_plan(self, at, plan, _):
        """safety_plan_create, by the DSL, for the child harmed (one plan in place per child and part at an
        establishment: a child who already has one is not given another), with its review as an action."""
        state, actor, establishment = self.open[plan.n], plan.dsl, plan.establishment
        child = state.involved[0].child
        if (establishment.pk, child.pk, "harmed") in self._planned:
            return
        self._planned.add((establishment.pk, child.pk, "harmed"))
        audit_role = self._role(actor, Permission.CHILD_VIEW, establishment)
        agreed_on = at.astimezone(LONDON).date()
        review_due = agreed_on + PLAN_REVIEW_AFTER
        safety_plan = SafetyPlan(pk=self._id(SafetyPlan), establishment=establishment, child=child,
                                 concern=state.concern, role="harmed", created_by=actor, created_at=at,
                                 review_due=review_due)
        version = SafetyPlanVersion(pk=self._id(SafetyPlanVersion), plan=safety_plan, number=1, created_by=actor,
                                    created_at=at, **({name: "" for name in SECTIONS} | PLAN_SECTIONS),
                                    support_chosen="", agreed_with_child=True, agreed_with_parents=False,
                                    agreed_with_others="", agreed_on=agreed_on, review_due=review_due)
        state.rows += [(SafetyPlan, safety_plan), (SafetyPlanVersion, version)]
        safety_plan.review_action = self._added(
            state, at, actor=actor, establishment=establishment, child=child,
            what=f"Review the safety plan ({safety_plan.get_role_display().lower()})",
            due_at=datetime.combine(review_due, time_of_day(9, 0), tzinfo=LONDON))
        self._met_by(state, at, actor=actor, record=safety_plan, event="safety_plan", child=child,
                     words="the safety plan put in place")
        self._chronology(state, actor=actor, child=child, establishment=establishment, kind="plan.created",
                         obj=safety_plan, at=at,
                         summary=f"Safety plan put in place by {actor.full_name} "
                                 f"({safety_plan.get_role_display().lower()}). Agreed {agreed_on:%-d %B %Y}; "
                                 f"review by {review_due:%-d %B %Y}.")
        self._audit(actor=actor, action="plan.create", obj=safety_plan, at=at, role=audit_role,
                    establishment_id=establishment.pk, detail={"child": child.pk, "version": 1})

    def _added(self, state, at, *, actor, establishment, child, what, due_at):
        """action_add with a due time (a plan's review), owned by the DSL, on the packs' ladder for added steps."""
        role = self._role(actor, Permission.ACTION_MANAGE, establishment)
        self._packs_for(establishment)
        ladders = self._ladders[establishment.pk]
        action = Action(pk=self._id(Action), establishment=establishment, child=child, what=what.strip()[:300],
                        owner_role=Role.DSL.value, owner=None, concern_id=state.concern.pk, due_at=due_at,
                        escalation_ladder=[step for step in ladders.ladder("added") if step != Role.DSL.value],
                        created_by=actor, created_at=at)
        step_schedule(action, at, Deadline.by_date(), ladders)
        state.actions.append(action)
        self._chronology(state, actor=actor, child=child, establishment=establishment, kind="action.added",
                         obj=action, at=at, summary=f"Action added: {action.what} ({action.deadline}).")
        self._audit(actor=actor, action="action.create", obj=action, at=at, role=role,
                    establishment_id=establishment.pk)
        return action

    def _close(self, at, plan, _):
        """action_complete for every step still open, by the DSL of the establishment that owns it."""
        state = self.open[plan.n]
        for action in state.actions:
            if action.status != Action.Status.OPEN:
                continue
            actor = self.group.dsl_at[action.establishment_id]
            key = (actor.pk, Permission.ACTION_MANAGE, action.establishment_id)
            if key not in self._roles:
                self._roles[key] = role_for(actor, Permission.ACTION_MANAGE, action)
            action.status, action.completed_at, action.completed_by = Action.Status.DONE, at, actor
            action.completion_note, action.next_escalation_at = COMPLETION_NOTE, None
            self._chronology(state, actor=actor, child=action.child, establishment=action.establishment,
                             kind="action.completed", obj=action, at=at,
                             summary=f"Done: {action.what}. {COMPLETION_NOTE}")
            self._audit(actor=actor, action="action.complete", obj=action, at=at, role=self._roles[key],
                        establishment_id=action.establishment_id)
            self._closed(state, action)

    @staticmethod
    def _closed(state, action):
        """action_closed's receiver in safekeep.referrals: a closed chase leaves its referral awaiting no answer."""
        if action.action_code == CHASE_STEP:
            for model, row in state.rows:
                if model is Referral and row.chase_action is action:
                    row.awaiting_answer = False

    # Saving.
    def _finish(self, n):
        state = self.open.pop(n)
        self.pending[Concern].append(state.concern)
        self.pending[ConcernChild].extend(state.involved)
        self.pending[Action].extend(state.actions)
        for model, row in state.rows:
            self.pending[model].append(row)
        self.pending_concerns += 1
        if self.pending_concerns >= self.flush_every:
            self.flush()

    def flush(self):
        with transaction.atomic():
            for model in self.MODELS:
                rows = sorted(self.pending[model], key=_id_of)
                if connection.vendor == "postgresql":
                    self._copy(model, rows)
                else:
                    with _times_as_given():
                        model.objects.bulk_create([model(**row) if isinstance(row, dict) else row for row in rows],
                                                  batch_size=5000)
                self.counts[model] += len(rows)
                self.pending[model] = []
        self.pending_concerns = 0
        if self.progress:
            self.progress(self)

    def _copy(self, model, rows):
        """PostgreSQL's COPY, with each value as the field prepares it for the database: encrypted fields
        encrypt it (Fernet, per row, as a save would), JSON fields wrap it, foreign keys give the id."""
        fields = model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        # Plain values (text, numbers, booleans, ids, aware datetimes) go to psycopg as they are, as Django's
        # PostgreSQL backend passes them; the fields that change a value on its way in prepare it themselves.
        own = [isinstance(f, EncryptedFieldMixin | models.JSONField) for f in fields]
        started = time.monotonic()
        prepared = []
        for row in rows:
            values = row if isinstance(row, dict) else row.__dict__
            prepared.append([f.get_db_prep_save(values[f.attname], connection) if mine else values[f.attname]
                             for f, mine in zip(fields, own, strict=True)])
        self.seconds["preparing values (encryption included)"] += time.monotonic() - started
        started = time.monotonic()
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for values in prepared:
                copy.write_row(values)
        self.seconds["COPY"] += time.monotonic() - started

    def finish(self):
        """Saves the concerns still waiting for an event (none are, once every event is written) and what is
        left, then moves each table's id sequence past the ids given here."""
        for n in list(self.open):
            self._finish(n)
        self.pending[PeerLink].extend(self._links.values())
        self.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.MODELS)):
                cursor.execute(sql)


def generate_casework(group, *, concerns: int, years: int, seed: int, now: datetime, flush_every: int = 2000,
                      progress=None) -> CaseworkWriter:
    plans = plan_casework(group, concerns=concerns, years=years, seed=seed, now=now)
    writer = CaseworkWriter(group, flush_every=flush_every, progress=progress)
    for at, kind, plan, extra in events(plans):
        writer.write(at, kind, plan, extra)
    writer.finish()
    return writer
