from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for

_ITEMS = [
    ("Home", "home", None),
    ("Record a concern", "concerns:record", Permission.CHILD_SEARCH),
    ("Concerns", "concerns:inbox", Permission.CHILD_SEARCH),
    ("Find a child", "children:search", Permission.CHILD_SEARCH),
    ("Actions", "actions:list", Permission.CHILD_SEARCH),
    ("What happens when…", "packs:explorer", Permission.POLICY_VIEW),
    ("Establishments", "establishments:list", Permission.ESTABLISHMENT_VIEW),
    ("People", "people:list", Permission.PERSON_MANAGE),
    ("Load from MIS", "imports:start", Permission.IMPORT_RUN),
    ("Policies", "packs:manage", Permission.POLICY_ADOPT),
    ("Audit log", "audit:log", Permission.AUDIT_LOG_VIEW),
    ("Sharing register", "sharing:register", Permission.SHARING_REGISTER_VIEW),
    ("Trends", "trends:concerns", Permission.TRENDS_VIEW),
    ("Governor reports", "governance:index", Permission.GOVERNANCE_REPORT_VIEW),
    ("Peer groups", "peergroups:index", Permission.PEER_GROUPS_VIEW),
    ("Places", "places:index", Permission.PLACES_VIEW),
    ("Contexts", "contexts:index", Permission.CONTEXTS_VIEW),
    ("Training", "training:mine", None),
    ("Retention", "retention:list", Permission.RETENTION_REVIEW),
]


def navigation(request):
    """The menu shows only what the person's roles allow; the header names their establishments.
    Built only if the page uses it (error pages and JSON never pay for it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        scope = scope_for(user)
        items = [{"label": label, "url": reverse(name), "active": False}
                 for label, name, permission in _ITEMS if permission is None or scope.has(permission)]
        # The item whose address is the longest start of this page's is the current one
        # (/concerns/new/ is "Record a concern", not "Concerns").
        matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and
                                                                   request.path.startswith(i["url"]))]
        if matches:
            max(matches, key=lambda i: len(i["url"]))["active"] = True
        return {"items": items, "establishments": scope.places_named}

    return {"nav": SimpleLazyObject(build)}
