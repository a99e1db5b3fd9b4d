"""The first command loads demo data a newcomer can try at once: people, children, and some casework."""

import pytest
from django.core.management import call_command

from safekeep.accounts.models import User
from safekeep.concerns.models import Concern
from safekeep.concerns.selectors import inbox
from safekeep.establishments.models import Location
from safekeep.referrals.models import NrmTracker, Referral


# Committing, as the command does: the children's load runs after its transaction commits.
@pytest.mark.django_db(transaction=True)
def test_demo_data_gives_the_dsl_an_inbox_to_work_and_loads_once(capsys):
    call_command("demo_data")
    assert "Demo data created." in capsys.readouterr().out
    dsl = User.objects.get(email="dsl@harbour.example")
    rows = inbox(dsl).rows
    assert len(rows) == 2 and {row.narrative[:4] for row in rows} == {"Alfi", "Comm"}
    alfie = Concern.objects.get(idempotency_key="demo-alfie")
    assert alfie.place.name == "Bus stop on Park Road" and alfie.children_involved.get().indicators
    assert Referral.objects.get(reference="HSF-DEMO-01").chase_action is not None
    assert Location.objects.filter(establishment__name="Manor Field School").count() == 4
    assert not NrmTracker.objects.exists()  # exploitation, not trafficking
    # The staff member sees only what they recorded; the DSL at the home sees the note on the linked file.
    staff = User.objects.get(email="staff@harbour.example")
    assert len(inbox(staff).rows) == 2
    assert len(inbox(User.objects.get(email="home-lead@harbour.example")).rows) == 0
    call_command("demo_data")
    assert "already present" in capsys.readouterr().out
    assert Concern.objects.count() == 2
