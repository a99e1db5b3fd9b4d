"""Choosing the children a share or a meeting is about, from the address (?child=1&child=2) and a name search.

Opening the form shows the children's names, so each is read through access_child (audited, 404 for a
child the person may not see). A name typed to add another child is a search, audited like any other. The
name is posted (intent "find"), never put in the address, where it would stay in access logs and the
browser's history (issue 10, section 5); the children already chosen stay in the address, by number only.
"""

from dataclasses import dataclass, field

from django.db import transaction

from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import access_child, audit_search, children_search
from safekeep.establishments.models import Establishment

MAX_CHILDREN = 10
SEARCH_LIMIT = 20
NAME_IN_ADDRESS = ("For the children's privacy, a name is never put in the page address. Type the name in the "
                   "box below.")


@dataclass
class Picked:
    children: list = field(default_factory=list)
    query: str = ""
    results: list = field(default_factory=list)
    establishments: list = field(default_factory=list)  # where the person reaches the first child
    searching: bool = False  # this POST is the name search, not the form being sent
    error: str = ""

    @property
    def ids(self) -> list[int]:
        return [child.pk for child in self.children]

    @property
    def rows(self) -> list[tuple]:
        """Each child with the address that leaves them out (the "Remove" link)."""
        return [(child, "&".join(f"child={pk}" for pk in self.ids if pk != child.pk)) for child in self.children]

    @property
    def query_string(self) -> str:
        return "&".join(f"child={pk}" for pk in self.ids)


def pick(request) -> Picked:
    actor = request.user
    searching = request.method == "POST" and request.POST.get("intent") == "find"
    picked = Picked(query=request.POST.get("q", "").strip()[:100] if searching else "", searching=searching)
    if "q" in request.GET:
        picked.error = NAME_IN_ADDRESS
    elif "\x00" in picked.query:
        picked.query, picked.error = "", "A name cannot contain that character."
    wanted = []
    for value in request.GET.getlist("child")[:MAX_CHILDREN]:
        if value.isdigit() and int(value) not in wanted:
            wanted.append(int(value))
    with transaction.atomic():
        picked.children = [access_child(actor, pk) for pk in wanted]
        if picked.query:
            found = children_search(actor, query=picked.query, permission=Permission.CHILD_VIEW)
            picked.results = [c for c in found[:SEARCH_LIMIT] if c.pk not in wanted]
            audit_search(actor, results=len(picked.results))
    if picked.children:
        reachable = scope_for(actor).establishment_ids(Permission.CHILD_VIEW)
        ids = [e.establishment_id for e in picked.children[0].current if e.establishment_id in reachable]
        picked.establishments = list(Establishment.objects.filter(pk__in=ids).order_by("name"))
    return picked


def chosen_establishment(picked: Picked, value):
    """The establishment posted (when the first child is at more than one the person reaches), else the first."""
    for establishment in picked.establishments:
        if str(establishment.pk) == str(value):
            return establishment
    return picked.establishments[0] if picked.establishments else None
