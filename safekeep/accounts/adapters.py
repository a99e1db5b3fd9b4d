import base64
import hashlib
import ipaddress
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings

from .mfa import has_strong_authenticator


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are added by their organisation's administrator, never by themselves.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Someone setting up their first second factor, minutes after typing or setting their password, is not
        asked for it again: that sign-in is the proof. Any later change to two-factor settings is."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = getattr(self, "request", None)
        if not required or not app.endswith("mfa") or request is None or not request.user.is_authenticated:
            return required

        if has_strong_authenticator(request.user):
            return True
        records = get_authentication_records(request, request.user)
        # A password just set from an emailed link (an invitation) is as fresh a proof as one just typed.
        signed_in_at = max((r.get("at", 0) for r in records if r.get("method") in ("password", "password_reset")),
                           default=0)
        return time.time() - signed_in_at >= account_settings.REAUTHENTICATION_TIMEOUT


def _fernet() -> Fernet:
    digest = hashlib.sha256(("safekeep-mfa:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class MFAAdapter(DefaultMFAAdapter):
    """allauth stores TOTP seeds as given; we encrypt them so a database copy cannot mint codes."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()


def axes_username(request, credentials) -> str:
    """The email address a failed sign-in was for, however allauth passed it to authenticate()."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or request.POST.get("login", "")
    return (value or "").strip().lower()


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.SAFEKEEP_TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The address of the person's device: REMOTE_ADDR, unless that is one of our own trusted proxies.

    Then X-Forwarded-For is read from the right, skipping our proxies: the first address not ours is the one
    our proxy saw. Anything further left was written by the client and is never believed.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(address):
        return address
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address
    return address
