from django.core.management.base import BaseCommand

from safekeep.concerns.peers import peer_links_rebuild


class Command(BaseCommand):
    help = ("Rebuild the table of children named together in concerns (the peer graph's edges) from every "
            "concern: for concerns recorded before it was kept, or after a restore. Recording a concern keeps "
            "it up to date from then on (ADR 0015).")

    def handle(self, *args, **options):
        count = peer_links_rebuild()
        self.stdout.write(f"Children named together: {count} pairs written from the concerns.")
