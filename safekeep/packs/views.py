from django.shortcuts import render

from safekeep.authz.roles import Permission, Role
from safekeep.authz.scope import scope_for
from safekeep.core import clock
from safekeep.establishments.selectors import establishments_visible_to
from safekeep.policy.engine import ConcernFacts, required_actions
from safekeep.policy.packs import FLAG_WORDS, RECIPIENT_WORDS

from .selectors import adopted_versions, packs_for


def who(code: str) -> str:
    return RECIPIENT_WORDS.get(code) or (Role(code).label if code in Role.values else code)


def explorer(request):
    """What happens when…: the actions the adopted policies require for a kind of concern, with sources."""
    establishments = list(establishments_visible_to(request.user, Permission.POLICY_VIEW).order_by("name"))
    chosen = next((e for e in establishments if str(e.pk) == request.GET.get("establishment")), None)
    establishment = chosen or (establishments[0] if establishments else None)
    packs = packs_for(establishment) if establishment else []
    known = {c.code for p in packs for c in p.categories}
    categories = [c for c in request.GET.getlist("category") if c in known]
    flags = [f for f in request.GET.getlist("flag") if f in FLAG_WORDS]
    actions = []
    if establishment and (categories or flags):
        facts = ConcernFacts(frozenset(categories), frozenset(flags), establishment.kind, establishment.nation,
                             clock.now())
        actions = [{"action": a, "owner": who(a.owner), "escalation": [who(r) for r in a.escalation],
                    "notify": [who(r) for r in a.notify]} for a in required_actions(packs, facts)]
    versions = adopted_versions(establishment) if establishment else {}
    return render(request, "packs/explorer.html", {
        "establishments": establishments, "establishment": establishment, "packs": packs,
        "versions": versions, "categories": categories, "flags": flags, "flag_words": FLAG_WORDS,
        "actions": actions, "asked": bool(categories or flags), "today": clock.today(),
        "can_manage": scope_for(request.user).has(Permission.POLICY_ADOPT),
    })
