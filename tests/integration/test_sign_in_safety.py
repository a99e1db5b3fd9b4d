"""Sign-in under attack: wrong and replayed codes, lockouts behind the proxy, tokens and switched-off accounts."""

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta

from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client, override_settings

from safekeep.accounts import services as accounts
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.core.clock import LONDON
from tests.world import PASSWORD, current_code, enrol_totp, sign_in

# The start of a 30-second step, so a test knows exactly which codes are current.
STEP_START = datetime(2026, 11, 2, 9, 30, 0, tzinfo=LONDON)
PROXY, HOME, ELSEWHERE = "10.0.0.5", "198.51.100.7", "203.0.113.9"
USED = "That code has already been used. Wait for the next code from your app."


def code_at(secret, when):
    return format_hotp_value(hotp_value(secret, int(when.timestamp()) // 30))


def wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_codes_end_the_sign_in_then_lock_the_account_and_are_audited(client, world, time_machine):
    time_machine.move_to(STEP_START, tick=False)
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    right = code_at(secret, STEP_START)
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    for _ in range(2):
        page = client.post("/accounts/2fa/authenticate/", {"code": wrong(right)})
        assert page.status_code == 200 and "Incorrect code" in page.content.decode()
    page = client.post("/accounts/2fa/authenticate/", {"code": wrong(right)})
    assert "Sign in again with your email address and password" in page.content.decode()
    # That pending sign-in is over: even the right code now leads back to the password.
    again = client.post("/accounts/2fa/authenticate/", {"code": right})
    assert again.status_code == 302 and "/accounts/login/" in again["Location"]
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 302

    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    for _ in range(2):
        client.post("/accounts/2fa/authenticate/", {"code": wrong(right)})
    locked = client.post("/accounts/2fa/authenticate/", {"code": right}).content.decode()
    assert "Too many wrong codes have been typed for this account" in locked
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 302
    denied = AuditEvent.objects.filter(action="account.mfa.code_refused", outcome="denied", actor_id=dsl.pk)
    assert denied.count() == 6  # five wrong codes, then the right one refused while locked
    # A refused code is its own event, never mistaken for a refused password.
    assert not AuditEvent.objects.filter(action="account.login", outcome="denied", actor_id=dsl.pk).exists()

    admin = sign_in(Client(), world.personas[Role.ADMINISTRATOR])
    assert "cannot sign in" in admin.get(f"/people/{dsl.pk}/").content.decode()
    admin.post(f"/people/{dsl.pk}/unlock/")
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    assert client.post("/accounts/2fa/authenticate/", {"code": right}).status_code == 302
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 200


def test_code_entry_opens_again_after_the_lockout_time(client, world, time_machine):
    time_machine.move_to(STEP_START, tick=False)
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    for _ in range(2):
        client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
        for _ in range(3):
            client.post("/accounts/2fa/authenticate/", {"code": wrong(code_at(secret, STEP_START))})
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    locked = client.post("/accounts/2fa/authenticate/", {"code": code_at(secret, STEP_START)})
    assert "Too many wrong codes" in locked.content.decode()
    later = STEP_START + timedelta(minutes=16)
    time_machine.move_to(later, tick=False)
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    assert client.post("/accounts/2fa/authenticate/", {"code": code_at(secret, later)}).status_code == 302


def test_a_code_that_signed_someone_in_is_refused_a_minute_later(client, world, time_machine):
    time_machine.move_to(STEP_START, tick=False)
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    used = code_at(secret, STEP_START)
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    assert client.post("/accounts/2fa/authenticate/", {"code": used}).status_code == 302
    client.post("/accounts/logout/")
    # 40 seconds on, the code is still inside the tolerance window, but it has been used.
    time_machine.move_to(STEP_START + timedelta(seconds=40), tick=False)
    thief = Client()
    thief.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    replay = thief.post("/accounts/2fa/authenticate/", {"code": used})
    assert replay.status_code == 200 and USED in replay.content.decode()
    assert "Incorrect code" not in replay.content.decode()
    assert thief.get(f"/children/{world.children['here'].pk}/").status_code == 302
    # The code of the new step still works.
    fresh = thief.post("/accounts/2fa/authenticate/", {"code": code_at(secret, STEP_START + timedelta(seconds=40))})
    assert fresh.status_code == 302


def test_a_code_typed_again_within_its_30_seconds_says_it_was_used_not_that_it_is_wrong(client, world,
                                                                                        time_machine):
    time_machine.move_to(STEP_START, tick=False)
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    code = code_at(secret, STEP_START)
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    time_machine.move_to(STEP_START + timedelta(seconds=10), tick=False)  # the app still shows the same code
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    again = client.post("/accounts/2fa/authenticate/", {"code": code}).content.decode()
    assert USED in again and "Incorrect code" not in again
    refused = AuditEvent.objects.filter(action="account.mfa.code_refused", actor_id=dsl.pk).get()
    assert refused.detail["already_used"] is True
    # A code that was never right still reads as a wrong code.
    typo = client.post("/accounts/2fa/authenticate/", {"code": wrong(code)}).content.decode()
    assert "Incorrect code" in typo and USED not in typo


def test_the_code_that_set_the_app_up_cannot_sign_in_afterwards(client, world, time_machine,
                                                                django_capture_on_commit_callbacks):
    time_machine.move_to(STEP_START, tick=False)
    staff = world.personas[Role.STAFF]
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    used = code_at(secret, STEP_START)
    with django_capture_on_commit_callbacks(execute=True):  # allauth announces the new factor after commit
        assert client.post("/accounts/2fa/totp/activate/", {"code": used}).status_code == 302
    time_machine.move_to(STEP_START + timedelta(seconds=20), tick=False)
    thief = Client()
    thief.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    replay = thief.post("/accounts/2fa/authenticate/", {"code": used})
    assert replay.status_code == 200 and USED in replay.content.decode()


@override_settings(SAFEKEEP_TRUSTED_PROXIES=[PROXY])
def test_wrong_passwords_from_one_address_behind_the_proxy_do_not_lock_the_dsl_out_elsewhere(world):
    dsl = world.personas[Role.DSL]
    enrol_totp(dsl)
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    for _ in range(5):
        attacker.post("/accounts/login/", {"login": dsl.email, "password": "not the password"})
    assert attacker.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD}).status_code == 429
    # Writing another address in front of the header changes nothing: only what our proxy saw counts.
    forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{HOME}, {ELSEWHERE}")
    assert forged.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD}).status_code == 429
    # Nor does the header count from anyone but the proxy.
    direct = Client(REMOTE_ADDR=ELSEWHERE, HTTP_X_FORWARDED_FOR=HOME)
    assert direct.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD}).status_code == 429

    the_dsl = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=HOME)
    response = the_dsl.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]


