import pytest
from django.core.management import CommandError, call_command

from safekeep.audit.models import AuditEvent
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Role


@pytest.mark.django_db
def test_a_new_trust_gets_its_first_administrator(capsys):
    call_command("create_organisation", "--name", "Riverside Schools Trust", "--kind", "trust",
                 "--admin-email", "It.Lead@riverside.example", "--admin-name", "Pat Green", "--region", "North")
    membership = RoleMembership.objects.get(user__email="it.lead@riverside.example")
    assert membership.role == Role.ADMINISTRATOR and membership.organisation.name == "Riverside Schools Trust"
    assert not membership.user.has_usable_password()
    assert AuditEvent.objects.filter(action="organisation.create").count() == 1
    assert "Forgotten your password?" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_email_already_in_use_is_refused_and_nothing_is_created(world):
    with pytest.raises(CommandError, match="already has an account"):
        call_command("create_organisation", "--name", "Another Trust", "--kind", "trust",
                     "--admin-email", world.personas[Role.DSL].email, "--admin-name", "X")
    from safekeep.establishments.models import Organisation

    assert not Organisation.objects.filter(name="Another Trust").exists()
