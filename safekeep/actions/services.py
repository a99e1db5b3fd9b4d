"""Every change to actions: permission checked, chronology and audit written in one transaction,
emails queued in the same transaction. Nothing required can be deleted; it can only be cancelled with a reason.

A change that sets many steps at once (recording a concern) runs in a steps_batch: the policies, ladders and
terms of each place are read once, "does this concern already have this step?" is answered from one read of
the concern's steps, and the steps, their chronology entries, audit rows and emails are each written in one
go when the change is done, still inside its transaction."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.audit.services import audit_batch, audit_record
from safekeep.authz.access import NotVisible, require_permission, role_for
from safekeep.authz.roles import Permission, Role, role_label
from safekeep.authz.scope import scope_for
from safekeep.concerns.models import Concern
from safekeep.chronology.services import chronology_add, chronology_batch
from safekeep.core import clock
from safekeep.authz.selectors import people_at, people_with_role_at
from safekeep.establishments.models import Establishment
from safekeep.establishments.selectors import linked_peers_of, terms_for
from safekeep.packs.selectors import packs_for
from safekeep.policy import deadlines
from safekeep.policy.deadlines import Deadline
from safekeep.policy.engine import ConcernFacts, RequiredAction, one_step_per_piece_of_work, required_actions
from safekeep.policy.escalation import Ladders, first_step_at, reminder_at
from safekeep.policy.packs import same_steps, steps_met_by

from . import notifications
from .signals import action_closed
from .ladders import ladders_for
from .models import Action

OWNER_ROLES = [r.value for r in Role] + ["linked_establishment_dsl"]
ALERTED = {Role.DSL.value, Role.DEPUTY_DSL.value}  # whom a new concern's alert goes to (CE 10.1)


class TermsWhenCounted(Sequence):
    """A place's terms, read from the database the first time a deadline counts school days: only a few rules
    do (a child's file sent on, KCSIE), so most recordings never need them (issue 12's recording budget)."""

    def __init__(self, place):
        self._place, self._terms = place, None

    def _read(self) -> tuple:
        if self._terms is None:
            self._terms = terms_for(self._place)
        return self._terms

    def __getitem__(self, index):
        return self._read()[index]

    def __len__(self) -> int:
        return len(self._read())


@dataclass
class Steps:
    """What one change that sets many steps has read and written so far (see steps_batch)."""

    pending: list[Action] = field(default_factory=list)  # set by this change, saved when it ends
    set_for: dict[int, set[tuple[str, int]]] = field(default_factory=dict)  # concern: (code, child) it has
    new_concerns: set[int] = field(default_factory=set)  # written in this change: no steps in the database
    _packs: dict[int, list] = field(default_factory=dict)
    _ladders: dict[int, Ladders] = field(default_factory=dict)
    _terms: dict[int, "TermsWhenCounted"] = field(default_factory=dict)
    _peers: dict[int, list] = field(default_factory=dict)

    def packs_at(self, place) -> list:
        if place.pk not in self._packs:
            self._packs[place.pk] = packs_for(place)
        return self._packs[place.pk]

    def ladders_at(self, place) -> Ladders:
        if place.pk not in self._ladders:
            self._ladders[place.pk] = ladders_for(place, packs=self.packs_at(place))
        return self._ladders[place.pk]

    def peers_of(self, place) -> list:
        """The linked school or home (CE 11.3)."""
        if place.pk not in self._peers:
            self._peers[place.pk] = linked_peers_of(place)
        return self._peers[place.pk]

    def terms_at(self, place) -> "TermsWhenCounted":
        if place.pk not in self._terms:
            self._terms[place.pk] = TermsWhenCounted(place)
        return self._terms[place.pk]

    def _codes(self, concern_id) -> set[tuple[str, int]]:
        if concern_id not in self.set_for:
            self.set_for[concern_id] = set() if concern_id in self.new_concerns else set(
                Action.objects.filter(concern_id=concern_id).exclude(action_code="")
                .values_list("action_code", "child_id"))
        return self.set_for[concern_id]

    def already_set(self, concern_id, codes, child_id=None) -> bool:
        """Whether the concern has one of these steps (for this child, when child_id is given)."""
        return any(code in codes and child_id in (None, who) for code, who in self._codes(concern_id))

    def add(self, action: Action) -> None:
        """A step this change sets: saved with the others when it ends."""
        self.pending.append(action)
        self.saved(action)

    def saved(self, action: Action) -> None:
        """A step the concern now has, saved or about to be."""
        if action.concern_id is not None and action.action_code:
            self._codes(action.concern_id).add((action.action_code, action.child_id))


_steps: ContextVar[Steps | None] = ContextVar("steps_batch", default=None)


@contextmanager
def steps_batch():
    """Run a change that sets many steps (recording a concern) with one read of each place's policies and
    one insert each for its steps, chronology entries, audit rows and emails, when the change is done.
    Inside its transaction; nothing is written if the change raises. Nested batches join the outer one."""
    if (outer := _steps.get()) is not None:
        yield outer
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("steps_batch runs inside the transaction of the change")
    # Left in reverse order: the steps are saved first, then the emails, entries and audit rows that name them.
    with audit_batch(), chronology_batch(), notifications.emails_batch():
        token = _steps.set(Steps())
        try:
            yield _steps.get()
            pending = _steps.get().pending
        finally:
            _steps.reset(token)
        Action.objects.bulk_create(pending)


def packs_in_batch(place) -> list:
    """The place's packs, read once for the steps_batch the caller runs in."""
    return _steps.get().packs_at(place)


