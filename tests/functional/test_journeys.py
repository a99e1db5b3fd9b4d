"""Real browser journeys in Debian's Chromium, each page checked with axe-core for WCAG 2.2 AA."""

import re

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.world import PASSWORD, adopt_every_shipped_pack, build_world, current_code, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
def sign_in(page, live_server, user, secret):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.get_by_label(re.compile("Email", re.I)).fill(user.email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile("/accounts/2fa/authenticate/"))
    assert_accessible(page)
    page.get_by_label(re.compile("code", re.I)).first.fill(current_code(secret))
    page.get_by_role("button", name=re.compile("Sign in|Continue|Verify|Confirm", re.I)).first.click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_dsl_signs_in_with_a_code_finds_a_child_and_sees_who_viewed_them(page, live_server):
    world = build_world()
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    sign_in(page, live_server, dsl, secret)
    assert_accessible(page)
    page.get_by_role("link", name="Find a child").first.click()
    page.get_by_label("Name").fill("here")
    page.get_by_role("link", name="Child Here").click()  # results arrive by htmx as you type
    expect(page.get_by_role("heading", name="Child Here")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Who has seen this record").click()
    expect(page.get_by_role("cell", name=dsl.full_name).first).to_be_visible()
    assert_accessible(page)
    for path in ("/establishments/", f"/establishments/{world.establishments['here'].pk}/", "/roles/",
                 "/account/security/", "/accounts/2fa/"):
        page.goto(live_server.url + path)
        assert_accessible(page)


def test_an_administrator_adds_a_person_and_gives_them_a_role(page, live_server):
    world = build_world()
    admin = world.personas[Role.ADMINISTRATOR]
    secret = enrol_totp(admin)
    sign_in(page, live_server, admin, secret)
    page.goto(live_server.url + "/people/new/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the error summary, typing kept
    assert_accessible(page)
    page.get_by_label("Full name").fill("Rosa Lind")
    page.get_by_label("Work email address").fill("rosa.lind@example.org")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Rosa Lind")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Give a role").click()
    page.get_by_label("Role").select_option("dsl")
    page.get_by_label("Where").select_option(label="Establishment here")
    page.get_by_role("button", name="Give role").click()
    expect(page.get_by_role("cell", name="Designated safeguarding lead", exact=True)).to_be_visible()
    for path in ("/people/", "/imports/", "/establishments/new/"):
        page.goto(live_server.url + path)
        assert_accessible(page)


def test_someone_new_is_asked_to_set_up_two_factor_first(page, live_server):
    world = build_world()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("Email", re.I)).fill(world.personas[Role.STAFF].email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile("/account/two-factor-needed/"))
    assert_accessible(page)
    page.get_by_role("button", name="Set up an authenticator app").click()
    # Straight after typing the password, nobody is asked for it again to set up their first factor.
    page.wait_for_url(re.compile("/accounts/2fa/totp/activate/"))
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.get_by_label("Code from your authenticator app").fill(
        current_code(secret))
    page.get_by_role("button", name="Turn on authenticator app").click()
    # Set up: now Safekeep lets them find a child to write about.
    page.goto(f"{live_server.url}/children/")
    page.get_by_label("Name").fill("here")
    expect(page.get_by_role("cell", name="Child Here")).to_be_visible()
    assert_accessible(page)


def test_an_administrator_loads_a_pupil_file_fixing_a_bad_row_first(page, live_server):
    world = build_world()
    admin = world.personas[Role.ADMINISTRATOR]
    sign_in(page, live_server, admin, enrol_totp(admin))
    headings = "Admission Number,Legal Forename,Legal Surname,Date of Birth,Year Group\n"
    good = "".join(f"B{n},Pupil,Number{n},01/0{1 + n % 9}/2013,Year 8\n" for n in range(30))

    def choose(text):
        page.goto(live_server.url + "/imports/")
        page.get_by_label("Establishment").select_option(label="Establishment here")
        page.get_by_label("Children").check()
        page.get_by_label("CSV file from your MIS").set_input_files(
            files=[{"name": "pupils.csv", "mimeType": "text/csv", "buffer": text.encode()}])
        page.get_by_role("button", name="Check the file").click()

    choose(headings + good + "B99,Late,Entry,30/02/2013,Year 8\n")
    expect(page.get_by_text("Nothing has been loaded")).to_be_visible()
    expect(page.get_by_text("Line 32:")).to_be_visible()
    assert_accessible(page)
    choose(headings + good)
    expect(page.get_by_text("30 new")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Load 30 children").click()
    expect(page.get_by_text("30 of 30 rows (100%)")).to_be_visible()
    assert page.get_by_label("Loaded").evaluate("el => el.value") == 30
    assert_accessible(page)


def test_a_passkey_added_after_signing_in_then_signs_in_on_its_own(page, live_server):
    """Chromium's virtual authenticator stands in for a fingerprint reader (WebAuthn over CDP)."""
    world = build_world()
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # changing two-factor settings asks for the password again
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile("/accounts/2fa/webauthn/add/"))
    assert_accessible(page)
    page.get_by_label("Name").fill("Work laptop")
    page.get_by_label("Also use it to sign in without a password (passkey)").check()
    page.get_by_role("button", name="Add key").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    from allauth.mfa.models import Authenticator

    assert Authenticator.objects.filter(user=dsl, type=Authenticator.Type.WEBAUTHN).count() == 1
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/children/{world.children['here'].pk}/")
    expect(page.get_by_role("heading", name="Child Here")).to_be_visible()


