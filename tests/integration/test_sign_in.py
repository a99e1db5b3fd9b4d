from datetime import timedelta

from django.core.cache import cache
from django.test import override_settings

from safekeep.authz.roles import Role
from tests.world import PASSWORD, current_code, enrol_totp


def test_password_then_authenticator_code_opens_the_child_record(client, world):
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    response = client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    # Between the password and the code, nothing private is reachable.
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    page = client.get(f"/children/{world.children['here'].pk}/")
    assert page.status_code == 200 and "Child Here" in page.content.decode()


def test_someone_without_a_second_factor_is_sent_to_set_one_up_and_sees_no_child(client, world):
    staff = world.personas[Role.STAFF]
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    for path in ("/", "/children/?q=Child", f"/children/{world.children['here'].pk}/", "/api/v1/children/"):
        response = client.get(path)
        assert response.status_code in (302, 401, 403), path
        assert "Child Here" not in response.content.decode()
    page = client.get("/account/two-factor-needed/", follow=True).content.decode()
    assert "Set up an authenticator app" in page


def test_wrong_passwords_lock_the_account_and_an_administrator_can_unlock_it(client, world, signed_in):
    staff = world.personas[Role.STAFF]
    cache.clear()
    for _ in range(5):
        client.post("/accounts/login/", {"login": staff.email, "password": "wrong password"})
    locked = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "ask your organisation's Safekeep administrator to unlock" in locked.content.decode()
    admin_client = client.__class__()
    from tests.world import sign_in

    sign_in(admin_client, world.personas[Role.ADMINISTRATOR])
    assert "cannot sign in after too many wrong passwords" in admin_client.get(f"/people/{staff.pk}/").content.decode()
    admin_client.post(f"/people/{staff.pk}/unlock/")
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302


def test_an_idle_session_is_ended_on_the_server(client, world, signed_in):
    from safekeep.accounts.middleware import LAST_SEEN

    signed_in(world.personas[Role.DSL])
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN] -= timedelta(minutes=16).total_seconds()
    session.save()
    old_key = session.session_key
    response = client.get(f"/children/{world.children['here'].pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()


@override_settings(SAFEKEEP_IDLE_TIMEOUT=timedelta(hours=24))
def test_the_absolute_limit_ends_even_a_busy_session(client, world, signed_in):
    from safekeep.accounts.middleware import STARTED

    signed_in(world.personas[Role.DSL])
    client.get("/")
    session = client.session
    session[STARTED] -= timedelta(hours=11).total_seconds()
    session.save()
    assert client.get("/").status_code == 302


def test_logout_ends_the_server_session(client, world, signed_in):
    from django.contrib.sessions.models import Session

    signed_in(world.personas[Role.DSL])
    key = client.session.session_key
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_the_django_admin_uses_the_same_sign_in(client, world):
    response = client.get("/django-admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_recovery_code_gets_someone_in_once_when_their_phone_is_lost(client, world):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    dsl = world.personas[Role.DSL]
    enrol_totp(dsl)
    code = RecoveryCodes.activate(dsl).get_unused_codes()[0]
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 200
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert again.status_code == 200 and "That recovery code has already been used" in again.content.decode()


def test_pages_carry_a_strict_content_security_policy(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    for path in ("/accounts/login/", "/", f"/children/{world.children['here'].pk}/"):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
            assert directive in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_a_code_that_has_just_rolled_over_still_works_but_an_old_one_does_not(client, world):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from tests.world import steady_step

    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    step = steady_step()
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    stale = client.post("/accounts/2fa/authenticate/", {"code": format_hotp_value(hotp_value(secret, step - 3))})
    assert stale.status_code == 200
    just_gone = client.post("/accounts/2fa/authenticate/", {"code": format_hotp_value(hotp_value(secret, step - 1))})
    assert just_gone.status_code == 302
