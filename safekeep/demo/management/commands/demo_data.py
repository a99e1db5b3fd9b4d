from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safekeep.demo import data as demo


class Command(BaseCommand):
    help = "Create the demo organisations, people and children (fictional). Does nothing if they exist."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production (SAFEKEEP_ENV=production).")
        created = demo.build()
        self.stdout.write("Demo data created." if created else "Demo data already present; left as it is.")
