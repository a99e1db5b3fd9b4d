from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect

from safekeep.accounts.mfa import mfa_satisfied
from safekeep.audit.services import audit_denial

from .access import NotVisible
from .policy import PUBLIC, SIGNED_IN, rule_for_name
from .scope import scope_for


class UrlPolicyMiddleware:
    """Deny by default: a URL that url_policy.yaml does not list answers 404 to everyone.

    API URLs are checked by safekeep.api.permissions.UrlPolicyPermission instead, because
    API tokens are only read once DRF runs the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        name = request.resolver_match.view_name
        if name.startswith("api:"):
            return None
        rule = rule_for_name(name)
        if rule is None:
            self._deny(request, "url.unlisted", name)
        method = "GET" if request.method == "HEAD" else request.method
        method_rule = rule.methods.get(method)
        if method_rule is None:
            return HttpResponseNotAllowed(sorted(rule.methods))
        if method_rule.access == PUBLIC:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if method_rule.access == SIGNED_IN:
            return None
        if not mfa_satisfied(request):
            return redirect("accounts:mfa_required")
        if not method_rule.admits(request.user, scope_for(request.user).roles):
            self._deny(request, "url.denied", name)
        return None

    @staticmethod
    def _deny(request, action, name):
        denial = NotVisible(action, "url", name)
        audit_denial(request, denial)
        raise denial
