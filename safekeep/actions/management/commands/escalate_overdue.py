from django.core.management.base import BaseCommand

from safekeep.actions.escalation import escalate_overdue, send_reminders


class Command(BaseCommand):
    help = "Send reminders for actions due soon and escalate overdue ones. Safe to run twice at once."

    def handle(self, *args, **options):
        reminded, escalated = send_reminders(), escalate_overdue()
        self.stdout.write(f"{reminded} reminders sent, {escalated} actions escalated.")
