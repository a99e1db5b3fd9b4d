"""Has this session passed a second factor? Asked before any page with child data is shown. And, in
development only, what a person's authenticator app shows now."""

from dataclasses import dataclass

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings

from safekeep.core import clock

from .models import TotpLastStep

ENROLLED_THIS_SESSION = "safekeep_mfa_enrolled"
STRONG_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
TOTP_PERIOD = 30  # seconds a code is shown for (RFC 6238; allauth's default)


# Set on the person read for a request (backends.SafekeepAuthenticationBackend): whether they hold one now.
STRONG_AUTHENTICATOR = "safekeep_strong_authenticator"


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
        strong = getattr(request.user, STRONG_AUTHENTICATOR, None)
        cached = (passed or enrolled) and (has_strong_authenticator(request.user) if strong is None else strong)
        request._safekeep_mfa = cached
    return cached


@dataclass(frozen=True)
class CurrentCode:
    code: str
    seconds_left: int  # until the app shows the next one
    already_used: bool  # each code works once: this one must wait for the next


def current_code(authenticator: Authenticator) -> CurrentCode:
    """The code the person's authenticator app shows now."""
    now = int(clock.now().timestamp())
    step = now // TOTP_PERIOD
    used = TotpLastStep.objects.filter(authenticator=authenticator, step__gte=step).exists()
    return CurrentCode(code=format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), step)),
                       seconds_left=TOTP_PERIOD - now % TOTP_PERIOD, already_used=used)


def show_development_code() -> bool:
    """The second sign-in step may show the code: development only, never in production (accounts.E001)."""
    return settings.SAFEKEEP_SHOW_DEMO_CODE and settings.DEBUG and not settings.PRODUCTION


def development_code(user) -> CurrentCode | None:
    """The code for the second sign-in step to show, in development only; None anywhere else."""
    if not show_development_code():
        return None
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return current_code(authenticator) if authenticator else None
