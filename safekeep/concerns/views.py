import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from safekeep.attachments import recording as attachment_recording
from safekeep.audit.services import audit_denial, audit_record
from safekeep.authz.access import NotVisible, can, establishments_where, get_visible, require_permission
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import children_visible_to
from safekeep.establishments.models import Establishment, Location
from safekeep.establishments.selectors import locations_for
from safekeep.packs.selectors import packs_for
from safekeep.policy.language import check_language
from safekeep.safetyplans import selectors as plans
from safekeep.safetyplans.services import is_child_on_child

from . import selectors, services
from .forms import InboxFilter
from .models import AdultRelationship, ConcernChild, SubjectNaming, Triage
from .patterns import PATTERNS_SHOWN, patterns_for
from .recording import Draft, children_step, first_sent_at, is_child_step


def concern_inbox(request):
    """The safeguarding team's inbox; for other staff, the concerns they recorded and whether they were read."""
    team_places = establishments_where(request.user, Permission.CHILD_VIEW)
    team = bool(team_places)
    after = request.GET.get("after", "")
    # A home page's figure drills down to the inbox narrowed (?show=, ?establishment=, ?recorded_from=).
    narrowed = InboxFilter(request.GET) if set(request.GET) & set(InboxFilter.base_fields) else None
    only = narrowed.narrowing() if narrowed else None
    page = selectors.inbox(request.user, after=after, only=only, words=False)  # the page lists no one's words
    # At group scale there can be thousands: the strongest are shown, and the page says how many more.
    # A narrowed list is about the figure it came from, so the patterns stay on the whole inbox.
    patterns = patterns_for(request.user) if team and only is None else []
    return render(request, "concerns/inbox.html", {
        "concerns": page.rows, "next_cursor": page.next_cursor, "later_page": bool(selectors.inbox_cursor(after)),
        "team": team, "patterns": patterns[:PATTERNS_SHOWN], "patterns_more": max(len(patterns) - PATTERNS_SHOWN, 0),
        "narrowed": narrowed, "narrowed_to": _narrowed_to(request, narrowed) if only is not None else "",
        "narrowing": urlencode([(name, request.GET[name]) for name in InboxFilter.base_fields
                                if request.GET.get(name)]) if only is not None else ""})


def _narrowed_to(request, narrowed) -> str:
    """The narrowed list's caption, in words: which concerns, where, and when they were recorded."""
    data = narrowed.cleaned_data
    words = [InboxFilter.SHOWN[data["show"]] if data["show"] else "Concerns"]
    if data["establishment"]:
        place = Establishment.objects.filter(pk=data["establishment"],
                                             pk__in=establishments_where(request.user, Permission.CHILD_VIEW)).first()
        words.append(f"at {place.name}" if place else "at an establishment whose records you do not read")
    if data["recorded_from"]:
        words.append(f"recorded {data['recorded_from']:%-d %B %Y} to {data['recorded_to']:%-d %B %Y}")
    return " ".join(words)


def concern_detail(request, concern_id):
    concern = selectors.read_concern(request.user, concern_id)
    # Straight after recording (record's redirect): said on the page, not flashed through the session, so sending
    # a concern writes no session row (issue 12's recording budget). Only the recorder is told it was sent.
    just_sent = request.GET.get("sent") == "1" and concern.recorded_by_id == request.user.pk
    return concern_page(request, concern, just_sent=just_sent)


