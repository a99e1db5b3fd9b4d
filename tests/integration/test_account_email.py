"""An email address is the key to an account ("Forgotten your password?" sends the link there), so an
administrator alone cannot move the address of someone who reads case content, and every change of address
ends the person's sessions and tokens (ADR 0008)."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safekeep.accounts import services as accounts
from safekeep.audit.models import AuditEvent
from safekeep.authz import services as authz
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Role
from tests.world import PASSWORD, sign_in

TAKEN_OVER = "administrators-own-inbox@example.org"
NEW_PASSWORD = "a password the administrator chose 42"


def _details(person, **changes):
    return {"full_name": person.full_name, "email": person.email, "job_title": person.job_title,
            "staff_mis_id": person.staff_mis_id, "is_active": "on"} | changes


def _reset_link(smtp_server, address):
    Client().post("/accounts/password/reset/", {"email": address})
    # An address without an account is told so by email, with no link in it.
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in smtp_server.messages if m["To"] == address]
    links = [found.group(1) for body in bodies
             if (found := re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body))]
    return links[-1] if links else None


def test_an_administrator_cannot_move_the_dsls_address_to_their_own_and_reset_the_password(
        client, world, signed_in, smtp_server):
    admin, dsl = world.personas[Role.ADMINISTRATOR], world.personas[Role.DSL]
    signed_in(admin)
    page = client.post(f"/people/{dsl.pk}/edit/", _details(dsl, email=TAKEN_OVER))
    assert page.status_code == 200
    assert "their email address cannot be changed here" in page.content.decode()
    dsl.refresh_from_db()
    assert dsl.email == "dsl@example.org"
    # "Forgotten your password?" with the administrator's address sends nothing, so nobody gets in as the DSL.
    assert _reset_link(smtp_server, TAKEN_OVER) is None
    attacker = Client()
    attacker.post("/accounts/login/", {"login": TAKEN_OVER, "password": NEW_PASSWORD})
    assert attacker.get(f"/concerns/{world.concerns['here'].pk}/").status_code == 302


def test_with_the_role_ended_first_the_new_address_gets_in_but_the_role_again_waits_for_approval(
        client, world, signed_in, smtp_server):
    admin, dsl = world.personas[Role.ADMINISTRATOR], world.personas[Role.DSL]
    concern = world.concerns["here"]
    authz.role_end(actor=admin, membership=RoleMembership.objects.current().get(user=dsl, role=Role.DSL))
    signed_in(admin)
    assert client.post(f"/people/{dsl.pk}/edit/", _details(dsl, email=TAKEN_OVER)).status_code == 302
    grant = authz.role_grant(actor=admin, person=dsl, role=Role.DSL, establishment=world.establishments["here"])
    assert grant.awaiting_approval
    attacker = Client()
    path = _reset_link(smtp_server, TAKEN_OVER)
    form_page = attacker.get(path, follow=True)
    attacker.post(form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    dsl.refresh_from_db()
    assert dsl.check_password(NEW_PASSWORD)
    # Signed in with the new password and a second factor of their own: the DSL role is not theirs yet.
    sign_in(attacker, dsl)
    assert attacker.get(f"/concerns/{concern.pk}/").status_code == 404


def test_changing_an_address_ends_the_persons_sessions_and_tokens_and_the_old_address_gets_no_link(
        world, smtp_server):
    admin, staff = world.personas[Role.ADMINISTRATOR], world.personas[Role.STAFF]
    old_address = staff.email
    session = sign_in(Client(), staff)
    assert session.get("/account/security/").status_code == 200
    _, key = accounts.api_token_create(actor=staff, name="Weekly report", mfa_passed=True)
    accounts.person_update(actor=admin, person=staff, email="new.address@example.org")
    assert session.get("/account/security/").status_code == 302
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    changed = AuditEvent.objects.get(action="account.email.changed", object_id=str(staff.pk))
    assert changed.actor_id == admin.pk
    assert AuditEvent.objects.get(action="api_token.revoke", object_type="personalapitoken").detail == {
        "reason": "email address changed"}
    assert _reset_link(smtp_server, old_address) is None
    assert _reset_link(smtp_server, "new.address@example.org") is not None
    # The person signs in afresh with the new address, as far as their second factor.
    again = Client().post("/accounts/login/", {"login": "new.address@example.org", "password": PASSWORD})
    assert again.status_code == 302 and again["Location"].startswith("/accounts/2fa/authenticate/")


def test_a_staff_file_cannot_move_the_dsls_address_either(client, world, signed_in,
                                                         django_capture_on_commit_callbacks, smtp_server):
    admin, dsl = world.personas[Role.ADMINISTRATOR], world.personas[Role.DSL]
    accounts.person_update(actor=admin, person=dsl, staff_mis_id="S-DSL")
    signed_in(admin)
    text = ("Email,Forename,Surname,Job Title,Staff Code\n"
            f"{TAKEN_OVER},Persona,Dsl,DSL,S-DSL\n")
    response = client.post("/imports/", {"establishment": world.establishments["here"].pk, "kind": "staff",
                                         "file": SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"] + "load/")
    dsl.refresh_from_db()
    assert dsl.email == "dsl@example.org"
    assert AuditEvent.objects.filter(action="person.import.update", object_id=str(dsl.pk),
                                     detail__email_kept=True).exists()
    assert _reset_link(smtp_server, TAKEN_OVER) is None


def test_the_django_admin_offers_no_way_to_switch_an_account_off_or_move_its_address(client, world):
    operator = world.personas[Role.ADMINISTRATOR]
    operator.is_superuser = operator.is_staff = True
    operator.save()
    sign_in(client, operator)
    dsl = world.personas[Role.DSL]
    assert client.get("/django-admin/").status_code == 200
    for page in (f"/django-admin/accounts/user/{dsl.pk}/change/", "/django-admin/account/emailaddress/add/"):
        response = client.get(page, follow=True)
        assert response.status_code == 404 or "is_active" not in response.content.decode()
        assert 'name="email"' not in response.content.decode()
