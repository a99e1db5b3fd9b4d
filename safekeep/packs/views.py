from django.shortcuts import render

from safekeep.authz.roles import Permission, role_label
from safekeep.authz.scope import scope_for
from safekeep.core import clock
from safekeep.establishments.selectors import establishments_visible_to
from safekeep.governance.selectors import last_closed_reviews
from safekeep.policy.engine import ConcernFacts, required_actions
from safekeep.policy.packs import FLAG_WORDS, RECIPIENT_WORDS

from .selectors import adopted_versions, packs_for


def who(code: str, kind: str) -> str:
    """A pack's owner or recipient code in words, a role as the kind of establishment calls it."""
    return RECIPIENT_WORDS.get(code) or role_label(code, kind)


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
        kind = establishment.kind
        actions = [{"action": a, "owner": who(a.owner, kind), "escalation": [who(r, kind) for r in a.escalation],
                    "notify": [who(r, kind) for r in a.notify]} for a in required_actions(packs, facts)]
    versions = adopted_versions(establishment) if establishment else {}
    return render(request, "packs/explorer.html", {
        "establishments": establishments, "establishment": establishment, "packs": packs,
        "versions": versions, "categories": categories, "flags": flags, "flag_words": FLAG_WORDS,
        "actions": actions, "asked": bool(categories or flags), "today": clock.today(),
        "can_manage": scope_for(request.user).has(Permission.POLICY_ADOPT),
        # When each policy was last reviewed here and what the review decided (CoC 1.4): no child is named in it.
        "last_reviews": list(last_closed_reviews([establishment.pk]).values()) if establishment else [],
    })
