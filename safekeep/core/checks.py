"""`check --deploy` refuses weak or shared keys.

SECRET_KEY signs sessions and derives the field encryption keys, SAFEKEEP_AUDIT_KEY seals the audit
chain and its checkpoints, SAFEKEEP_FIELD_KEY (and SAFEKEEP_ATTACHMENT_KEY, if set) salt or derive
the keys that encrypt case content at rest. A short key can be guessed offline from a database copy;
two equal keys mean one leak opens both doors.
"""

from django.conf import settings
from django.core.checks import Error

# 32 random characters from a URL-safe alphabet carry about 190 bits; the keys are stretched
# (PBKDF2, HKDF, HMAC), so what matters is that they cannot be guessed.
MIN_KEY_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10
HINT = "Set each key to its own long random value, for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _keys() -> dict[str, str]:
    keys = {"SECRET_KEY": settings.SECRET_KEY, "SAFEKEEP_AUDIT_KEY": settings.AUDIT_HMAC_KEY,
            "SAFEKEEP_FIELD_KEY": settings.FIELD_ENCRYPTION_KEY}
    if settings.ATTACHMENT_ENCRYPTION_KEY:
        keys["SAFEKEEP_ATTACHMENT_KEY"] = settings.ATTACHMENT_ENCRYPTION_KEY
    return keys


def keys_check(app_configs=None, **kwargs):
    errors = []
    keys = _keys()
    for name, value in keys.items():
        if name == "SECRET_KEY":
            continue  # Django's own deploy check (security.W009) judges SECRET_KEY
        if len(value) < MIN_KEY_LENGTH or len(set(value)) < MIN_DISTINCT_CHARACTERS:
            errors.append(Error(
                f"{name} is too short or too plain: it needs at least {MIN_KEY_LENGTH} characters, "
                f"{MIN_DISTINCT_CHARACTERS} of them different.", hint=HINT, id="core.E001"))
    names = list(keys)
    for position, name in enumerate(names):
        for other in names[position + 1:]:
            if keys[name] == keys[other]:
                errors.append(Error(f"{name} and {other} are the same: each key must have its own value.",
                                    hint=HINT, id="core.E002"))
    return errors