def test_a_trusted_proxy_that_is_not_an_address_stops_safekeep_starting():
    env = os.environ | {"SAFEKEEP_ENV": "test", "SAFEKEEP_TRUSTED_PROXIES": "127.0.0.1, proxy.internal"}
    result = subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SAFEKEEP_TRUSTED_PROXIES: 'proxy.internal' is not an IP address or network" in result.stderr


def _token(user):
    _, key = accounts.api_token_create(actor=user, name="Weekly report", mfa_passed=True)
    return key


def _api_me(key):
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def _revocations(user):
    return AuditEvent.objects.filter(action="api_token.revoke", actor_id=user.pk)


def test_changing_the_password_revokes_every_api_token(client, world, signed_in):
    dsl = world.personas[Role.DSL]
    key = _token(dsl)
    assert _api_me(key) == 200
    signed_in(dsl)
    response = client.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": "a new long password 77", "password2": "a new long password 77"})
    assert response.status_code == 302
    assert _api_me(key) == 401
    assert _revocations(dsl).get().detail == {"reason": "password changed"}


def test_resetting_a_forgotten_password_revokes_every_api_token(client, world, smtp_server):
    dsl = world.personas[Role.DSL]
    key = _token(dsl)
    client.post("/accounts/password/reset/", {"email": dsl.email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", smtp_server.messages[-1].get_content()).group()
    form_page = client.get(link[link.index("/accounts/"):], follow=True)
    client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
                {"password1": "a new long password 77", "password2": "a new long password 77"})
    assert _api_me(key) == 401
    assert _revocations(dsl).count() == 1


def test_removing_the_authenticator_app_revokes_every_api_token(client, world, signed_in):
    dsl = world.personas[Role.DSL]
    signed_in(dsl)
    key = _token(dsl)
    # Two-factor settings change only after the password is typed again.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert _api_me(key) == 401
    assert _revocations(dsl).get().detail == {"reason": "second factor removed"}
    removed = AuditEvent.objects.get(action="account.mfa.removed", actor_id=dsl.pk)
    assert removed.detail == {"type": "totp"}


def test_switching_an_account_off_ends_its_sessions_for_good(client, world, signed_in):
    dsl, admin = world.personas[Role.DSL], world.personas[Role.ADMINISTRATOR]
    secret = enrol_totp(dsl)
    signed_in(dsl)
    key = _token(dsl)
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 200
    accounts.person_update(actor=admin, person=dsl, is_active=False)
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 302
    accounts.person_update(actor=admin, person=dsl, is_active=True)
    # Switched on again, the old session and token stay dead: the person signs in afresh.
    response = client.get(f"/children/{world.children['here'].pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _api_me(key) == 401
    fresh = Client()
    fresh.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    assert fresh.post("/accounts/2fa/authenticate/", {"code": current_code(secret)}).status_code == 302
    assert fresh.get(f"/children/{world.children['here'].pk}/").status_code == 200
