"""Reading a child's chronology: one page of entries with everything each row shows, in a fixed number of
queries however long the chronology is (DESIGN.md section 7); audited, fail closed."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import BooleanField, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from safekeep.audit.services import audit_record
from safekeep.authz.access import deny_if_subject_of_allegation, establishments_where, get_visible, role_for
from safekeep.authz.roles import Permission, role_label
from safekeep.children.selectors import access_child, children_visible_to, establishment_for
from safekeep.concerns.models import ConcernChild
from safekeep.concerns.selectors import concerns_visible_to, not_a_hidden_allegation
from safekeep.core import clock
from safekeep.packs.selectors import packs_for

from .forms import TYPES, ChronologyFilterForm, Filters
from .kinds import KINDS, TRACKED_KINDS, is_record, words_for
from .models import ChronologyEntry, ChronologyPdfRequest, KeyEventMark
from .pdf import unseal
from .records import attach_record_links, names_behind
from .redaction import NONE, Redaction, own_name_words, redaction_of

PAGE_SIZE = 100
# A printout is for a meeting: everything that matches, oldest first, in parts of this many.
PRINT_SIZE = 1000
# An entry's one-line summary on the page: its whole words are a click away, and always in the printout.
HEADLINE_LENGTH = 160

# The child's role is shown on the entries that are the concern as it concerns them.
ROLE_TYPES = {"concern", "addendum", "triage"}


def _same_place():
    """Written at the establishment where the concern was raised (or about no concern at all)."""
    return Q(concern__isnull=True) | Q(establishment_id=F("concern__establishment_id"))


def type_filter(entry_type: str) -> Q:
    if entry_type == "linked":
        # The linked school or home's part, on the child's file there (CE 11.3 Integrated settings).
        return Q(concern__isnull=False) & ~Q(establishment_id=F("concern__establishment_id"))
    return Q(kind__in=[kind for kind, about in KINDS.items() if about.type == entry_type]) & _same_place()


def entry_type(entry) -> str:
    if entry.concern_id and entry.establishment_id != entry.concern_establishment_id:
        return "linked"
    about = KINDS.get(entry.kind)
    return about.type if about else ""


def _record_or_marked() -> Q:
    """What happened to the child, and any step a DSL marked as a key event themselves."""
    return ~Q(kind__in=TRACKED_KINDS) | Q(marked_key=True)


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
    places = establishments_where(actor, Permission.CHILD_VIEW)
    # Judged on the entry's own concern, which the page joins anyway: no pass over every allegation.
    return (ChronologyEntry.objects.filter(Q(establishment_id__in=places) | Q(concern__establishment_id__in=places))
            .filter(not_a_hidden_allegation(actor, "concern")))


def chronology_entries(actor, child, filters: Filters):
    """The child's entries the actor may read, with the filters applied, each annotated with what its row shows."""
    latest_mark = KeyEventMark.objects.filter(entry=OuterRef("pk")).order_by("-marked_at", "-id")
    entries = (_readable_by(actor).filter(child=child).select_related("recorded_by", "establishment")
               .annotate(child_role=Subquery(ConcernChild.objects.filter(concern_id=OuterRef("concern_id"),
                                                                         child_id=OuterRef("child_id"))
                                             .values("role")[:1]),
                         marked_key=Subquery(latest_mark.values("key")[:1]))
               .annotate(is_key=Coalesce(F("marked_key"), F("key_event"), output_field=BooleanField()),
                         key_marked_by=Subquery(latest_mark.values("marked_by__full_name")[:1]),
                         concern_establishment_id=F("concern__establishment_id")))
    if filters.type in TYPES:
        entries = entries.filter(type_filter(filters.type))
    if not filters.shows_tracked:
        entries = entries.filter(_record_or_marked())
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
    tracked_hidden: int = 0  # steps Safekeep tracked that match the other filters, left out


    @property
    def applied(self) -> list[str]:
        return self.filters.describe(self.category_labels)

    @property
    def errors(self) -> dict[str, str]:
        return {name: " ".join(problems) for name, problems in self.form.errors.items()}