def peers_in_batch(place) -> list:
    """The place's linked school or home, read once for the steps_batch the caller runs in."""
    return _steps.get().peers_of(place)


def concern_is_new(concern_id: int) -> None:
    """The concern was written in this steps_batch: it has no steps yet, so none are looked for."""
    _steps.get().new_concerns.add(concern_id)


def step_schedule(action: Action, created_at: datetime, deadline: Deadline, ladders: Ladders) -> None:
    """The time allowed, the reminder and the first step up the ladder, at the pace the packs set."""
    action.deadline_unit, action.deadline_amount = deadline.unit, deadline.amount
    action.remind_at = reminder_at(created_at, action.due_at, deadline)
    action.next_escalation_at = (first_step_at(action.due_at, deadline, ladders, nation=action.establishment.nation)
                                 if action.escalation_ladder else None)


def _place_of(establishment, owner_role: str, peers_of: Callable[[Establishment], list]):
    """The linked school or home's safeguarding lead owns notes on the child's file there (CE 11.3)."""
    if owner_role != "linked_establishment_dsl":
        return establishment, owner_role
    linked = peers_of(establishment)
    return (linked[0], Role.DSL.value) if linked else (establishment, Role.DSL.value)


def _route(roles, flags, ladders: Ladders) -> list[str]:
    """An allegation's steps go only to roles that may read it: others' stand-ins take them (the packs'
    `ladders.allegation.stand_ins`)."""
    if "about_adult" not in flags:
        return list(roles)
    return list(dict.fromkeys(ladders.stand_ins.get(role, role) for role in roles))


def allegation_subject_of(concern_id):
    """The account of the adult an allegation is about, if it is one and they are named."""
    if concern_id is None:
        return None
    return Concern.objects.filter(pk=concern_id, about_adult=True).values_list("subject_id", flat=True).first()


