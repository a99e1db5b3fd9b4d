"""Reads of subject access requests: the safeguarding team and the data protection officer at the child's
establishment (roles.py subjectaccess.manage); 404 for anyone else. Gathering the child's records for the
answer is a read of them through the selectors the reader's own pages use (the chronology export, the child's
referral work), so it needs child.view as well, and each read is audited.

Redactions are PROPOSED from structured data only, never guessed from free text: the other children named in
the same concerns (by their names as Safekeep holds them), the staff who recorded entries, referrals and
agencies' answers, and what other agencies answered a referral. A person decides each one."""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, can, establishments_where, get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.children.models import Child
from safekeep.meetings.models import Attendee
from safekeep.chronology.redaction import own_name_words
from safekeep.chronology.selectors import read_chronology_for_export
from safekeep.packs.selectors import packs_for
from safekeep.policy.packs import SubjectAccess, shipped_packs
from safekeep.referrals.selectors import child_referral_work
from safekeep.sharing.models import InformationShare

from .models import Exemption, SubjectAccessRequest

SHORTEST = 2  # a one-letter "name" would be withheld inside other words' neighbours


def subject_access_rules(establishment) -> SubjectAccess | None:
    """The adopted packs' subject access section for the establishment; where none gives one, the statutory
    baseline's as shipped: the right of access is the law, whatever local policies an organisation adopted."""
    adopted = next((pack.subject_access for pack in packs_for(establishment) if pack.subject_access is not None),
                   None)
    return adopted or next((pack.subject_access for pack in shipped_packs() if pack.subject_access is not None), None)


def requests_visible_to(actor):
    places = establishments_where(actor, Permission.SUBJECT_ACCESS_MANAGE)
    if not places:
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.filter(establishment_id__in=places)


def access_request(actor, request_id, action: str) -> SubjectAccessRequest:
    """One request the person may manage, audited in the caller's transaction; 404 alike for missing and
    not-yours."""
    request = get_visible(requests_visible_to(actor).select_related(
        "establishment", "child", "action", "recorded_by", "extended_by", "decided_by"), request_id, action)
    audit_record(actor=actor, action=action, obj=request, establishment_id=request.establishment_id,
                 role=role_for(actor, Permission.SUBJECT_ACCESS_MANAGE, request), detail={"child": request.child_id})
    return request


def read_requests(actor) -> list[SubjectAccessRequest]:
    """The requests the person manages, soonest due first (the list is audited as one read)."""
    with transaction.atomic():
        requests = list(requests_visible_to(actor).select_related("establishment", "child", "action"))
        audit_record(actor=actor, action="subjectaccess.list", object_type="subjectaccessrequest",
                     detail={"results": len(requests)})
    return requests


def read_request(actor, request_id):
    """The request and the decisions kept about what its answer withheld."""
    with transaction.atomic():
        request = access_request(actor, request_id, "subjectaccess.view")
        decisions = list(request.decisions.select_related("decided_by"))
    request.gathers = can(actor, Permission.CHILD_VIEW, request)
    return request, decisions


@dataclass
class Proposal:
    """One redaction Safekeep proposes: what it is about (item, kind), in words for the person deciding, and
    the names to withhold wherever they appear (or, for an agency's answer, the whole answer)."""
    item: str
    kind: str
    description: str
    names: set[str] = field(default_factory=set)
    suggested: str = Exemption.THIRD_PARTY.value


@dataclass
class Gathered:
    """The child's records as the reader's own pages show them, and the redactions proposed for them."""
    request: SubjectAccessRequest
    export: object  # the chronology export (entries with each concern's words)
    referrals: list
    proposals: list[Proposal]


def _child_names(first, last, preferred) -> set[str]:
    return {name for name in (f"{first} {last}", f"{preferred} {last}" if preferred else "", first, last, preferred)
            if name and len(name) >= SHORTEST}


