"""The people of a school day for bench/load.sh: staff and deputy DSLs at the demo's Manor Field School, each
with a password and an authenticator app, made through the services as an administrator would.

  SAFEKEEP_ENV=development DATABASE_URL=... .venv/bin/python bench/load_people.py --people 200 --out people.csv

Writes one line per person (email, TOTP secret, role) and, first, the establishment and its children's ids,
for bench/locustfile.py. Run on a database that has the demo data (manage.py demo_data)."""

import argparse
import csv
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.db import transaction  # noqa: E402

from safekeep.accounts import services as accounts  # noqa: E402
from safekeep.accounts.models import User  # noqa: E402
from safekeep.authz import services as authz  # noqa: E402
from safekeep.authz.roles import Role  # noqa: E402
from safekeep.authz.selectors import approvers_for  # noqa: E402
from safekeep.children.models import Child  # noqa: E402
from safekeep.demo.data import DEMO_PASSWORD  # noqa: E402
from safekeep.establishments.models import Establishment  # noqa: E402

SCHOOL = "Manor Field School"
DEPUTIES_EVERY = 5  # one person in five works the inbox as a deputy DSL; the rest record and read


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    school = Establishment.objects.get(name=SCHOOL)
    admin = User.objects.get(email="admin@harbour.example")
    children = list(Child.objects.filter(enrolments__establishment=school).values_list("pk", "first_name"))
    with open(args.out, "w", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(["establishment", school.pk, *[f"{pk}:{name}" for pk, name in children]])
        for number in range(args.people):
            role = Role.DEPUTY_DSL if number % DEPUTIES_EVERY == 0 else Role.STAFF
            with transaction.atomic():
                person = accounts.person_create(actor=admin, organisation=admin.organisation,
                                                email=f"load-{number}@harbour.example", full_name=f"Load Person {number}")
                person.set_password(DEMO_PASSWORD)
                person.save(update_fields=["password"])
                membership = authz.role_grant(actor=admin, person=person, role=role, establishment=school)
            if membership.awaiting_approval and (approvers := approvers_for(membership)):
                with transaction.atomic():
                    authz.role_grant_decide(actor=approvers[0], membership=membership, approve=True)
            secret = generate_totp_secret()
            TOTP.activate(person, secret)
            rows.writerow([person.email, secret, role.value])
    print(f"{args.people} people at {SCHOOL} ({len(children)} children) written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