def owner_clear_of_subject(establishment, subject_id, owner_role: str, ladder) -> tuple[str, list[str]]:
    """The step's owner and the rest of its ladder, with the owner moved down the ladder past the adult an
    allegation is about: when the DSL is the subject, the deputy, then the head or registered manager, then
    the group head owns it (CE 11.7; the allegation ladder in the packs). A role counts when someone other
    than the subject holds it for the establishment."""
    ladder = list(ladder)
    if subject_id is None or owner_role == Role.STAFF.value:
        return owner_role, ladder
    steps = list(dict.fromkeys([owner_role, *ladder]))
    last = ladders_for(establishment).always_last  # someone above the establishment always answers an allegation
    if last and last not in steps:
        steps.append(last)
    for index, role in enumerate(steps):
        if people_with_role_at(role, establishment).exclude(pk=subject_id).exists():
            return role, steps[index + 1:]
    return owner_role, ladder


def actions_require(*, actor, establishment, child, categories, flags, concern_id=None, packs=None,
                    tell_owners=True, child_role: str = "", event: str = "", started=None,
                    concern_categories=(), linked_place=None, met_by_record=()) -> list[Action]:
    """Create the actions the adopted policies require for a concern. Runs inside the concern's transaction.

    tell_owners=False when the caller alerts the safeguarding team itself (a new concern does).
    child_role: the child's part in the concern, for actions a pack sets for some parts only.
    concern_categories: the categories of every child named in the concern (for a witness's steps).
    event, started: for something other than a concern (a child leaving on a date), see required_actions.
    linked_place: the linked school or home the child is also at: the rules written for its kind of
    establishment (and not the recording one's) run there, owned by its own team (CH(E)R 2015 reg 40).
    met_by_record: codes of steps the record being made meets itself (a referral's consent answer)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("actions_require runs inside the transaction that records the concern")
    role = require_permission(actor, Permission.CHILD_SEARCH, action="action.create",
                              establishment_id=establishment.pk)
    started = started or clock.now()
    with steps_batch() as batch:
        subject_id = allegation_subject_of(concern_id) if "about_adult" in flags else None
        here = linked_place or establishment
        facts = ConcernFacts(frozenset(categories), frozenset(flags), here.kind, here.nation, started,
                             terms=batch.terms_at(here), role=child_role,
                             concern_categories=frozenset(concern_categories) | frozenset(categories))
        ladders = batch.ladders_at(here)
        created = []
        packs = packs if packs is not None else batch.packs_at(here)

        def already_set(step: RequiredAction, codes) -> bool:
            # One step, set once: a step about the whole concern already set for another child named in it,
            # or the same work for this child already set by another rule or pack ("call the police" and
            # "report to the police"), or when the concern was recorded (a triage adding a category).
            return concern_id is not None and batch.already_set(concern_id, codes,
                                                                None if step.once_per_concern else child.pk)

        for planned in steps_plan(packs, facts, here=here, flags=flags, ladders=ladders, peers_of=batch.peers_of,
                                  subject_id=subject_id, event=event,
                                  elsewhere_than=establishment.kind if linked_place else "",
                                  met_by_record=met_by_record, already_set=already_set):
            required, place = planned.required, planned.establishment
            action = step_action(planned, actor=actor, child=child, concern_id=concern_id, started=started,
                                 ladders=ladders)
            batch.add(action)
            chronology_add(actor=actor, child=child, establishment=place, kind="action.required", obj=action,
                           summary=f"Required: {required.what} ({required.deadline}; {required.source}).")
            audit_record(actor=actor, action="action.create", obj=action, role=role, establishment_id=place.pk,
                         detail={"rule": required.rule_id, "pack_version": required.pack_version})
            recipients = [_place_of(here, r, batch.peers_of) for r in _route(required.notify, flags, ladders)
                          if r != "group_safeguarding_email"]
            # The team a new concern's alert goes to (safekeep/concerns/notifications.py) hears of its steps in
            # that alert: their emails about the steps wait for it. Everyone else is told as usual.
            team = ALERTED | ({Role.HEAD.value} if "about_adult" in flags else set())
            alerted = [(place, r) for place, r in recipients
                       if not tell_owners and place == establishment and r in team]
            notifications.tell_roles(action, alerted, "new", hold=True)
            notifications.tell_roles(action, [pair for pair in recipients if pair not in alerted], "new")
            if "group_safeguarding_email" in required.notify:
                notifications.tell_address(action, establishment.organisation.safeguarding_email, "new")
            created.append(action)
        if tell_owners:
            notifications.tell_owners(created, "new")
    return created


@dataclass(frozen=True)
class PlannedStep:
    """A step the adopted packs require, decided and not yet saved: where it is owned, by whom, and the ladder
    it climbs."""

    required: RequiredAction  # one per piece of work, in the words of each, citing each source
    establishment: Establishment  # the linked school or home owns a note on the child's file there (CE 11.3)
    owner_role: str
    ladder: list[str]


def steps_plan(packs, facts: ConcernFacts, *, here, flags, ladders: Ladders, peers_of, subject_id=None,
               event: str = "", elsewhere_than: str = "", met_by_record=(), same=None,
               already_set: Callable[[RequiredAction, frozenset[str]], bool] = lambda step, codes: False,
               ) -> Iterator[PlannedStep]:
    """The steps the packs require for these facts at `here`, one per piece of work (policy.engine), each
    with its owner and ladder: what actions_require saves, and what the benchmark's generator writes in
    bulk (bench/generator/casework.py), so the two cannot differ.

    peers_of: the linked school or home of a place. subject_id: the adult an allegation is about, whom no
    step is owned by (CE 11.7). met_by_record: codes the record being made meets itself. same: the packs'
    same_steps, if already worked out. already_set(step, codes): whether the concern has that work already;
    asked as each step is planned, so it sees the steps the caller has set from this plan so far."""
    same = same_steps(packs) if same is None else same
    steps = required_actions(packs, facts, event=event, elsewhere_than=elsewhere_than)
    for required in one_step_per_piece_of_work(steps, same):
        codes = same.get(required.code, frozenset({required.code}))
        if required.code in met_by_record or already_set(required, codes):
            continue
        place, owner_role = _place_of(here, _route([required.owner], flags, ladders)[0], peers_of)
        owner_role, ladder = owner_clear_of_subject(place, subject_id, owner_role,
                                                    _route(required.escalation, flags, ladders))
        # As long as the action's columns allow.
        required = replace(required, what=required.what[:Action._meta.get_field("what").max_length],
                           source=required.source[:Action._meta.get_field("source").max_length])
        yield PlannedStep(required, place, owner_role, ladder)


def step_action(planned: PlannedStep, *, actor, child, concern_id, started: datetime, ladders: Ladders,
                **columns) -> Action:
    """The planned step as an action, scheduled at the packs' pace from `started`; not saved.
    columns: any more the caller sets (the generator gives its own id and creation time)."""
    required = planned.required
    # "Staff" in a rule means the member of staff who raised it: other staff never see the action
    # (staff see only the concerns they recorded).
    owner = actor if planned.owner_role == Role.STAFF.value else None
    action = Action(establishment=planned.establishment, child=child, concern_id=concern_id, what=required.what,
                    owner_role=planned.owner_role, owner=owner, due_at=required.due_at,
                    escalation_ladder=planned.ladder, pack=required.pack, pack_version=required.pack_version,
                    rule_id=required.rule_id, action_code=required.code, source=required.source, created_by=actor,
                    **columns)
    step_schedule(action, started, required.deadline, ladders)
    return action



def _noted(action: Action) -> None:
    """A step saved on its own during a steps_batch still counts as one the concern has."""
    if (batch := _steps.get()) is not None:
        batch.saved(action)


def action_follow_up(*, actor, establishment, child, what: str, deadline: Deadline, source: str, code: str,
                     concern_id=None, owner_role: str = Role.DSL.value, started: datetime | None = None) -> Action:
    """An action another service sets as part of its own change (chase a referral's answer, review a
    plan). Runs inside that service's transaction; the service has checked the actor's permission.
    It climbs the packs' follow-up ladder. `started`: when the clock started, if before now (a referral
    made this morning, recorded now)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("action_follow_up runs inside the transaction of the change that needs it")
    started, ladders = min(started or clock.now(), clock.now()), ladders_for(establishment)
    ladder = [step for step in ladders.ladder("follow_up") if step != owner_role]
    subject_id = allegation_subject_of(concern_id)
    if subject_id is not None:
        owner_role, ladder = owner_clear_of_subject(establishment, subject_id, owner_role,
                                                    _route(ladder, {"about_adult"}, ladders))
    action = Action(establishment=establishment, child=child, concern_id=concern_id, what=what[:300],
                    owner_role=owner_role, source=source, action_code=code,
                    due_at=deadlines.due_at(started, deadline, nation=establishment.nation,
                                            terms=terms_for(establishment)),
                    escalation_ladder=ladder,
                    created_by=actor)
    step_schedule(action, started, deadline, ladders)
    action.save()
    _noted(action)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="action.required", obj=action,
                   summary=f"Required: {action.what} ({action.deadline}; {source}).")
    audit_record(actor=actor, action="action.create", obj=action, establishment_id=establishment.pk,
                 detail={"code": code})
    notifications.tell_owners([action], "new")
    return action


