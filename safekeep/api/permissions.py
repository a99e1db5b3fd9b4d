from rest_framework.permissions import BasePermission

from safekeep.authz.access import NotVisible
from safekeep.authz.policy import rule_for_name
from safekeep.authz.scope import scope_for


class UrlPolicyPermission(BasePermission):
    """The API side of UrlPolicyMiddleware: the same url_policy.yaml, checked once DRF knows the caller."""

    def has_permission(self, request, view):
        if request.user is None or not request.user.is_authenticated:
            return False
        name = request.resolver_match.view_name
        rule = rule_for_name(name)
        method = "GET" if request.method == "HEAD" else request.method
        method_rule = rule.methods.get(method) if rule else None
        if method_rule is None:
            raise NotVisible("url.unlisted" if rule is None else "url.denied", "url", name)
        if method_rule.admits(request.user, scope_for(request.user).roles):
            return True
        raise NotVisible("url.denied", "url", name)
