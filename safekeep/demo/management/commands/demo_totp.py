from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safekeep.accounts.mfa import current_code


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
        now = current_code(authenticator)
        used = "; already used: wait for the next one" if now.already_used else ""
        self.stdout.write(f"{now.code}  (valid for {now.seconds_left} more seconds{used})")