def concern_page(request, concern, **addendum):
    """The concern as read_concern shaped it for this person: the selector, not the page, decides what
    of the case that follows they see."""
    team = concern.team
    reads_allegations = concern.about_adult and can(request.user, Permission.ALLEGATION_VIEW, concern)
    waiting = (SubjectNaming.objects.filter(concern=concern, outcome=SubjectNaming.Outcome.WAITING)
               .select_related("subject", "proposed_by").first() if reads_allegations else None)
    may_name_adult = reads_allegations and waiting is None
    may_decide = waiting is not None and request.user.pk not in (waiting.proposed_by_id, waiting.subject_id,
                                                                 waiting.previous_subject_id)
    labels = {c.code: c.label for pack in packs_for(concern.establishment) for c in pack.categories}
    for involved in concern.children_involved.all():
        involved.category_labels = [labels.get(code, code) for code in involved.categories]
    return render(request, "concerns/detail.html", {
        "safety_plans": _safety_plans(request, concern) if team else None,
        "adults": selectors.adults_to_name(concern.establishment) if may_name_adult else None,
        "concern": concern, "actions": concern.actions_shown, "team": team, "addenda": concern.addenda_shown,
        "may_add": team or concern.recorded_by_id == request.user.pk, "naming_waiting": waiting,
        "may_decide_naming": may_decide, **addendum})


def _safety_plans(request, concern):
    """For a child-on-child concern: each child, their role, and their safety plan or the decision (CoC 11)."""
    if concern.about_adult or not is_child_on_child(concern):
        return None
    return plans.for_concern(request.user, concern)


@require_POST
def addendum_add(request, concern_id):
    concern = selectors.access_concern(request.user, concern_id, "concern.addendum")
    text = request.POST.get("text", "")
    try:
        services.addendum_add(actor=request.user, concern=concern, text=text)
    except ValidationError as error:
        concern = selectors.read_concern(request.user, concern_id)
        return concern_page(request, concern, addendum_text=text, addendum_error=" ".join(error.messages))
    messages.success(request, "Your addendum has been added. The safeguarding lead has been told.")
    return redirect("concerns:detail", concern.pk)


@require_POST
def allegation_subject_propose(request, concern_id):
    """Propose the adult's account (or a correction, with a reason): a second person confirms it."""
    concern = selectors.access_concern(request.user, concern_id, "concern.subject.propose")
    chosen = request.POST.get("subject", "")
    subject = selectors.adults_to_name(concern.establishment).filter(pk=int(chosen)).first() if chosen.isdigit() \
        else None
    try:
        services.allegation_subject_propose(actor=request.user, concern=concern, subject=subject,
                                            reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{subject.full_name} is proposed. They cannot see this allegation while the "
                                  "group head or another member of the team confirms it.")
    return redirect("concerns:detail", concern.pk)