def action_for_review(*, actor, establishment, what: str, owner_role: str, due_at: datetime, source: str = "CE 10.6",
                      code: str = "governance-review") -> Action:
    """An action a governance or SLT meeting agreed in its exploitation risk review (CE 10.6), or an item of the
    annual policy review's action plan (CoC 14.3, source and code say which): about no child, so it has no
    chronology entry. Runs inside the review's transaction; the review service has checked the actor's
    permission and the fields. It climbs the packs' ladder for added steps."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("action_for_review runs inside the transaction of the review that agreed it")
    ladders = ladders_for(establishment)
    action = Action(establishment=establishment, child=None, what=what.strip()[:300], owner_role=owner_role,
                    due_at=due_at, escalation_ladder=[step for step in ladders.ladder("added") if step != owner_role],
                    source=source, action_code=code, created_by=actor)
    deadline = Deadline.by_date()
    step_schedule(action, clock.now(), deadline, ladders)
    action.save()
    audit_record(actor=actor, action="action.create", obj=action, establishment_id=establishment.pk,
                 detail={"code": code})
    notifications.tell_owners([action], "new")
    return action


def action_for_request(*, actor, establishment, child, what: str, owner_role: str, due_at: datetime, source: str,
                       code: str) -> Action:
    """An action with a due time another service worked out from the packs (a subject access request's
    calendar month, UK GDPR Art. 12(3)). Runs inside that service's transaction; it has checked the actor's
    permission. It climbs the packs' ladder for added steps."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("action_for_request runs inside the transaction of the change that needs it")
    ladders = ladders_for(establishment)
    action = Action(establishment=establishment, child=child, what=what.strip()[:300], owner_role=owner_role,
                    due_at=due_at, escalation_ladder=[step for step in ladders.ladder("added") if step != owner_role],
                    source=source, action_code=code, created_by=actor)
    step_schedule(action, clock.now(), Deadline.by_date(), ladders)
    action.save()
    chronology_add(actor=actor, child=child, establishment=establishment, kind="action.required", obj=action,
                   summary=f"Required: {action.what} ({action.deadline}; {source}).")
    audit_record(actor=actor, action="action.create", obj=action, establishment_id=establishment.pk,
                 detail={"code": code})
    notifications.tell_owners([action], "new")
    return action