def test_a_dsl_asks_what_happens_when_a_child_is_exploited_and_in_danger(page, live_server):
    from safekeep.packs import services

    world = build_world()
    versions = {v.pack: v for v in services.shipped_packs_install()}
    for pack in ("statutory-baseline", "child-exploitation", "child-on-child-abuse"):
        services.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=versions[pack],
                            organisation=world.organisations["one"])
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.get_by_role("link", name="What happens when…").click()
    assert_accessible(page)
    page.get_by_label("Child criminal exploitation (CCE)").check()
    page.get_by_label("A child is at risk of harm now").check()
    page.get_by_role("button", name="Show what must happen").click()
    table = page.get_by_role("table").first
    expect(table.get_by_text("immediately").first).to_be_visible()
    expect(table.get_by_text("CE 10.1").first).to_be_visible()
    assert_accessible(page)


def test_a_dsl_finds_an_overdue_action_first_and_marks_it_done(page, live_server):
    from datetime import timedelta

    from safekeep.actions.models import Action
    from safekeep.core import clock

    world = build_world()
    here = world.actions["here"]
    Action.objects.create(establishment=here.establishment, child=here.child, what="Tell the placing authority",
                          owner_role="dsl", deadline_unit="working days", deadline_amount=1,
                          due_at=clock.now() - timedelta(hours=3))
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.get_by_role("link", name="Actions", exact=True).click()
    first_row = page.get_by_role("row").nth(1)
    expect(first_row.get_by_text("Overdue")).to_be_visible()
    assert_accessible(page)
    first_row.get_by_role("link", name="Tell the placing authority").click()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as done").click()  # nothing typed: told why, nothing lost
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What was done").fill("Emailed the placing authority's duty team")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("The action is done")).to_be_visible()
    assert not page.get_by_role("link", name="Tell the placing authority").count()


def test_a_group_head_adopts_a_revised_policy(page, live_server):
    from safekeep.packs import services
    from safekeep.policy.packs import SHIPPED

    world = build_world()
    versions = {v.pack: v for v in services.shipped_packs_install()}
    head = world.personas[Role.GROUP_HEAD]
    services.pack_adopt(actor=head, pack_version=versions["child-exploitation"],
                        organisation=world.organisations["one"])
    sign_in(page, live_server, head, enrol_totp(head))
    page.goto(f"{live_server.url}/policies/manage/")
    assert_accessible(page)
    revised = (SHIPPED / "child-exploitation.yaml").read_text().replace('version: "2024-01-01-r5"',
                                                                          'version: "2026-12-01"')
    page.get_by_label("Policy pack file (YAML)").set_input_files(
        files=[{"name": "child-exploitation.yaml", "mimeType": "application/yaml", "buffer": revised.encode()}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="What changes from version 2024-01-01-r5")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Adopt version 2026-12-01").click()
    expect(page.get_by_text("now follows")).to_be_visible()


def test_a_member_of_staff_records_a_concern_about_two_children(page, live_server):
    from safekeep.children.models import Child, Enrolment
    from safekeep.concerns.models import Concern

    world = build_world()
    adopt_every_shipped_pack(world)
    other = Child.objects.create(organisation=world.organisations["one"], first_name="Noor", last_name="Baker",
                                 date_of_birth="2013-02-02", year_group="Year 8")
    Enrolment.objects.create(child=other, establishment=world.establishments["here"], mis_id="NB")
    staff = world.personas[Role.STAFF]
    sign_in(page, live_server, staff, enrol_totp(staff))
    page.get_by_role("link", name="Record a concern").click()
    assert_accessible(page)
    page.get_by_label("What you saw, heard or were told").fill("Draft words that must survive")
    page.get_by_role("button", name="Send to the safeguarding lead").click()
    expect(page.get_by_text("Your concern has not been sent yet")).to_be_visible()
    expect(page.get_by_label("What you saw, heard or were told")).to_have_value("Draft words that must survive")
    assert_accessible(page)
    page.get_by_label("Which child? Type part of their name").fill("here")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Add Child Here").click()
    page.get_by_label("Add another child").fill("noor")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Add Noor Baker, Year 8").click()
    expect(page.get_by_role("group", name="Noor Baker, Year 8")).to_be_visible()  # drawn in place by htmx
    page.locator("#role-{} ".format(world.children["here"].pk) + "input[value=harmed]").check()
    page.locator(f"#role-{other.pk} input[value=witness]").check()
    page.get_by_label("Date it happened").fill("2026-11-20")
    page.get_by_label("What you saw, heard or were told").fill("Saw him pushed against the lockers.")
    page.get_by_label("The child's own words (optional)").fill("they said I owe them")
    page.get_by_label("A child told me about harm to them (a disclosure)").check()
    expect(page.get_by_text("never promise to keep it secret")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send to the safeguarding lead").click()
    expect(page.get_by_text("Your concern has been sent")).to_be_visible()
    assert_accessible(page)
    concern = Concern.objects.get(recorded_by=staff)
    assert {(p.child.first_name, p.role) for p in concern.children_involved.all()} == {
        ("Child", "harmed"), ("Noor", "witness")}
