from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safekeep.authz.access import NotVisible
from safekeep.authz.models import RoleMembership
from safekeep.authz.services import role_grant_decide


class Command(BaseCommand):
    help = ("Approve an organisation's first role that reads case content (its group head, or a trust's first "
            "DSL), when nobody in it could approve it (run by the platform operator). Lists the waiting roles "
            "without --membership.")

    def add_arguments(self, parser):
        parser.add_argument("--membership", type=int, help="The waiting role's number, from the list")

    def handle(self, *args, **options):
        if options["membership"] is None:
            for row in RoleMembership.objects.pending().select_related("user", "organisation").order_by("id"):
                self.stdout.write(f"{row.pk}: {row.user.email}, {row.role_label}, {row.where}")
            return
        try:
            membership = role_grant_decide(actor=None, membership=RoleMembership(pk=options["membership"]),
                                           approve=True)
        except NotVisible:
            raise CommandError("No role with that number is waiting for approval.") from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"{membership.user.email} is now {membership.role_label}, {membership.where}.")