def action_due_move(*, actor, action: Action, due_at: datetime, reason: str) -> Action:
    """A still-open action given a later due time, with the reason kept (a subject access request extended,
    UK GDPR Art. 12(3)). Runs inside the caller's transaction; the caller has checked the actor's permission.
    The reminder and the ladder start again from the new due time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("action_due_move runs inside the transaction of the change that moves it")
    action = _locked_open(action)
    earlier = action.due_at
    action.due_at, action.reminded_at, action.escalation_level = due_at, None, 0
    step_schedule(action, clock.now(), Deadline.by_date(), ladders_for(action.establishment))
    action.save()
    _record_change(actor, action, "", kind="action.due_moved", audit_action="action.due_move",
                   summary=f"Now due {action.deadline}: {action.what}. Reason: {reason}",
                   detail={"from": earlier.isoformat(), "to": due_at.isoformat()})
    return action


@transaction.atomic
def action_add(*, actor, establishment, child, what: str, owner_role: str, deadline: Deadline | None = None,
               owner=None, due_at: datetime | None = None, concern_id=None) -> Action:
    """A DSL adds an action of their own, with the time allowed as the policies count it (1 working day),
    or a fixed due time instead (`due_at`: a safety plan's review date, a meeting's agreed date), when it is
    due by that date. It climbs the packs' ladder for added steps. concern_id: the concern it belongs to."""
    if deadline is not None and due_at is not None:
        raise ValueError("An action has a deadline or a due time, not both")
    role = require_permission(actor, Permission.ACTION_MANAGE, action="action.create",
                              establishment_id=establishment.pk)
    errors = {}
    if not what.strip():
        errors["what"] = "Say what must be done."
    if owner_role not in OWNER_ROLES:
        errors["owner_role"] = "Choose who must do it."
    if owner is not None and not people_at(establishment).filter(pk=owner.pk).exists():
        # An action shows its child: only someone who works at the establishment may own it.
        errors["owner"] = "Choose someone who works at this establishment."
    started = clock.now()
    if due_at is not None:
        deadline = Deadline.by_date()  # reminded a quarter of the way before, like a deadline in hours
        if due_at <= started:
            errors["due_at"] = "The due date must be in the future."
    elif deadline is None:
        errors["deadline"] = "Say by when: for example immediately, 24 hours, 1 working day or 5 school days."
    subject_id = allegation_subject_of(concern_id)
    if owner is not None and owner.pk == subject_id:
        errors["owner"] = "Choose someone other than the adult the allegation is about."
    if errors:
        raise ValidationError(errors)
    ladders = ladders_for(establishment)
    ladder = [step for step in ladders.ladder("added") if step != owner_role]
    if owner is None and subject_id is not None:
        owner_role, ladder = owner_clear_of_subject(establishment, subject_id, owner_role, ladder)
    action = Action(establishment=establishment, child=child, what=what.strip()[:300], owner_role=owner_role,
                    owner=owner, concern_id=concern_id,
                    due_at=due_at or deadlines.due_at(started, deadline, nation=establishment.nation,
                                                      terms=terms_for(establishment)),
                    escalation_ladder=ladder, created_by=actor)
    step_schedule(action, started, deadline, ladders)
    action.save()
    chronology_add(actor=actor, child=child, establishment=establishment, kind="action.added", obj=action,
                   summary=f"Action added: {action.what} ({action.deadline}).")
    audit_record(actor=actor, action="action.create", obj=action, role=role, establishment_id=establishment.pk)
    notifications.tell_owners([action], "new")
    return action


