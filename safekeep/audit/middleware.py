from safekeep.authz.access import NotVisible

from .services import audit_denial


class AuditDenialMiddleware:
    """Writes each 404-for-not-yours to the audit log once the view's transaction has rolled back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotVisible):
            audit_denial(request, exception)
        return None
