"""The recording page's form: several children, each with a role and their own categories.

Plain POSTs do everything (add or remove a child, find another, send), so the page works without
JavaScript and whatever was typed comes back on every round trip; nothing is kept in the browser.
With JavaScript, htmx posts the same form: finding, adding or removing a child redraws only the
children's part of the page, and a send that fails leaves the page and the words as they are.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import transaction

from safekeep.attachments.recording import marks_from_post, new_mark_from_post
from safekeep.children.selectors import audit_search, children_search
from safekeep.core import clock
from safekeep.policy.language import check_language

from .models import Concern, ConcernChild

CHILD_STEPS = ("find", "add:", "remove:")  # the intents that change only the children's part of the page
TEXT_FIELDS = ("location", "narrative", "childs_words", "action_taken", "subject_description")


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


@dataclass
class Draft:
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    child_ids: list[int] = field(default_factory=list)
    roles: dict[int, str] = field(default_factory=dict)
    categories: dict[int, list[str]] = field(default_factory=dict)
    indicators: dict[int, list[str]] = field(default_factory=dict)
    occurred_date: str = ""
    occurred_time: str = ""
    occurred_approximately: bool = False
    location: str = ""
    narrative: str = ""
    childs_words: str = ""
    action_taken: str = ""
    disclosure: bool = False
    immediate_risk: bool = False
    images_shared: bool = False
    told_dsl_in_person: str = ""  # "yes", "no" or ""
    place_id: int | None = None
    about_adult: bool = False
    subject_id: int | None = None
    subject_relationship: str = ""
    subject_description: str = ""
    # Wording suggestions already shown (on a send, or while typing), so the next "send" goes through.
    language_seen: int = 0
    body_marks: list[dict] = field(default_factory=list)  # marks added so far (safekeep/attachments)
    new_mark: dict = field(default_factory=dict)  # the "Add a mark" fields as typed
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_post(cls, data) -> "Draft":
        ids = []
        for value in data.getlist("child"):
            if value.isdigit() and int(value) not in ids:
                ids.append(int(value))
        draft = cls(key=data.get("key", "")[:64] or uuid.uuid4().hex, child_ids=ids,
                    occurred_date=data.get("occurred_date", "")[:10], occurred_time=data.get("occurred_time", "")[:5],
                    occurred_approximately=data.get("occurred_approximately") == "yes",
                    disclosure=data.get("disclosure") == "yes", immediate_risk=data.get("immediate_risk") == "yes",
                    images_shared=data.get("images_shared") == "yes",
                    told_dsl_in_person=data.get("told_dsl_in_person", "") if data.get("told_dsl_in_person") in (
                        "yes", "no") else "",
                    language_seen=max(_number(data.get("language_seen", "")) or 0,
                                      _number(data.get("language_live", "")) or 0),
                    place_id=_number(data.get("place", "")), about_adult=data.get("about_adult") == "yes",
                    subject_id=_number(data.get("subject", "")),
                    subject_relationship=data.get("subject_relationship", "")[:20])
        for name in TEXT_FIELDS:
            # The child's words are kept exactly as typed: never stripped or changed.
            setattr(draft, name, data.get(name, "") if name == "childs_words" else data.get(name, "").strip())

        draft.body_marks, draft.new_mark = marks_from_post(data), new_mark_from_post(data)
        for child_id in ids:
            role = data.get(f"role-{child_id}", "")
            draft.roles[child_id] = role if role in ConcernChild.Role.values else ""
            draft.categories[child_id] = data.getlist(f"categories-{child_id}")[:20]
            draft.indicators[child_id] = data.getlist(f"indicators-{child_id}")[:40]
        return draft

    @property
    def time_not_known(self) -> bool:
        return not self.occurred_time

    def occurred_at(self, first_sent: Callable[[], datetime | None] = lambda: None) -> datetime | None:
        """When it happened. A blank time means "time not known": midday on an earlier day, and on
        today the moment it is sent if that is before midday, so a morning concern is never refused as
        "in the future" and never claims a time later than it was written down. A retry of a send that
        did arrive (its answer lost) keeps the time first recorded, so it is the same concern: first_sent
        looks that up, only when it matters (a time not known, today)."""
        try:
            day = datetime.strptime(self.occurred_date, "%Y-%m-%d").date()
        except ValueError:
            return None
        if self.time_not_known:
            midday = datetime.combine(day, time(12, 0), tzinfo=clock.LONDON)
            if day != clock.today():
                return midday
            sent = first_sent()
            if sent is not None and sent.astimezone(clock.LONDON).date() == day:
                return sent
            return min(midday, clock.now())
        try:
            when = datetime.strptime(self.occurred_time, "%H:%M").time()
        except ValueError:
            return None
        return datetime.combine(day, when, tzinfo=clock.LONDON)

    @property
    def approximate(self) -> bool:
        """A time not known is recorded as approximate, so the record reads "About ..." (never a made-up time)."""
        return self.occurred_approximately or self.time_not_known

    def wording_prompts(self):
        """Suggestions for the recorder's own words; the child's words are never checked."""
        return check_language(self.narrative) + check_language(self.action_taken)

    def check(self) -> bool:
        if not self.child_ids:
            self.errors["child-search"] = "Add the child or children involved."
        for child_id in self.child_ids:
            if not self.roles.get(child_id):
                self.errors[f"role-{child_id}"] = "Choose this child's part in what happened."
        if self.occurred_at() is None:
            self.errors["occurred_date"] = "Enter the date it happened, for example 21/11/2026."
        if not self.narrative:
            self.errors["narrative"] = "Say what happened, in your own words."
        return not self.errors


@dataclass
class ChildStep:
    """What the children's part shows after this round trip: the children chosen, and a search's results."""
    chosen: dict = field(default_factory=dict)
    found: list = field(default_factory=list)
    query: str = ""
    searched: bool = False
    added: int | None = None  # the child just added (focus goes to their role)
    removed: str = ""  # the name of the child just removed, said to screen readers


def is_child_step(intent: str) -> bool:
    return intent.startswith(CHILD_STEPS)


def children_step(actor, draft: Draft, intent: str, query: str, visible, establishment) -> ChildStep:
    """Add, remove or find a child, only ever among the children the recorder may see."""
    step = ChildStep(query=query.strip()[:100])
    removing = _number(intent[7:]) if intent.startswith("remove:") else None
    if intent.startswith("add:") and _number(intent[4:]) is not None:
        step.added = _number(intent[4:])
        draft.child_ids.append(step.added)
    ids = draft.child_ids + ([removing] if removing is not None else [])
    step.chosen = {c.pk: c for c in visible.filter(pk__in=ids)}
    if removing in step.chosen:
        step.removed = step.chosen.pop(removing).display_name
    draft.child_ids = [c for c in dict.fromkeys(draft.child_ids) if c in step.chosen]
    if step.added not in step.chosen:
        step.added = None
    elif step.added is not None:
        step.query = ""  # added: the search box is ready for the next child
    if intent == "find" and step.query:
        step.searched = True
        with transaction.atomic():
            step.found = [c for c in children_search(actor, query=step.query, establishment_id=establishment.pk)[:10]
                          if c.pk not in step.chosen]
            audit_search(actor, results=len(step.found))
    return step


def first_sent_at(actor, key: str) -> datetime | None:
    """When a concern this person already sent with this one-time key says it happened (a retry)."""
    return Concern.objects.filter(recorded_by=actor, idempotency_key=key).values_list("occurred_at", flat=True).first()
