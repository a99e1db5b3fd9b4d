"""A new person gets in: the invitation email, its single-use link, and on into two-factor set-up."""

import re
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from safekeep.accounts import services as accounts
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.core.clock import LONDON
from tests.world import current_code

NEW_PASSWORD = "a brand new long password 19"
UNVERIFIED = "You cannot activate two-factor authentication until you have verified your email address"


def _add_deputy(client, world):
    response = client.post("/people/new/", {"full_name": "New Deputy", "email": "new.deputy@one.example",
                                            "job_title": "Deputy DSL", "staff_mis_id": ""})
    assert response.status_code == 302
    return world.organisations["one"].people.get(email="new.deputy@one.example")


def _link_path(message):
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body).group(1)


def _choose_password(client, path):
    form_page = client.get(path, follow=True)
    assert "Set a new password" in form_page.content.decode()
    return client.post(form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
                       follow=True)


def test_adding_a_person_emails_an_invitation_that_leads_into_two_factor_set_up(client, world, signed_in,
                                                                              smtp_server):
    signed_in(world.personas[Role.ADMINISTRATOR])
    deputy = _add_deputy(client, world)
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == deputy.email
    assert message["Subject"] == "Safekeep: you have been given an account"
    body = message.get_body(preferencelist=("plain",)).get_content()
    for sensitive in ("Child", world.children["here"].last_name, world.establishments["here"].name, "Deputy DSL"):
        assert sensitive not in body and sensitive not in message["Subject"]

    newcomer = Client()
    landed = _choose_password(newcomer, _link_path(message))
    assert landed.redirect_chain[-1][0].endswith("/account/two-factor-needed/")
    set_up = newcomer.get("/accounts/2fa/totp/activate/")
    assert set_up.status_code == 200 and UNVERIFIED not in set_up.content.decode()
    secret = newcomer.session[SECRET_SESSION_KEY]
    turned_on = newcomer.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert turned_on.status_code == 302
    assert Authenticator.objects.filter(user=deputy, type=Authenticator.Type.TOTP).exists()
    assert EmailAddress.objects.get(user=deputy).verified
    proved = AuditEvent.objects.filter(action="account.email.verified", actor_id=deputy.pk)
    assert proved.count() == 1 and proved.get().object_id == str(deputy.pk)


def test_an_invitation_link_works_once(world, smtp_server):
    deputy = accounts.person_create(actor=world.personas[Role.ADMINISTRATOR], organisation=world.organisations["one"],
                                    email="new.deputy@one.example", full_name="New Deputy")
    path = _link_path(smtp_server.messages[0])
    _choose_password(Client(), path)
    stranger = Client()
    again = stranger.get(path, follow=True).content.decode()
    assert "This link no longer works" in again
    deputy.refresh_from_db()
    assert deputy.check_password(NEW_PASSWORD)


def test_an_invitation_link_stops_working_after_three_days(world, smtp_server, time_machine):
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
    time_machine.move_to(sent)
    accounts.person_create(actor=world.personas[Role.ADMINISTRATOR], organisation=world.organisations["one"],
                           email="new.deputy@one.example", full_name="New Deputy")
    time_machine.move_to(sent + timedelta(days=3, hours=1))
    page = Client().get(_link_path(smtp_server.messages[0]), follow=True).content.decode()
    assert "This link no longer works" in page


def test_someone_who_used_forgotten_password_can_then_set_up_two_factor(world, smtp_server):
    accounts.person_create(actor=world.personas[Role.ADMINISTRATOR], organisation=world.organisations["one"],
                           email="new.deputy@one.example", full_name="New Deputy")
    person = Client()
    person.post("/accounts/password/reset/", {"email": "new.deputy@one.example"})
    _choose_password(person, _link_path(smtp_server.messages[-1]))
    person.logout()
    person.post("/accounts/login/", {"login": "new.deputy@one.example", "password": NEW_PASSWORD})
    set_up = person.get("/accounts/2fa/totp/activate/")
    assert set_up.status_code == 200 and UNVERIFIED not in set_up.content.decode()


def test_an_administrator_sends_the_invitation_again_and_its_link_gets_the_person_in(client, world, signed_in,
                                                                                    smtp_server, time_machine):
    sent = datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
    time_machine.move_to(sent)
    admin = world.personas[Role.ADMINISTRATOR]
    deputy = accounts.person_create(actor=admin, organisation=world.organisations["one"],
                                    email="new.deputy@one.example", full_name="New Deputy")
    # The first link ran out before the deputy opened it.
    time_machine.move_to(sent + timedelta(days=4))
    signed_in(admin)
    page = client.get(f"/people/{deputy.pk}/").content.decode()
    assert "has not set a password yet" in page and "Send the invitation again" in page
    again = client.post(f"/people/{deputy.pk}/invite/", follow=True).content.decode()
    assert "The invitation has been emailed to New Deputy again" in again
    assert len(smtp_server.messages) == 2 and smtp_server.messages[1]["To"] == deputy.email
    assert "This link no longer works" in Client().get(_link_path(smtp_server.messages[0]), follow=True).content.decode()
    landed = _choose_password(Client(), _link_path(smtp_server.messages[1]))
    assert landed.redirect_chain[-1][0].endswith("/account/two-factor-needed/")
    assert AuditEvent.objects.filter(action="person.invite", actor_id=admin.pk, object_id=str(deputy.pk)).count() == 1
    # With a password set, there is nothing to send again: "Forgotten your password?" is for that.
    page = client.get(f"/people/{deputy.pk}/").content.decode()
    assert "Send the invitation again" not in page
    refused = client.post(f"/people/{deputy.pk}/invite/", follow=True).content.decode()
    assert "has already set a password" in refused
    assert len(smtp_server.messages) == 2


def test_people_loaded_from_a_staff_file_are_invited_and_can_get_in(client, world, signed_in, smtp_server,
                                                                   django_capture_on_commit_callbacks):
    signed_in(world.personas[Role.ADMINISTRATOR])
    text = ("Email,Forename,Surname,Job Title\n"
            "new.teacher@one.example,New,Teacher,Teacher\n"
            f"{world.people['here'].email},Already,Here,Teacher\n")
    response = client.post("/imports/", {"establishment": world.establishments["here"].pk, "kind": "staff",
                                         "file": SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"] + "load/")
    # Only the person new to Safekeep is invited; the one who already had an account is not emailed.
    assert [m["To"] for m in smtp_server.messages] == ["new.teacher@one.example"]
    assert smtp_server.messages[0]["Subject"] == "Safekeep: you have been given an account"
    landed = _choose_password(Client(), _link_path(smtp_server.messages[0]))
    assert landed.redirect_chain[-1][0].endswith("/account/two-factor-needed/")
    assert EmailAddress.objects.get(user__email="new.teacher@one.example").verified