@require_POST
def allegation_subject_decide(request, concern_id):
    """The group head or a second person on the team confirms or rejects the proposed adult."""
    concern = selectors.access_concern(request.user, concern_id, "concern.subject.decide")
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("confirm", "reject"):
            raise ValidationError("Choose whether to confirm or reject the name.")
        naming = services.allegation_subject_decide(actor=request.user, concern=concern, confirm=decision == "confirm",
                                                    reason=request.POST.get("decision_reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{naming.subject.full_name} is named. They cannot see this allegation."
                         if decision == "confirm" else "The name is rejected. Nothing else has changed.")
    return redirect("concerns:detail", concern.pk)


@require_POST
def concern_mark_read(request, concern_id):
    concern = selectors.access_concern(request.user, concern_id, "concern.read")
    services.concern_mark_read(actor=request.user, concern=concern)
    messages.success(request, "Marked as read. The member of staff who recorded it can see that you have.")
    return redirect("concerns:detail", concern.pk)


def _establishments(request):
    ids = scope_for(request.user).establishment_ids(Permission.CHILD_SEARCH)
    # With its organisation: an exploitation concern tells the group's addresses (CE 10.5), read in the same query.
    return list(Establishment.objects.filter(pk__in=ids).select_related("organisation").order_by("name"))


def record(request):
    """Record a concern: one page, usable with a keyboard, a screen reader or a phone."""
    establishments = _establishments(request)
    if not establishments:
        raise NotVisible("concern.create")
    data = request.POST if request.method == "POST" else request.GET
    establishment = next((e for e in establishments if str(e.pk) == data.get("establishment")), establishments[0])
    draft = Draft.from_post(request.POST) if request.method == "POST" else Draft()
    visible = children_visible_to(request.user, Permission.CHILD_SEARCH)
    if request.method == "GET" and request.GET.get("child", "").isdigit():
        draft.child_ids = [int(request.GET["child"])]
    intent = request.POST.get("intent", "")
    if request.method == "POST":
        attachment_recording.apply(request, draft, intent)  # body-map marks and files chosen (kept server-side)
    prompts = draft.wording_prompts() if intent == "send" else []
    if intent == "send" and draft.check() and (draft.language_seen or not prompts):
        # The service reads the children itself, among those the recorder may see: a send that succeeds reads
        # them once. Only a page shown again (a refusal) reads them for the page, below.
        concern, _ = run_draft(request, establishment, draft)
        if concern is not None:
            # The concern's page says it was sent. A retry of a send that arrived says so too: its first answer was
            # lost on the way, so the recorder has not yet been told.
            page = reverse("concerns:detail", args=[concern.pk]) + "?sent=1"
            if request.htmx:  # sent by htmx: the browser goes to the concern itself, read once
                return HttpResponseClientRedirect(page)
            return redirect(page)
    step = children_step(request.user, draft, intent, request.POST.get("find_q", ""), visible, establishment)
    packs = packs_for(establishment)
    contacts = [c for c in establishment.local_contacts.all() if c.kind == "la_front_door"]
    # Only "send" checks the whole draft; a file or mark refused on any round trip is shown at once.
    errors = draft.errors if intent == "send" else {k: v for k, v in draft.errors.items()
                                                    if k in ("attachment", "new_mark")}
    for child in step.chosen.values():
        child.role_error = errors.get(f"role-{child.pk}", "")  # shown beside that child's role
        child.chosen_categories = draft.categories.get(child.pk, [])
        child.chosen_indicators = draft.indicators.get(child.pk, [])
    # Finding, adding or removing a child by htmx redraws only the children's part of the page.
    children_only = bool(request.htmx) and is_child_step(intent)
    return render(request, "concerns/record.html#children" if children_only else "concerns/record.html", {
        "children_only": children_only,
        "draft": draft, "children": [step.chosen[c] for c in draft.child_ids], "step": step,
        "establishments": establishments, "establishment": establishment,
        "roles": ConcernChild.Role.choices, "packs": packs, "contacts": contacts,
        "errors": errors,
        "prompts": prompts if not draft.language_seen else [], "prompts_count": draft.language_seen or len(prompts),
        "places": _places_by_kind(establishment), "adults": selectors.adults_to_name(establishment),
        "relationships": AdultRelationship.choices, **attachment_recording.context(request, draft),
    }, status=200)


def _places_by_kind(establishment):
    places = list(locations_for(establishment))
    return [(label, [p for p in places if p.kind == kind]) for kind, label in Location.Kind.choices
            if any(p.kind == kind for p in places)]


@require_POST
def wording_check(request):
    """Suggestions while the recorder types (htmx). Only their own words are sent here, never the child's;
    nothing is stored: how many suggestions were shown travels back in the form and is kept on send."""
    if not _establishments(request):
        raise NotVisible("concern.create")
    prompts = check_language(request.POST.get("narrative", "")[:20000]) + check_language(
        request.POST.get("action_taken", "")[:20000])
    seen = request.POST.get("language_live", "")
    shown = max(len(prompts), int(seen) if seen.isdigit() and len(seen) < 4 else 0)
    return render(request, "concerns/_wording.html", {"prompts": prompts, "shown": shown})


def run_draft(request, establishment, draft):
    adults = selectors.adults_to_name(establishment)
    try:
        concern, created = services.concern_submit(
            actor=request.user, establishment=establishment, idempotency_key=draft.key,
            children=[{"child": c, "role": draft.roles[c], "categories": draft.categories.get(c, []),
                       "indicators": draft.indicators.get(c, [])} for c in dict.fromkeys(draft.child_ids)],
            occurred_at=draft.occurred_at(lambda: first_sent_at(request.user, draft.key)),
            occurred_approximately=draft.approximate,
            location=draft.location, narrative=draft.narrative, childs_words=draft.childs_words,
            action_taken=draft.action_taken, disclosure=draft.disclosure, immediate_risk=draft.immediate_risk,
            images_shared=draft.images_shared, told_dsl_in_person={"yes": True, "no": False}.get(draft.told_dsl_in_person),
            language_prompts_shown=draft.language_seen,
            place=locations_for(establishment).filter(pk=draft.place_id).first() if draft.place_id else None,
            about_adult=draft.about_adult, subject_relationship=draft.subject_relationship,
            subject=adults.filter(pk=draft.subject_id).first() if draft.about_adult and draft.subject_id else None,
            subject_description=draft.subject_description, **attachment_recording.for_submit(request, draft))
    except NotVisible as denial:
        if denial.object_type != "child":
            raise
        # A child chosen earlier who may no longer be chosen here (or an id typed into the form): refused and
        # audited, and the page comes back without them, every word kept.
        audit_denial(request, denial)
        draft.errors["child-search"] = ("A child you chose can no longer be chosen here, so the concern has not "
                                        "been sent. Check the children, then choose Send.")
        return None, False
    except ValidationError as error:
        if error.message_dict.get("idempotency_key") == [services.KEY_REUSED]:
            # Back, an edit, then Send: the words on screen are not the concern already sent from this page.
            # They stay on screen with a new key, so the next Send records them as a concern of their own.
            draft.key = uuid.uuid4().hex
            draft.errors["narrative"] = ("You already sent a concern from this page, and what is here now is "
                                         "different. It has not been sent yet. Check it, then choose Send to "
                                         "record it as a new concern.")
            return None, False
        beside = {"children": "child-search", "occurred_at": "occurred_date"}  # the field each error is shown by
        for name, problems in error.message_dict.items():
            draft.errors[beside.get(name, name)] = " ".join(problems)
        return None, False
    return concern, created


def triage(request, concern_id, involved_id):
    """The DSL's decision for one child in a concern: risk with a reason, categories, continuum, outcome."""
    with transaction.atomic():  # the page shows the child and the last decision: read and audited together
        concern = selectors.access_concern(request.user, concern_id, "concern.triage")
        role = require_permission(request.user, services.team_permission(concern), action="concern.triage",
                                  establishment_id=concern.establishment_id, obj=concern)
        involved = get_visible(concern.children_involved.select_related("child"), involved_id, "concern.triage")
        previous = involved.triages.first()
        audit_record(actor=request.user, action="concern.triage", obj=involved.child, role=role,
                     establishment_id=concern.establishment_id, detail={"concern": concern.pk})
    packs = packs_for(concern.establishment)
    hackett = [level for pack in packs for level in pack.hackett]
    labels = {category.code: category.label for pack in packs for category in pack.categories}
    values = {"risk": "", "rationale": "", "categories": previous.categories if previous else involved.categories,
              "categories_reason": "", "hackett": "", "hackett_rationale": "", "outcome": "", "outcome_note": "", "under_13_reason": ""}
    errors = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values} | {
            "categories": request.POST.getlist("categories")}
        try:
            services.triage_record(actor=request.user, involved=involved, **values)
        except ValidationError as error:
            errors = {name: " ".join(problems) for name, problems in error.message_dict.items()}
        else:
            messages.success(request, f"Your decision for {involved.child.display_name} is recorded in their "
                                      "chronology.")
            return redirect("concerns:detail", concern.pk)
    return render(request, "concerns/triage.html", {
        "concern": concern, "involved": involved, "packs": packs, "hackett": hackett, "values": values,
        "errors": errors, "risks": Triage.Risk.choices, "outcomes": Triage.Outcome.choices, "previous": previous,
        "category_labels": [labels.get(code, code) for code in involved.categories],
        "under_13": services.is_under_13(involved)})