def actions_move_from_subject(*, actor, concern) -> list[Action]:
    """When the adult an allegation is about is named (or corrected), its open steps that they own, by name
    or as the only holder of the owning role, go to the next person on the ladder (CE 11.7). Runs inside the
    naming's transaction; the caller has checked the actor may read the allegation."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("actions_move_from_subject runs inside the transaction that names the adult")
    moved = []
    for action in (Action.objects.select_for_update().filter(concern_id=concern.pk, status=Action.Status.OPEN)
                   .exclude(owner_role=Role.STAFF.value).select_related("establishment")):
        if action.owner_id not in (None, concern.subject_id):
            continue
        owner_role, ladder = owner_clear_of_subject(action.establishment, concern.subject_id, action.owner_role,
                                                    action.escalation_ladder or [])
        if owner_role == action.owner_role and action.owner_id is None:
            continue
        action.owner_role, action.owner, action.escalation_ladder = owner_role, None, ladder
        action.save(update_fields=["owner_role", "owner", "escalation_ladder"])
        _record_change(actor, action, "", kind="action.reassigned", audit_action="action.reassign",
                       summary=f"Now for {role_label(owner_role, action.establishment.kind)}: {action.what}.",
                       detail={"owner_role": owner_role, "owner": None, "reason": "allegation subject"})
        moved.append(action)
    notifications.tell_owners(moved, "reassigned")
    return moved


def _may_act_on(actor, action: Action, audit_action: str) -> str:
    """The establishment's case team, or the action's owner (by name or by role), may change it."""
    role = role_for(actor, Permission.ACTION_MANAGE, action)
    if role:
        return role
    scope = scope_for(actor)
    if action.owner_id == actor.pk or (action.owner_id is None and action.establishment_id in
                                       scope.places.get(Role(action.owner_role), set())):
        return action.owner_role
    raise NotVisible(audit_action, "action", action.pk, action.establishment_id)


def _locked_open(action: Action) -> Action:
    """The action, locked for this transaction, if it is still to do."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not action.is_open:
        raise ValidationError(f"This action is already {action.get_status_display().lower()}.")
    return action


