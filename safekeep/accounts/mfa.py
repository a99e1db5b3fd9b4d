"""Has this session passed a second factor? Asked before any page with child data is shown."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator

ENROLLED_THIS_SESSION = "safekeep_mfa_enrolled"
STRONG_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_strong_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=STRONG_TYPES).exists()


def mfa_satisfied(request) -> bool:
    """True when this session signed in with a second factor, or set one up after signing in.

    Cached on the request: the check runs on every page.
    """
    cached = getattr(request, "_safekeep_mfa", None)
    if cached is None:
        passed = any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))
        enrolled = request.session.get(ENROLLED_THIS_SESSION) == request.user.pk
        cached = (passed or enrolled) and has_strong_authenticator(request.user)
        request._safekeep_mfa = cached
    return cached
