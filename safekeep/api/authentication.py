from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from safekeep.accounts.mfa import mfa_satisfied
from safekeep.accounts.models import PersonalApiToken
from safekeep.core import clock


class PersonalTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer sk_...`. The token acts as its owner, with exactly the owner's current roles."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(self.keyword + " "):
            return None
        key = header[len(self.keyword) + 1:].strip()
        token = (PersonalApiToken.objects.select_related("user")
                 .filter(key_hash=PersonalApiToken.hash_key(key), revoked_at__isnull=True).first())
        if token is None or token.expires_at <= clock.now() or not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token is not valid. It may have expired or been revoked.")
        # At most one write a minute per token, not one per request.
        if token.last_used_at is None or (clock.now() - token.last_used_at).total_seconds() > 60:
            PersonalApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class MFASessionAuthentication(SessionAuthentication):
    """A browser session may call the API only once it has passed two-factor authentication."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not mfa_satisfied(request._request):
            return None
        return result
