import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.crypto import salted_hmac

from safekeep.core.classification import NOT_PERSONAL, PERSONAL
from safekeep.establishments.models import Organisation


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A person needs an email address to sign in")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their work email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="people")
    # The MIS's staff code, so a staff file can be loaded again without creating duplicates.
    staff_mis_id = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("May use the Django admin", default=False)
    date_joined = models.DateTimeField(auto_now_add=True)
    # Part of every session's proof of sign-in: raised when the account is switched off, so no session
    # or cookie from before survives, not even after the account is switched back on (ASVS 7.4.2).
    session_generation = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    data_classification = {
        "id": NOT_PERSONAL, "password": PERSONAL, "last_login": PERSONAL, "is_superuser": NOT_PERSONAL,
        "email": PERSONAL, "full_name": PERSONAL, "job_title": PERSONAL, "organisation": PERSONAL,
        "staff_mis_id": PERSONAL, "is_active": PERSONAL, "is_staff": NOT_PERSONAL, "date_joined": PERSONAL,
        "session_generation": NOT_PERSONAL, "groups": NOT_PERSONAL, "user_permissions": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret=None):
        # Django checks this on every request; a session made before the last switch-off no longer matches.
        key_salt = "safekeep.accounts.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.session_generation}", secret=secret,
                           algorithm="sha256").hexdigest()


class PersonalApiToken(models.Model):
    """A token that lets a script act as its owner through the API, with exactly the owner's access.

    Only a hash is stored; the token itself is shown once, when it is made.
    """

    PREFIX = "sk_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so a person can tell their tokens apart without the secret.
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    data_classification = {"id": NOT_PERSONAL, "user": PERSONAL, "name": PERSONAL, "key_hash": NOT_PERSONAL,
                           "hint": NOT_PERSONAL, "created_at": PERSONAL, "expires_at": PERSONAL,
                           "last_used_at": PERSONAL, "revoked_at": PERSONAL}

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class WrongCode(models.Model):
    """A wrong second-factor code typed for this person. Counted to lock code entry after a few; cleared by the
    right code or by an administrator. Every one is in the audit log as well."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="wrong_codes")
    at = models.DateTimeField()

    data_classification = {"id": NOT_PERSONAL, "user": PERSONAL, "at": PERSONAL}

    class Meta:
        indexes = [models.Index(fields=["user", "at"])]


class TotpLastStep(models.Model):
    """The newest 30-second step whose code this authenticator has accepted. A code is accepted only for a
    later step, so no code works twice, in any worker, within the tolerance window (RFC 6238 section 5.2)."""

    authenticator = models.OneToOneField(Authenticator, on_delete=models.CASCADE, related_name="safekeep_last_step")
    step = models.BigIntegerField()

    data_classification = {"id": NOT_PERSONAL, "authenticator": NOT_PERSONAL, "step": NOT_PERSONAL}