def access_entry(actor, entry_id, action: str) -> ChronologyEntry:
    """One entry of a child's chronology the actor may read, or NotVisible (404): missing and not-yours alike."""
    entry = get_visible(_readable_by(actor).filter(child__in=children_visible_to(actor)).select_related("child"),
                        entry_id, action)
    # Never the adult an allegation is about: neither through the child nor through the entry's concern.
    deny_if_subject_of_allegation(actor, entry.child, action)
    deny_if_subject_of_allegation(actor, entry, action)
    return entry


def read_chronology(actor, child_id, *, params=None, page: int = 1, printing: bool = False) -> Chronology:
    """A child's chronology, by when things happened, a page at a time (newest first; a printout is
    oldest first); filtered by params (the query string). Audited, fail closed."""
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
        tracked_hidden = 0
        if not filters.shows_tracked:
            # The entries shown and the tracked steps left out, counted in one pass.
            counts = chronology_entries(actor, child, filters.with_tracked()).aggregate(
                every=Count("pk"), shown=Count("pk", filter=_record_or_marked()))
            paginator.count, tracked_hidden = counts["shown"], counts["every"] - counts["shown"]
        page_obj = paginator.get_page(page)
        role = role_for(actor, Permission.CHILD_VIEW, establishment) if establishment is not None else ""
        audit_record(actor=actor, action="child.chronology.view", obj=child, establishment_id=establishment_id,
                     role=role, detail={"page": page_obj.number, "filters": filters.names(), "print": printing})
    labels = {code: label for _, options in categories for code, label in options}
    page_obj.object_list = list(page_obj.object_list)
    _describe(page_obj.object_list, labels)
    attach_record_links(actor, page_obj.object_list)
    # Marking a key event is a triage decision's kind of judgement: the same people (see services).
    return Chronology(child=child, entries=page_obj, form=form, filters=filters, categories=categories,
                      category_labels=labels, may_mark=bool(role), printing=printing, tracked_hidden=tracked_hidden)


def _describe(entries, labels: dict[str, str]) -> None:
    """What each row shows besides its words: its type, kind, tags, categories and the child's role."""
    role_words = dict(ConcernChild.Role.choices)
    for entry in entries:
        entry.type = entry_type(entry)
        entry.kind_words = words_for(entry.kind)
        entry.tracked = not is_record(entry.kind)
        entry.headline = one_line(entry.summary)
        entry.shortened = entry.headline != " ".join(entry.summary.split())
        entry.category_labels = [labels.get(code, code) for code in entry.category_codes]
        entry.shows_role = entry.type in ROLE_TYPES and bool(entry.child_role)
        entry.role_label = role_words.get(entry.child_role, entry.child_role or "")


@dataclass
class ChronologyExport:
    """Everything the case conference PDF holds: the child's whole chronology as the page shows it by default
    (oldest first), the words of each concern the reader may open, and who printed it, when."""
    child: object
    entries: list
    establishment: object
    printed_by: str
    printed_role: str
    printed_at: datetime
    tracked_hidden: int
    redaction: Redaction


