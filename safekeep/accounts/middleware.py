from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from safekeep.core import clock

STARTED, LAST_SEEN = "safekeep_started", "safekeep_last_seen"
# Elements that refresh themselves (hx-trigger="every ...") are not a person using the page.
POLLING_ELEMENTS = {"progress"}


class SessionTimeoutMiddleware:
    """Ends a signed-in session after SAFEKEEP_IDLE_TIMEOUT without a request, or SAFEKEEP_ABSOLUTE_TIMEOUT in all.

    Logging out flushes the server-side session, so an old cookie is worth nothing.
    htmx polling requests do not count as activity, or a page left open would never time out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = clock.now().timestamp()
            started = request.session.setdefault(STARTED, now)
            last_seen = request.session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.SAFEKEEP_IDLE_TIMEOUT.total_seconds()
            expired = now - started > settings.SAFEKEEP_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or expired:
                logout(request)
                messages.info(request, "You were signed out because the page was left unused. Please sign in again."
                              if idle else "You were signed out because you have been signed in for a long time. "
                              "Please sign in again.")
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            # Written when it has moved on by SAFEKEEP_ACTIVITY_RESOLUTION, not on every request: a session row
            # written per page cost three queries of each (issue 12). The time kept is never later than the
            # person's last request, so an idle session ends on time or up to that much sooner, never later.
            moved_on = now - last_seen >= settings.SAFEKEEP_ACTIVITY_RESOLUTION.total_seconds()
            if request.headers.get("HX-Trigger") not in POLLING_ELEMENTS and (moved_on or LAST_SEEN not in
                                                                               request.session):
                request.session[LAST_SEEN] = now
        return self.get_response(request)
