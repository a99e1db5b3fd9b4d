"""Role names fit the kind of establishment (issue 11, section 6): a children's home has a safeguarding lead
and a registered manager, not a designated safeguarding lead and a headteacher (DESIGN.md section 1; CE 11.3,
11.7). And the access log says a form was opened, not that what it is for was done."""

import pytest
from django.test import Client

from safekeep.authz.roles import Role, role_label
from safekeep.establishments.models import Establishment
from tests.world import give_role, link_school_and_home, make_user, sign_in


@pytest.mark.parametrize(("role", "kind", "name"), [
    (Role.DSL, Establishment.Kind.CHILDRENS_HOME, "Safeguarding lead"),
    (Role.DEPUTY_DSL, Establishment.Kind.CHILDRENS_HOME, "Deputy safeguarding lead"),
    (Role.HEAD, Establishment.Kind.CHILDRENS_HOME, "Registered manager"),
    (Role.STAFF, Establishment.Kind.CHILDRENS_HOME, "Member of staff"),
    (Role.DSL, Establishment.Kind.SCHOOL, "Designated safeguarding lead"),
    (Role.HEAD, Establishment.Kind.SCHOOL, "Headteacher"),
    (Role.HEAD, Establishment.Kind.COLLEGE, "Principal"),
    (Role.HEAD, None, "Headteacher or registered manager"),  # held for a region or organisation: no kind
    ("placing_authority", Establishment.Kind.CHILDRENS_HOME, "placing_authority"),  # not a role: as it is
])
def test_a_roles_name_is_the_one_its_kind_of_establishment_uses(role, kind, name):
    assert role_label(role, kind) == name


def test_at_a_childrens_home_the_lead_and_the_head_are_named_as_the_home_names_them(client, world, signed_in):
    _, home, home_lead = link_school_and_home(world)
    manager = make_user("manager@example.org", world.organisations["one"])
    give_role(manager, Role.HEAD, establishment=home)
    signed_in(home_lead)
    mine = client.get("/account/security/").content.decode()
    assert f"Safeguarding lead, {home.name}" in mine and "Designated safeguarding lead" not in mine
    action = world.actions["region"]  # at the home, for its lead, escalating to its head
    listed = client.get("/actions/").content.decode()
    assert action.what in listed and "Safeguarding lead" in listed and "Designated safeguarding lead" not in listed
    detail = client.get(f"/actions/{action.pk}/").content.decode()
    assert f"Safeguarding lead, {home.name}" in detail and "Registered manager" in detail
    assert "Headteacher" not in detail and "Designated safeguarding lead" not in detail
    child = world.children["region"]
    client.get(f"/children/{child.pk}/")
    log = client.get(f"/children/{child.pk}/access-log/").content.decode()
    assert "Safeguarding lead" in log and "Designated safeguarding lead" not in log

    meeting = client.get(f"/meetings/new/?child={child.pk}").content.decode()
    assert '<option value="role:dsl"' in meeting and ">Safeguarding lead</option>" in meeting
    assert ">Registered manager</option>" in meeting and "Designated safeguarding lead" not in meeting
    reassign = client.get(f"/actions/{action.pk}/").content.decode()
    assert ">Deputy safeguarding lead</option>" in reassign

    admin = sign_in(Client(), world.personas[Role.ADMINISTRATOR])
    person = admin.get(f"/people/{manager.pk}/").content.decode()
    assert "Registered manager" in person and "Headteacher or registered manager" not in person


def test_at_a_school_the_names_are_the_schools(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    school = world.establishments["here"]
    mine = client.get("/account/security/").content.decode()
    assert f"Designated safeguarding lead, {school.name}" in mine
    detail = client.get(f"/actions/{world.actions['here'].pk}/").content.decode()
    assert "Designated safeguarding lead" in detail and "Headteacher" in detail and "Registered manager" not in detail


def test_the_roles_page_says_what_each_role_is_called_at_a_childrens_home(client, world, signed_in):
    signed_in(world.personas[Role.STAFF])
    page = client.get("/roles/").content.decode()
    assert "At a children&#x27;s home: Safeguarding lead" in page and "At a children&#x27;s home: Registered manager" in page


def test_opening_a_form_about_a_child_is_logged_as_opening_it_not_as_doing_it(client, world, signed_in):
    child = world.children["here"]
    signed_in(world.personas[Role.DSL])
    assert client.get(f"/safety-plans/child/{child.pk}/new/").status_code == 200
    assert client.get(f"/actions/for-child/{child.pk}/new/").status_code == 200
    log = client.get(f"/children/{child.pk}/access-log/").content.decode()
    assert "Opened the form to put a safety plan in place" in log and "Opened the form to add an action" in log
    assert "<td class=\"govuk-table__cell\">Put a safety plan in place" not in log
