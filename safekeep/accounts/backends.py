"""Signing in with allauth, and the signed-in person read on each request with what the second-factor check
needs in the same query."""

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from .mfa import STRONG_AUTHENTICATOR, STRONG_TYPES


class SafekeepAuthenticationBackend(AuthenticationBackend):
    def get_user(self, user_id):
        """The person, with whether they hold an authenticator app or security key now (mfa_satisfied asks on
        every page): one query, not two (issue 12's recording budget). Read fresh on every request, as before."""
        strong = Authenticator.objects.filter(user=OuterRef("pk"), type__in=STRONG_TYPES)
        user = get_user_model()._default_manager.annotate(**{STRONG_AUTHENTICATOR: Exists(strong)}).filter(
            pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
