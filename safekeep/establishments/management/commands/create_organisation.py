from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safekeep.establishments.models import Organisation
from safekeep.establishments.services import organisation_bootstrap


class Command(BaseCommand):
    help = "Set up a new group or trust with its first Safekeep administrator (run by the platform operator)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The group's or trust's name")
        parser.add_argument("--kind", required=True, choices=Organisation.Kind.values)
        parser.add_argument("--safeguarding-email", default="",
                            help="Where group notifications go (exploitation policy 10.1)")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--region", action="append", default=[], help="A region; repeat for several")

    def handle(self, *args, **options):
        try:
            organisation, admin = organisation_bootstrap(
                name=options["name"], kind=options["kind"], safeguarding_email=options["safeguarding_email"],
                admin_email=options["admin_email"], admin_name=options["admin_name"], regions=options["region"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            f"{organisation.name} is set up. {admin.full_name} ({admin.email}) is its administrator.\n"
            "Ask them to open the sign-in page, choose \"Forgotten your password?\" to set a password, "
            "then set up two-factor authentication.")
