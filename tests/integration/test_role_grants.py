"""An insider cannot give themselves access (ADR 0008): nobody gives a role to themselves, and a role that
reads case content takes effect only when a second person who already holds that access approves it."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from safekeep.accounts import services as accounts
from safekeep.audit.models import AuditEvent
from safekeep.authz import services
from safekeep.authz.access import NotVisible
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Role
from safekeep.establishments.services import organisation_bootstrap
from tests.world import sign_in


def _reads_concern(client, user, concern) -> bool:
    sign_in(client, user)
    return client.get(f"/concerns/{concern.pk}/").status_code == 200


def test_an_administrator_cannot_give_themselves_a_role(client, world, signed_in):
    admin, concern = world.personas[Role.ADMINISTRATOR], world.concerns["here"]
    with pytest.raises(ValidationError) as error:
        services.role_grant(actor=admin, person=admin, role=Role.GROUP_HEAD, organisation=world.organisations["one"])
    assert "Nobody may give a role to themselves" in error.value.messages[0]
    assert not RoleMembership.objects.filter(user=admin, role=Role.GROUP_HEAD).exists()
    assert AuditEvent.objects.filter(action="role.grant.self", actor_id=admin.pk, outcome="denied").exists()
    # Through the people pages too: the form says why, and nothing changes.
    signed_in(admin)
    page = client.post(f"/people/{admin.pk}/roles/new/", {"role": "group_head",
                                                          "where": f"organisation:{world.organisations['one'].pk}"})
    assert page.status_code == 200 and "Nobody may give a role to themselves" in page.content.decode()
    assert not _reads_concern(client, admin, concern)


def test_a_role_given_to_an_account_of_the_administrators_choosing_waits_for_someone_else(client, world,
                                                                                        signed_in):
    admin, group_head, concern = world.personas[Role.ADMINISTRATOR], world.personas[Role.GROUP_HEAD], \
        world.concerns["here"]
    organisation = world.organisations["one"]
    mine = accounts.person_create(actor=admin, organisation=organisation, email="my-other-self@example.org",
                                  full_name="Another Me")
    grant = services.role_grant(actor=admin, person=mine, role=Role.GROUP_HEAD, organisation=organisation)
    assert grant.awaiting_approval and grant.granted_by == admin
    assert not _reads_concern(client, mine, concern)
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 404
    # Neither the granter, nor the account given the role, nor a second account of theirs waiting too, approves.
    accomplice = accounts.person_create(actor=admin, organisation=organisation, email="my-third-self@example.org",
                                        full_name="Third Me")
    services.role_grant(actor=admin, person=accomplice, role=Role.GROUP_HEAD, organisation=organisation)
    for who in (admin, mine, accomplice):
        with pytest.raises(NotVisible):
            services.role_grant_decide(actor=who, membership=grant, approve=True)
    # A DSL holds case content only at one establishment: not enough for an organisation-wide role.
    with pytest.raises(NotVisible):
        services.role_grant_decide(actor=world.personas[Role.DSL], membership=grant, approve=True)
    # The platform operator steps in only when nobody in the organisation could approve it.
    with pytest.raises(ValidationError):
        services.role_grant_decide(actor=None, membership=grant, approve=True)
    sign_in(client, mine)
    assert client.post("/roles/grants/decide/", {"membership": grant.pk, "decision": "approve"}).status_code == 404
    grant.refresh_from_db()
    assert grant.awaiting_approval and not _reads_concern(client, mine, concern)

    # The group head sees every grant, who gave it and when, and approves it.
    signed_in(group_head)
    page = client.get("/roles/grants/").content.decode()
    assert "Another Me" in page and "Waiting for approval" in page and admin.full_name in page
    assert "Persona Designated safeguarding lead" in page  # the roles already in force are listed too
    done = client.post("/roles/grants/decide/", {"membership": grant.pk, "decision": "approve"}, follow=True)
    assert "approved and in force" in done.content.decode()
    grant.refresh_from_db()
    assert not grant.awaiting_approval and grant.approved_by == group_head and grant.approved_at is not None
    assert AuditEvent.objects.filter(action="role.grant.approve", actor_id=group_head.pk,
                                     object_id=str(mine.pk)).exists()
    assert f"approved by {group_head.full_name}" in client.get("/roles/grants/").content.decode()
    assert _reads_concern(client, mine, concern)


def test_a_dsl_role_is_approved_by_someone_holding_that_access_there_and_can_be_refused(client, world, signed_in):
    admin, here = world.personas[Role.ADMINISTRATOR], world.establishments["here"]
    newcomer, other = world.people["here"], world.people["region"]
    grant = services.role_grant(actor=admin, person=newcomer, role=Role.DSL, establishment=here)
    assert grant.awaiting_approval
    signed_in(world.personas[Role.HEAD])
    assert f'value="{grant.pk}"' in client.get("/roles/grants/").content.decode()  # waiting for them
    # The regional director reads the establishment's records but not allegations: not enough for a DSL.
    with pytest.raises(NotVisible):
        services.role_grant_decide(actor=world.personas[Role.REGIONAL_DIRECTOR], membership=grant, approve=True)
    services.role_grant_decide(actor=world.personas[Role.HEAD], membership=grant, approve=True)
    assert _reads_concern(client, newcomer, world.concerns["here"])
    # Refused: it never takes effect, and the group head sees who refused it.
    refused = services.role_grant(actor=admin, person=other, role=Role.DSL, establishment=here)
    services.role_grant_decide(actor=world.personas[Role.DEPUTY_DSL], membership=refused, approve=False)
    refused.refresh_from_db()
    assert refused.ended_at is not None and not _reads_concern(client, other, world.concerns["here"])
    signed_in(world.personas[Role.GROUP_HEAD])
    assert "Refused" in client.get("/roles/grants/").content.decode()
    assert AuditEvent.objects.filter(action="role.grant.refuse", actor_id=world.personas[Role.DEPUTY_DSL].pk).exists()
    # A role that reads no case content is in force at once.
    governor = services.role_grant(actor=admin, person=other, role=Role.GOVERNOR, establishment=here)
    assert not governor.awaiting_approval


def test_a_staff_file_gives_no_role_to_its_loader_and_a_dsl_role_in_it_waits_for_approval(
        client, world, signed_in, django_capture_on_commit_callbacks):
    admin = world.personas[Role.ADMINISTRATOR]
    signed_in(admin)
    text = ("Email,Forename,Surname,Job Title,Safekeep role\n"
            f"{admin.email},Persona,Administrator,Administrator,DSL\n"
            "my-dsl-self@example.org,Another,Me,Teacher,DSL\n")
    response = client.post("/imports/", {"establishment": world.establishments["here"].pk, "kind": "staff",
                                         "file": SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"] + "load/")
    assert not RoleMembership.objects.filter(user=admin, role=Role.DSL).exists()
    assert AuditEvent.objects.filter(action="role.grant.self", actor_id=admin.pk).exists()
    grant = RoleMembership.objects.get(user__email="my-dsl-self@example.org", role=Role.DSL)
    assert grant.awaiting_approval and grant.granted_by == admin
    assert not _reads_concern(client, grant.user, world.concerns["here"])


def test_the_platform_operator_approves_an_organisations_first_case_role_and_no_other(world):
    organisation, admin = organisation_bootstrap(name="New Trust", kind="trust", safeguarding_email="",
                                                 admin_email="admin@new-trust.example", admin_name="New Admin")
    lead = accounts.person_create(actor=admin, organisation=organisation, email="lead@new-trust.example",
                                  full_name="First Lead")
    first = services.role_grant(actor=admin, person=lead, role=Role.GROUP_HEAD, organisation=organisation)
    listed = StringIO()
    call_command("approve_first_role", stdout=listed)
    assert f"{first.pk}: lead@new-trust.example" in listed.getvalue()
    call_command("approve_first_role", "--membership", str(first.pk), stdout=StringIO())
    first.refresh_from_db()
    assert not first.awaiting_approval and first.approved_by is None and first.approved_at is not None
    # From now on the organisation has someone who can approve: the operator may not.
    second = services.role_grant(actor=admin, person=accounts.person_create(
        actor=admin, organisation=organisation, email="second@new-trust.example", full_name="Second"),
        role=Role.GROUP_HEAD, organisation=organisation)
    with pytest.raises(CommandError):
        call_command("approve_first_role", "--membership", str(second.pk), stdout=StringIO())
