"""The record behind each chronology entry (the concern, referral, meeting, safety plan...), linked only
when the reader may open it: the visibility decision is the record's own selector (`*_visible_to`), asked
once per kind of record for a whole page, so the page makes the same number of queries however long it is.

Someone may read a row without being able to open its record: the lead of a linked school or home reads
the note about a concern raised at the other half, not the concern (CE 11.3). They get the row, no link.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from django.db.models import Q
from django.urls import reverse

from safekeep.actions.selectors import actions_visible_to
from safekeep.children.models import Child
from safekeep.concerns.models import Concern
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.meetings.models import Attendee
from safekeep.meetings.selectors import meetings_visible_to
from safekeep.missing.models import MissingEpisode
from safekeep.referrals.models import Consultation, NrmTracker
from safekeep.referrals.selectors import referrals_visible_to, team_records
from safekeep.safetyplans.selectors import decisions_visible_to, plans_visible_to, sanctions_visible_to
from safekeep.sharing.models import InformationShare, SourceKind


@dataclass(frozen=True)
class Record:
    visible: Callable  # actor -> the queryset of these records the actor may open
    link: Callable  # (record id, entry) -> the address of its page
    words: str  # the link's words


def _page(name):
    return lambda pk, entry: reverse(name, args=[pk])


def _childs_plans(pk, entry):
    return reverse("safetyplans:child", args=[entry.child_id])


RECORDS = {
    "concern": Record(concerns_visible_to, _page("concerns:detail"), "Open the concern"),
    "referral": Record(referrals_visible_to, _page("referrals:detail"), "Open the referral"),
    "nrmtracker": Record(lambda actor: team_records(NrmTracker, actor), _page("referrals:nrm"),
                         "Open the NRM tracker"),
    "safetyplan": Record(plans_visible_to, _page("safetyplans:detail"), "Open the safety plan"),
    "plandecision": Record(decisions_visible_to, _childs_plans, "Open the child's safety plans"),
    "sanction": Record(sanctions_visible_to, _childs_plans, "Open the child's safety plans"),
    "meeting": Record(meetings_visible_to, _page("meetings:detail"), "Open the meeting record"),
    "action": Record(actions_visible_to, _page("actions:detail"), "Open the action"),
}

# An entry's object (ChronologyEntry.object_type) -> the record whose page shows it. An addendum or a
# triage decision is read on its concern's page; a share, on the meeting or referral it was made from, else
# its concern's. Consultations, case changes and leaving have no page of their own: no link.
_ON_THE_CONCERN = {"concern", "addendum", "triage"}
_SHARE_SOURCES = {SourceKind.MEETING: "meeting", SourceKind.REFERRAL: "referral"}


def _number(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _shares_shown_at(share_ids) -> dict[int, tuple[str, int]]:
    """Each share's record: where it was made from, or its concern (one query for the page)."""
    found = {}
    for share in InformationShare.objects.filter(pk__in=share_ids).values("pk", "source_kind", "source_id",
                                                                          "concern_id"):
        source = _SHARE_SOURCES.get(share["source_kind"])
        if source and _number(share["source_id"]):
            found[share["pk"]] = (source, int(share["source_id"]))
        elif share["concern_id"]:
            found[share["pk"]] = ("concern", share["concern_id"])
    return found


def attach_record_links(actor, entries) -> None:
    """Set `record_url` and `record_words` on each entry whose record the actor may open (else "")."""
    targets = {}
    shares = [e for e in entries if e.object_type == "informationshare" and _number(e.object_id)]
    shown_at = _shares_shown_at([int(e.object_id) for e in shares]) if shares else {}
    for entry in entries:
        if entry.object_type in _ON_THE_CONCERN and entry.concern_id:
            targets[entry.pk] = ("concern", entry.concern_id)
        elif entry.object_type == "informationshare":
            target = shown_at.get(_number(entry.object_id))
            if target:
                targets[entry.pk] = target
        elif entry.object_type in RECORDS and _number(entry.object_id):
            targets[entry.pk] = (entry.object_type, int(entry.object_id))
    wanted = defaultdict(set)
    for record, pk in targets.values():
        wanted[record].add(pk)
    may_open = {record: set(RECORDS[record].visible(actor).filter(pk__in=ids).values_list("pk", flat=True))
                for record, ids in wanted.items()}
    for entry in entries:
        record, pk = targets.get(entry.pk, (None, None))
        opens = record is not None and pk in may_open[record]
        entry.record_url = RECORDS[record].link(pk, entry) if opens else ""
        entry.record_words = RECORDS[record].words if opens else ""


def names_behind(child, entries) -> set[str]:
    """The names of the third parties the records behind these entries hold in a field of their own
    (redaction.py): other children, in full and by each name, the people outside Safekeep the records
    name, and the adult an allegation is about. Asked of every record behind an entry, whether or not the
    reader may open it: they are only ever taken out. A fixed number of queries however many entries."""
    concern_ids = {entry.concern_id for entry in entries if entry.concern_id}
    ids = defaultdict(set)
    for entry in entries:
        if _number(entry.object_id):
            ids[entry.object_type].add(int(entry.object_id))
    others = (Child.objects.exclude(pk=child.pk)
              .filter(Q(concerns_involved__concern_id__in=concern_ids) | Q(shares__in=ids["informationshare"])
                      | Q(meetings__in=ids["meeting"])).values_list("first_name", "last_name", "preferred_name"))
    names = set()
    for first, last, preferred in others.distinct():
        names |= {f"{first} {last}", f"{preferred} {last}", first, last, preferred}
    people = [
        # Who reported a concern is a user of Safekeep acting in their role: kept, as every professional's
        # name is (redaction.py). The adult an allegation is about is a party to what happened: withheld.
        Concern.objects.filter(pk__in=concern_ids).values_list("subject__full_name"),
        InformationShare.objects.filter(pk__in=ids["informationshare"]).values_list("recipient"),
        Attendee.objects.filter(meeting_id__in=ids["meeting"]).values_list("name"),
        Consultation.objects.filter(pk__in=ids["consultation"]).values_list("spoke_to"),
        NrmTracker.objects.filter(pk__in=ids["nrmtracker"]).values_list("guardian"),
    ]
    for rows in people:
        names |= {name for row in rows for name in row if name}
    # Encrypted: read row by row (a child goes missing a handful of times, not thousands).
    names |= {episode.reported_by for episode in MissingEpisode.objects.filter(pk__in=ids["missingepisode"])
              .only("reported_by") if episode.reported_by}
    return {name for name in names if name}