def read_chronology_for_export(actor, child_id, *, redact: bool) -> ChronologyExport:
    """A child's chronology for a case conference: every entry the page shows by default, read through the
    page's own selector (hidden allegations stay hidden), with the words of each concern recorded about the
    child that the reader may open (what happened, and the child's own words exactly as written). redact:
    other people's names, as records.names_behind finds them, are withheld. Audited, fail closed: the
    export's row names the child, whether names were withheld and how many entries, nothing of the content."""
    with transaction.atomic():
        child = access_child(actor, child_id, action="child.chronology.export")
        establishment_id = establishment_for(actor, child, Permission.CHILD_VIEW)
        establishment = next((e.establishment for e in child.current if e.establishment_id == establishment_id), None)
        categories = category_choices(packs_for(establishment)) if establishment is not None else []
        every = chronology_entries(actor, child, Filters(tracked=True))
        entries = list(every.filter(_record_or_marked()).order_by("occurred_at", "id"))
        tracked_hidden = every.count() - len(entries)
        recorded = {entry.concern_id for entry in entries if entry.kind == "concern.recorded"}
        words = {concern.pk: concern for concern in concerns_visible_to(actor).filter(pk__in=recorded)
                 .only("pk", "narrative", "childs_words")} if recorded else {}
        redaction = NONE
        if redact:
            redaction = redaction_of(names_behind(child, entries), keep=own_name_words(
                child.first_name, child.last_name, child.preferred_name))
        role = role_for(actor, Permission.CHILD_VIEW, establishment) if establishment is not None else ""
        audit_record(actor=actor, action="child.chronology.export", obj=child, establishment_id=establishment_id,
                     role=role, detail={"format": "pdf", "redacted": bool(redact), "entries": len(entries)})
    _describe(entries, {code: label for _, options in categories for code, label in options})
    for entry in entries:
        concern = words.get(entry.concern_id) if entry.kind == "concern.recorded" else None
        entry.narrative = concern.narrative if concern is not None else ""
        entry.childs_words = (concern.childs_words or "") if concern is not None else ""
    return ChronologyExport(child=child, entries=entries, establishment=establishment,
                            printed_by=actor.full_name or actor.email,
                            printed_role=role_label(role, establishment.kind if establishment else None),
                            printed_at=clock.now(), tracked_hidden=tracked_hidden, redaction=redaction)


def export_length(actor, child_id) -> int:
    """How many entries the case conference PDF of this child's chronology would hold: only to choose whether it
    is built now or by the worker. 404 for a child the actor may not read; what follows (the download, or the
    request for the worker) audits the read."""
    child = get_visible(children_visible_to(actor), child_id, "child.chronology.export")
    deny_if_subject_of_allegation(actor, child, "child.chronology.export")
    return chronology_entries(actor, child, Filters(tracked=True)).filter(_record_or_marked()).count()


def read_pdf_request(actor, request_id) -> ChronologyPdfRequest:
    """A chronology PDF the actor asked for, while they may still read that child's chronology: NotVisible (404)
    for anyone else's and for a missing one alike. The page says only how it is going, nothing of the child."""
    asked = get_visible(ChronologyPdfRequest.objects.filter(requested_by=actor, child__in=children_visible_to(actor))
                        .defer("pdf"), request_id, "child.chronology.export.view")
    deny_if_subject_of_allegation(actor, asked.child, "child.chronology.export.view")
    return asked


def read_pdf_download(actor, request_id) -> tuple[ChronologyPdfRequest, bytes]:
    """The PDF prepared for the actor, decrypted, with its request: for the person who asked alone, and only once
    it is ready (NotVisible otherwise). Every download is audited against the child, fail closed."""
    with transaction.atomic():
        ready = ChronologyPdfRequest.objects.filter(requested_by=actor, status=ChronologyPdfRequest.Status.READY)
        asked = get_visible(ready, request_id, "child.chronology.export.download")
        # The same check as the child's chronology page, at the time of the download: a role ended since the
        # request means no PDF.
        access_child(actor, asked.child_id, action="child.chronology.export.download")
    return asked, unseal(asked.pdf)


def one_line(summary: str) -> str:
    """The entry's words on one line: its first line, cut at a word before HEADLINE_LENGTH characters."""
    text = (summary or "").strip()
    first = " ".join(text.split("\n", 1)[0].split())
    if len(first) > HEADLINE_LENGTH:
        return first[:HEADLINE_LENGTH].rsplit(" ", 1)[0].rstrip(" .,;:") + "…"
    return first.rstrip(" .,;:") + "…" if "\n" in text else first