def gather(actor, request_id) -> Gathered:
    """The child's chronology (with its concerns' words), referrals and agencies' answers, read through the
    chronology export and the child's referral work (each audited), and the redactions proposed. 404 for one
    who manages requests but does not read children's records (the data protection officer)."""
    with transaction.atomic():
        request = access_request(actor, request_id, "subjectaccess.gather")
        if not can(actor, Permission.CHILD_VIEW, request):
            raise NotVisible("subjectaccess.gather", "subjectaccessrequest", request.pk, request.establishment_id)
        export = read_chronology_for_export(actor, request.child_id, redact=False)
        work = child_referral_work(actor, request.child)
    child = request.child
    own = own_name_words(child.first_name, child.last_name, child.preferred_name)
    concern_ids = {entry.concern_id for entry in export.entries if entry.concern_id}
    behind = {kind: {int(entry.object_id) for entry in export.entries
                     if entry.object_type == kind and str(entry.object_id).isdigit()}
              for kind in ("informationshare", "meeting")}
    proposals = []
    others = (Child.objects.exclude(pk=child.pk)
              .filter(Q(concerns_involved__concern_id__in=concern_ids) | Q(shares__in=behind["informationshare"])
                      | Q(meetings__in=behind["meeting"])).distinct().order_by("last_name", "first_name", "pk"))
    for other in others:
        names = {name for name in _child_names(other.first_name, other.last_name, other.preferred_name)
                 if name.casefold() not in own}
        proposals.append(Proposal(item=f"child:{other.pk}", kind="other_child", names=names,
                                  description="Another child named in the same concerns, shares or meetings: "
                                              f"{other.first_name} {other.last_name}"))
    staff = {}
    for entry in export.entries:
        if entry.recorded_by_id:
            staff.setdefault(entry.recorded_by_id, entry.recorded_by)
    for referral in work["referrals"]:
        staff.setdefault(referral.made_by_id, referral.made_by)
        for outcome in referral.outcomes.all():
            staff.setdefault(outcome.recorded_by_id, outcome.recorded_by)
    for person in sorted(staff.values(), key=lambda person: (person.full_name or "", person.pk)):
        if person.full_name and person.full_name.casefold() not in own:
            proposals.append(Proposal(item=f"person:{person.pk}", kind="staff", names={person.full_name},
                                      description=f"A member of staff who recorded something: {person.full_name}"))
    # Professionals of other agencies the records name: who a share went to, who attended a meeting. Each is
    # proposed once, named by the first record that holds them, so the same item is found each time.
    professionals = {}
    for pk, name, agency in InformationShare.objects.filter(pk__in=behind["informationshare"]).order_by("pk") \
            .values_list("pk", "recipient", "recipient_organisation"):
        professionals.setdefault(name, (f"share:{pk}", agency))
    for pk, name, agency in Attendee.objects.filter(meeting_id__in=behind["meeting"]).order_by("pk") \
            .values_list("pk", "name", "agency"):
        professionals.setdefault(name, (f"attendee:{pk}", agency))
    staff_names = {person.full_name for person in staff.values()}
    for name, (item, agency) in sorted(professionals.items()):
        if name and name not in staff_names and name.casefold() not in own:
            proposals.append(Proposal(item=item, kind="agency", names={name},
                                      description=f"Someone from another agency the records name: {name} ({agency})"))
    for referral in work["referrals"]:
        if referral.outcomes.all():
            proposals.append(Proposal(
                item=f"agency:{referral.pk}", kind="agency",
                description=f"What {referral.agency_name} answered to the referral of "
                            f"{referral.made_at:%-d %B %Y}"))
    return Gathered(request=request, export=export, referrals=work["referrals"], proposals=proposals)


WITHHELD = "[withheld: {}]"


@dataclass(frozen=True)
class Withholding:
    """The decisions applied: names replaced wherever they appear, and agencies' answers replaced whole."""
    pattern: re.Pattern | None
    by_name: dict
    agencies: dict  # referral id -> the words that replace its answers

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text or ""
        return self.pattern.sub(lambda match: self.by_name[" ".join(match.group(0).split()).casefold()], text)


def withholding(proposals: list[Proposal], decided: dict[str, str]) -> Withholding:
    """decided: item -> the exemption it is withheld under, or "" where it is kept. An item proposed since the
    decisions were made (a record added later) is withheld as third-party data until someone decides it."""
    labels = dict(Exemption.choices)
    by_name, agencies = {}, {}
    for proposal in proposals:
        code = decided.get(proposal.item, Exemption.THIRD_PARTY.value)
        if not code:
            continue
        words = WITHHELD.format(labels[code])
        if proposal.item.startswith("agency:"):  # an agency's answer to a referral: replaced whole
            agencies[int(proposal.item.split(":")[1])] = words
        for name in proposal.names:
            by_name.setdefault(" ".join(name.split()).casefold(), words)
    if not by_name:
        return Withholding(None, {}, agencies)
    spaced = (r"\s+".join(re.escape(word) for word in name.split())
              for name in sorted(by_name, key=lambda name: (-len(name), name)))
    return Withholding(re.compile(r"(?<!\w)(?:" + "|".join(spaced) + r")(?!\w)", re.IGNORECASE), by_name, agencies)


def decided_withholding(actor, request_id) -> Withholding:
    """The kept decisions applied to what the child's records propose now (gathered again, audited)."""
    gathered = gather(actor, request_id)
    decided = {d.item: (d.exemption if d.withheld else "") for d in gathered.request.decisions.all()}
    return withholding(gathered.proposals, decided)
