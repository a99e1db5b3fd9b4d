import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safekeep.accounts.adapters import MFAAdapter


class Command(BaseCommand):
    help = "Print a demo user's current two-factor code, so a newcomer can sign in without a phone."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if settings.PRODUCTION:
            raise CommandError("Not available in production.")
        authenticator = Authenticator.objects.filter(user__email=email.lower(), type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        secret = MFAAdapter().decrypt(authenticator.data["secret"])
        period = 30
        counter = int(time.time()) // period
        code = format_hotp_value(hotp_value(secret, counter))
        left = period - int(time.time()) % period
        self.stdout.write(f"{code}  (valid for {left} more seconds)")
