"""The development-only sign-in help never runs in production.

SAFEKEEP_SHOW_DEMO_CODE puts a person's current two-factor code on the second sign-in step, so the demo
needs no phone. Anywhere real that would turn two-factor authentication into one factor: Safekeep refuses
to start with it on in production or without DEBUG (a development server).
"""

from django.conf import settings
from django.core.checks import Error


def demo_code_check(app_configs=None, **kwargs):
    if settings.SAFEKEEP_SHOW_DEMO_CODE and (settings.PRODUCTION or not settings.DEBUG):
        return [Error("SAFEKEEP_SHOW_DEMO_CODE is on outside development: the sign-in page would show every "
                      "person's two-factor code.",
                      hint="Unset SAFEKEEP_SHOW_DEMO_CODE. It is for SAFEKEEP_ENV=development only.",
                      id="accounts.E001")]
    return []
