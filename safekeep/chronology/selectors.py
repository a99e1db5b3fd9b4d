"""Reading a child's chronology: one page of entries with everything each row shows, in a fixed number of
queries however long the chronology is (DESIGN.md section 7); audited, fail closed."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import BooleanField, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from safekeep.audit.services import audit_record
from safekeep.authz.access import establishments_where, role_for
from safekeep.authz.roles import Permission
from safekeep.children.selectors import access_child, establishment_for

from .forms import TYPES, ChronologyFilterForm, Filters
from .models import ChronologyEntry, KeyEventMark

PAGE_SIZE = 100
# A printout is for a meeting: everything that matches, oldest first, in parts of this many.
PRINT_SIZE = 1000

KIND_WORDS = {
    "concern.recorded": "Concern recorded",
    "concern.read": "Concern read by the safeguarding team",
    "concern.addendum": "Addendum to a concern",
    "concern.triaged": "Triage decision",
    "concern.attachment": "Photo or screenshot added to a concern",
    "concern.linked_note": "Note from the linked school or home",
    "concern.subject_named": "Adult named on an allegation",
    "concern.subject_proposed": "Adult proposed for an allegation, to be confirmed",
    "concern.subject_corrected": "Adult's name on an allegation corrected",
    "concern.subject_rejected": "Adult proposed for an allegation rejected",
    "referral.made": "Referral to another agency",
    "referral.outcome": "Agency's decision on a referral",
    "referral.consultation": "No-names consultation",
    "referral.nrm_opened": "National Referral Mechanism tracker started",
    "referral.nrm_update": "National Referral Mechanism update",
    "case.close": "Case closed",
    "case.reopen": "Case reopened",
    "case.leaving": "Leaving for another school or college",
    "plan.created": "Safety plan put in place",
    "plan.revised": "Safety plan revised",
    "plan.reviewed": "Safety plan reviewed, no change",
    "plan.closed": "Safety plan closed",
    "plan.decision": "Decision whether a safety plan is needed",
    "sanction.recorded": "Sanction recorded",
    "sanction.withdrawn": "Sanction withdrawn",
    "share.recorded": "Information shared with another agency",
    "meeting.recorded": "Meeting",
    "meeting.note": "Note added to a meeting record",
    "action.required": "Action the policies require",
    "action.added": "Action added",
    "action.completed": "Action done",
    "action.cancelled": "Action cancelled",
    "action.reassigned": "Action passed to someone else",
    "action.escalated": "Overdue action escalated",
}
KIND_TYPES = {
    "referral.made": "referral",
    "referral.outcome": "referral",
    "referral.consultation": "referral",
    "referral.nrm_opened": "referral",
    "referral.nrm_update": "referral",
    "case.close": "case",
    "case.reopen": "case",
    "case.leaving": "case",
    "plan.created": "plan",
    "plan.revised": "plan",
    "plan.reviewed": "plan",
    "plan.closed": "plan",
    "plan.decision": "plan",
    "sanction.recorded": "plan",
    "sanction.withdrawn": "plan",
    "concern.recorded": "concern",
    "concern.read": "concern",
    "concern.addendum": "addendum",
    "concern.attachment": "addendum",
    "concern.subject_named": "concern",
    "concern.subject_proposed": "concern",
    "concern.subject_corrected": "concern",
    "concern.subject_rejected": "concern",
    "concern.triaged": "triage",
    "share.recorded": "share",
    "meeting.recorded": "meeting",
    "meeting.note": "meeting",
}
# The child's role is shown on the entries that are the concern as it concerns them.
ROLE_TYPES = {"concern", "addendum", "triage"}


def _same_place():
    """Written at the establishment where the concern was raised (or about no concern at all)."""
    return Q(concern__isnull=True) | Q(establishment_id=F("concern__establishment_id"))


def type_filter(entry_type: str) -> Q:
    if entry_type == "linked":
        # The linked school or home's part, on the child's file there (CE 11.3 Integrated settings).
        return Q(concern__isnull=False) & ~Q(establishment_id=F("concern__establishment_id"))
    if entry_type == "action":
        return Q(kind__startswith="action.") & _same_place()
    return Q(kind__in=[kind for kind, t in KIND_TYPES.items() if t == entry_type]) & _same_place()


def entry_type(entry) -> str:
    if entry.concern_id and entry.establishment_id != entry.concern_establishment_id:
        return "linked"
    if entry.kind.startswith("action."):
        return "action"
    return KIND_TYPES.get(entry.kind, "")


def category_choices(packs) -> list[tuple[str, list[tuple[str, str]]]]:
    """Categories of the adopted policies, grouped by policy, in plain words."""
    seen, groups = set(), []
    for pack in packs:
        options = [(c.code, c.label) for c in pack.categories if c.code not in seen]
        seen |= {code for code, _ in options}
        if options:
            groups.append((pack.title, options))
    return groups


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _readable_by(actor):
    """Entries written where the actor may read children's records (the list form of can(actor, child.view,
    entry)), and what the linked half did about a concern raised where they may; less those of allegations
    about adults the actor may not see (DESIGN.md section 1).

    At the linked school or home the child's file gets the note about a concern raised at the other
    half, and its own work on it, nothing more (CE 11.3): the other half's addenda and triage reasoning
    are written there, so they stay there; its safeguarding lead shares what the linked lead needs.
    """
    from safekeep.concerns.selectors import allegations_hidden_from

    places = establishments_where(actor, Permission.CHILD_VIEW)
    return (ChronologyEntry.objects.filter(Q(establishment_id__in=places) | Q(concern__establishment_id__in=places))
            .exclude(concern_id__in=allegations_hidden_from(actor)))


def chronology_entries(actor, child, filters: Filters):
    """The child's entries the actor may read, with the filters applied, each annotated with what its row shows."""
    from safekeep.concerns.models import ConcernChild

    latest_mark = KeyEventMark.objects.filter(entry=OuterRef("pk")).order_by("-marked_at", "-id")
    entries = (_readable_by(actor).filter(child=child).select_related("recorded_by", "establishment")
               .annotate(child_role=Subquery(ConcernChild.objects.filter(concern_id=OuterRef("concern_id"),
                                                                         child_id=OuterRef("child_id"))
                                             .values("role")[:1]),
                         is_key=Coalesce(Subquery(latest_mark.values("key")[:1]), F("key_event"),
                                         output_field=BooleanField()),
                         key_marked_by=Subquery(latest_mark.values("marked_by__full_name")[:1]),
                         concern_establishment_id=F("concern__establishment_id")))
    if filters.type in TYPES:
        entries = entries.filter(type_filter(filters.type))
    if filters.category:
        entries = entries.filter(categories__contains=f",{filters.category},")
    if filters.date_from:
        entries = entries.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        entries = entries.filter(occurred_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    if filters.key_only:
        entries = entries.filter(is_key=True)
    return entries


@dataclass
class Chronology:
    child: object
    entries: Page
    form: ChronologyFilterForm
    filters: Filters
    categories: list = field(default_factory=list)  # grouped choices for the category filter
    category_labels: dict = field(default_factory=dict)
    may_mark: bool = False
    printing: bool = False

    @property
    def applied(self) -> list[str]:
        return self.filters.describe(self.category_labels)

    @property
    def errors(self) -> dict[str, str]:
        return {name: " ".join(problems) for name, problems in self.form.errors.items()}


def access_entry(actor, entry_id, action: str) -> ChronologyEntry:
    """One entry of a child's chronology the actor may read, or NotVisible (404): missing and not-yours alike."""
    from safekeep.authz.access import deny_if_subject_of_allegation, get_visible
    from safekeep.children.selectors import children_visible_to

    entry = get_visible(_readable_by(actor).filter(child__in=children_visible_to(actor)).select_related("child"),
                        entry_id, action)
    # Never the adult an allegation is about: neither through the child nor through the entry's concern.
    deny_if_subject_of_allegation(actor, entry.child, action)
    deny_if_subject_of_allegation(actor, entry, action)
    return entry


def read_chronology(actor, child_id, *, params=None, page: int = 1, printing: bool = False) -> Chronology:
    """A child's chronology, by when things happened, a page at a time (newest first; a printout is
    oldest first); filtered by params (the query string). Audited, fail closed."""
    from safekeep.concerns.models import ConcernChild
    from safekeep.packs.selectors import packs_for

    role_words = dict(ConcernChild.Role.choices)
    with transaction.atomic():
        child = access_child(actor, child_id, action="child.chronology.view")
        establishment_id = establishment_for(actor, child, Permission.CHILD_VIEW)
        establishment = next((e.establishment for e in child.current if e.establishment_id == establishment_id), None)
        categories = category_choices(packs_for(establishment)) if establishment is not None else []
        form = ChronologyFilterForm(params, categories=categories)
        filters = form.filters()
        order = ("occurred_at", "id") if printing else ("-occurred_at", "-id")
        paginator = Paginator(chronology_entries(actor, child, filters).order_by(*order),
                              PRINT_SIZE if printing else PAGE_SIZE)
        page_obj = paginator.get_page(page)
        role = role_for(actor, Permission.CHILD_VIEW, establishment) if establishment is not None else ""
        audit_record(actor=actor, action="child.chronology.view", obj=child, establishment_id=establishment_id,
                     role=role, detail={"page": page_obj.number, "filters": filters.names(), "print": printing})
    labels = {code: label for _, options in categories for code, label in options}
    page_obj.object_list = list(page_obj.object_list)
    for entry in page_obj.object_list:
        entry.type = entry_type(entry)
        entry.kind_words = KIND_WORDS.get(entry.kind, entry.kind.replace(".", " ").replace("_", " ").capitalize())
        entry.category_labels = [labels.get(code, code) for code in entry.category_codes]
        entry.shows_role = entry.type in ROLE_TYPES and bool(entry.child_role)
        entry.role_label = role_words.get(entry.child_role, entry.child_role or "")
    # Marking a key event is a triage decision's kind of judgement: the same people (see services).
    return Chronology(child=child, entries=page_obj, form=form, filters=filters, categories=categories,
                      category_labels=labels, may_mark=bool(role), printing=printing)
