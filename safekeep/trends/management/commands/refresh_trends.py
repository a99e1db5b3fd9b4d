from django.core.management.base import BaseCommand

from safekeep.trends.services import trends_refresh


class Command(BaseCommand):
    help = ("Rebuild the trend summaries from every concern, action and referral (the worker keeps them up to "
            "date from then on, a few minutes at a time).")

    def handle(self, *args, **options):
        refresh = trends_refresh(full=True)
        self.stdout.write(f"Trend summaries rebuilt: {refresh.months_refreshed} establishment-months, "
                          f"figures as of {refresh.figures_as_of:%Y-%m-%d %H:%M} UTC.")