def _record_change(actor, action: Action, role: str, *, kind: str, summary: str, audit_action: str,
                   detail=None) -> None:
    chronology_add(actor=actor, child=action.child, establishment=action.establishment, kind=kind, obj=action,
                   summary=summary)
    audit_record(actor=actor, action=audit_action, obj=action, role=role, establishment_id=action.establishment_id,
                 detail=detail)


@transaction.atomic
def action_complete(*, actor, action: Action, note: str) -> Action:
    role = _may_act_on(actor, action, "action.complete")
    action = _locked_open(action)
    if not note.strip():
        raise ValidationError({"note": "Say what was done, so the record shows it (for example who you spoke to)."})
    action.status, action.completed_at, action.completed_by = Action.Status.DONE, clock.now(), actor
    action.completion_note, action.next_escalation_at = note.strip(), None
    action.save()
    _record_change(actor, action, role, kind="action.completed", audit_action="action.complete",
                   summary=f"Done: {action.what}. {action.completion_note}")
    action_closed.send(sender=Action, action=action)
    return action


@transaction.atomic
def action_cancel(*, actor, action: Action, reason: str) -> Action:
    """Only the establishment's case team may cancel, and only with a reason kept in the chronology."""
    role = require_permission(actor, Permission.ACTION_MANAGE, action="action.cancel",
                              establishment_id=action.establishment_id, obj=action)
    action = _locked_open(action)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason: a required action is never cancelled without one."})
    action.status, action.cancel_reason, action.next_escalation_at = Action.Status.CANCELLED, reason.strip(), None
    action.save()
    _record_change(actor, action, role, kind="action.cancelled", audit_action="action.cancel",
                   summary=f"Cancelled: {action.what}. Reason: {action.cancel_reason}")
    action_closed.send(sender=Action, action=action)
    return action


@transaction.atomic
def action_reassign(*, actor, action: Action, owner_role: str, owner=None) -> Action:
    role = require_permission(actor, Permission.ACTION_MANAGE, action="action.reassign",
                              establishment_id=action.establishment_id, obj=action)
    action = _locked_open(action)
    if owner_role not in OWNER_ROLES:
        raise ValidationError({"owner_role": "Choose who must do it."})
    action.owner_role, action.owner = owner_role, owner
    action.save(update_fields=["owner_role", "owner"])
    who = owner.full_name if owner else role_label(owner_role, action.establishment.kind)
    _record_change(actor, action, role, kind="action.reassigned", audit_action="action.reassign",
                   summary=f"Now for {who}: {action.what}.",
                   detail={"owner_role": owner_role, "owner": getattr(owner, "pk", None)})
    notifications.tell_owners([action], "reassigned")
    return action


