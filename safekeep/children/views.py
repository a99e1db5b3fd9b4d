from django import forms
from django.db import transaction
from django.shortcuts import render

from safekeep.audit.selectors import child_access_log
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.cases.selectors import case_history
from safekeep.concerns.selectors import concerns_about, concerns_visible_to
from safekeep.meetings.selectors import meetings_visible_to
from safekeep.referrals.selectors import child_referral_work
from safekeep.sharing.selectors import shares_for_child

from . import selectors

SEARCH_LIMIT = 50


class SearchForm(forms.Form):
    q = forms.CharField(max_length=100, required=False,
                        error_messages={"max_length": "Enter 100 characters or fewer."})


NAME_IN_ADDRESS = ("For the children's privacy, a name is never put in the page address, where it would stay in "
                   "the browser's history. Type the name in the box below.")


def search(request):
    """Find a child by part of their name. Typing updates the list without a page load (htmx).

    The name is sent in the body of a POST, never in the address: addresses are kept in access logs and the
    browser's history (issue 10, section 5). An old address with ?q= is refused with a message, not searched.
    """
    form = SearchForm(request.POST if request.method == "POST" else None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    with transaction.atomic():
        children = list(selectors.children_search(request.user, query=query)[:SEARCH_LIMIT]) if query else []
        if query:
            selectors.audit_search(request.user, results=len(children))
    can_view = scope_for(request.user).establishment_ids(Permission.CHILD_VIEW)
    name_in_address = request.method == "GET" and "q" in request.GET
    context = {"query": query, "children": children, "can_open": bool(can_view),
               "error": NAME_IN_ADDRESS if name_in_address else " ".join(form.errors.get("q", []))}
    template = "children/search.html#results" if request.htmx else "children/search.html"
    return render(request, template, context, status=400 if context["error"] else 200)


def detail(request, child_id):
    child = selectors.read_child_record(request.user, child_id)
    can_see_log = bool(scope_for(request.user).establishment_ids(Permission.CHILD_ACCESS_LOG_VIEW)
                       & {e.establishment_id for e in child.current})
    can_add_action = bool(scope_for(request.user).establishment_ids(Permission.ACTION_MANAGE)
                          & {e.establishment_id for e in child.current})
    # The date a child died dates a children's home's file (CH(E)R 2015 reg 36): the safeguarding team and the head.
    can_record_death = bool(scope_for(request.user).establishment_ids(Permission.CHILD_DEATH_RECORD)
                            & {e.establishment_id for e in child.current})
    team_places = [e.establishment for e in child.current
                   if e.establishment_id in scope_for(request.user).establishment_ids(Permission.CHILD_VIEW)]
    history = case_history(child, [place.pk for place in team_places])
    cases = [{"establishment": place, "status": next((c.status for c in history if c.establishment_id == place.pk),
                                                     "open"),
              "latest": next((c for c in history if c.establishment_id == place.pk), None),
              # The child protection file is sent by the safeguarding team there (issue 15 section 2).
              "may_send_file": place.pk in scope_for(request.user).establishment_ids(Permission.TRANSFER_SEND)}
             for place in team_places]
    return render(request, "children/detail.html", {"child": child, "can_see_log": can_see_log,
                                                    "can_add_action": can_add_action, "cases": cases,
                                                    "can_record_death": can_record_death,
                                                    "concerns": concerns_about(request.user, child),
                                                    "meetings": list(meetings_visible_to(request.user).filter(
                                                        children=child).order_by("-held_at")[:20]),
                                                    "shares": list(shares_for_child(request.user, child)[:20]),
                                                    **child_referral_work(request.user, child)})


def access_log(request, child_id):
    """Who has looked at this child's record, their chronology or the concerns about them: a DSL's check that only
    the right people have. Read from the audit log, as the data protection officer's page is; the concerns are
    those the reader may see, so an allegation they may not read is not named here either (ADR 0008)."""
    with transaction.atomic():
        child = selectors.access_child(request.user, child_id, permission=Permission.CHILD_ACCESS_LOG_VIEW,
                                       action="child.access_log.view")
        concern_ids = list(concerns_visible_to(request.user).filter(children_involved__child=child)
                           .values_list("pk", flat=True))
        events = child_access_log(child, actor=request.user, concern_ids=concern_ids)
    return render(request, "children/access_log.html", {"child": child, "events": events})