def _met_by_words(event: str, record) -> str:
    if event.startswith("referral."):
        return f"the referral to {record.agency_name}"
    return {"safety_plan": "the safety plan put in place", "triage": "the DSL's triage",
            "linked_note.acknowledged": "the acknowledgement of the note",
            "concern.sent": "sending the concern: Safekeep alerted the safeguarding team",
            "transfer.sent": "the child protection file sent through Safekeep",
            "transfer.received": "the new school's confirmation that the file arrived",
            "subject_access.answered": "the subject access answer, prepared with what it withholds"}[event]


def _open_steps(batch: Steps | None, record, child, concern_id) -> list[Action]:
    """The open steps a record may meet, locked: in the database (none for a concern written in this batch),
    then those this batch has set and not yet saved."""
    def mine(action):
        if concern_id is not None:
            return action.concern_id == concern_id
        return action.child_id == child.pk and action.establishment_id == record.establishment_id

    saved = []
    if batch is None or concern_id not in batch.new_concerns:
        # Only the actions are locked: an action about no child joins its child as an outer join, which
        # PostgreSQL cannot lock (FOR UPDATE on the nullable side of an outer join).
        open_steps = (Action.objects.select_for_update(of=("self",)).filter(status=Action.Status.OPEN)
                      .exclude(action_code=""))
        if concern_id is not None:
            open_steps = open_steps.filter(concern_id=concern_id)
        else:
            open_steps = open_steps.filter(child=child, establishment_id=record.establishment_id)
        saved = list(open_steps.select_related("establishment", "child").order_by("id"))
    waiting = [action for action in (batch.pending if batch else [])
               if action.status == Action.Status.OPEN and action.action_code and mine(action)]
    return saved + waiting


def actions_met_by(*, actor, record, event: str, child, concern_id=None) -> list[Action]:
    """Close, as done, the open steps that recording `record` meets (the packs' met_by, `event`), and link
    them to it: a referral to children's services meets "refer to the local authority" for that child.

    With a concern: the child's steps of that concern, and its steps about the whole concern. Without one
    (a referral not tied to a concern): the child's open steps at the record's establishment. Runs inside the
    transaction that writes the record; that service has checked the actor may write it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("actions_met_by runs inside the transaction that writes the record")
    batch = _steps.get()
    met, codes_at = [], {}
    words = _met_by_words(event, record)
    for action in _open_steps(batch, record, child, concern_id):
        if action.establishment_id not in codes_at:
            codes_at[action.establishment_id] = steps_met_by(
                batch.packs_at(action.establishment) if batch else packs_for(action.establishment), event)
        codes = codes_at[action.establishment_id]
        if action.action_code not in codes or not (codes[action.action_code] or action.child_id == child.pk):
            continue
        _close_as_met(actor, action, event, record, words)
        met.append(action)
    return met


def _close_as_met(actor, action: Action, event: str, record, words: str) -> None:
    action.status, action.completed_at, action.completed_by = Action.Status.DONE, clock.now(), actor
    action.completion_note, action.next_escalation_at = f"Met by {words}.", None
    action.met_by_kind, action.met_by_id = event, record.pk
    if action.pk is not None:  # a step of this batch is saved, done, with the others
        action.save()
    _record_change(actor, action, "", kind="action.completed", audit_action="action.complete",
                   summary=f"Done: {action.what}. Met by {words}.", detail={"met_by": event, "record": record.pk})
    action_closed.send(sender=Action, action=action)


def action_met(*, actor, action: Action, event: str, record) -> Action:
    """Close, as done, the one action that `record` was made to meet, and link it to it: a subject access
    request's answer meets that request's own action, never another request's for the same child (so not
    through the packs' met_by, which closes every open step of the child with the code). Runs inside the
    transaction that writes the record; that service has checked the actor may write it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("action_met runs inside the transaction that writes the record")
    action = _locked_open(action)
    _close_as_met(actor, action, event, record, _met_by_words(event, record))
    return action
