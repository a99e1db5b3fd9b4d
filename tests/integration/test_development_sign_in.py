"""The first ten minutes (issue 11, section 7): in development only, the second sign-in step shows the
person's current code, so the demo needs no phone and no second terminal; a system check keeps it off
anywhere real."""

import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from safekeep.authz.roles import Role
from safekeep.core.clock import LONDON
from tests.world import PASSWORD, enrol_totp

# 12 seconds into a 30-second step: the code shown changes in 18 seconds.
NOW = datetime(2026, 11, 2, 9, 30, 12, tzinfo=LONDON)
DEVELOPMENT = {"DEBUG": True, "PRODUCTION": False, "SAFEKEEP_SHOW_DEMO_CODE": True}


def code_at(secret, when):
    return format_hotp_value(hotp_value(secret, int(when.timestamp()) // 30))


@override_settings(**DEVELOPMENT)
def test_in_development_the_second_step_shows_the_current_code_and_it_signs_in(client, world, time_machine):
    time_machine.move_to(NOW, tick=False)
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert "Development only" in page and code_at(secret, NOW) in page and "changes in 18 seconds" in page
    assert client.post("/accounts/2fa/authenticate/", {"code": code_at(secret, NOW)}).status_code == 302
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 200


@override_settings(**DEVELOPMENT)
def test_a_code_already_used_is_not_offered_again(client, world, time_machine):
    time_machine.move_to(NOW, tick=False)
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code_at(secret, NOW)})
    client.post("/accounts/logout/")
    time_machine.move_to(NOW + timedelta(seconds=5), tick=False)
    client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
    page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert "Reload this page in 13 seconds for the next one" in page and code_at(secret, NOW) not in page


@pytest.mark.parametrize("posture", [{}, {"SAFEKEEP_SHOW_DEMO_CODE": True, "DEBUG": False},
                                     {"SAFEKEEP_SHOW_DEMO_CODE": True, "DEBUG": True, "PRODUCTION": True}])
def test_outside_development_the_page_never_shows_a_code(client, world, time_machine, posture):
    time_machine.move_to(NOW, tick=False)
    dsl = world.personas[Role.DSL]
    secret = enrol_totp(dsl)
    with override_settings(**posture):
        client.post("/accounts/login/", {"login": dsl.email, "password": PASSWORD})
        page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert "Enter the code from your authenticator app" in page
    assert "Development only" not in page and code_at(secret, NOW) not in page


@pytest.mark.parametrize(("posture", "refused"), [
    ({"SAFEKEEP_SHOW_DEMO_CODE": True, "DEBUG": True, "PRODUCTION": True}, True),
    ({"SAFEKEEP_SHOW_DEMO_CODE": True, "DEBUG": False, "PRODUCTION": False}, True),
    ({"SAFEKEEP_SHOW_DEMO_CODE": False, "DEBUG": False, "PRODUCTION": True}, False),
    (DEVELOPMENT, False),
])
def test_the_system_check_refuses_the_code_on_the_page_outside_development(posture, refused):
    with override_settings(**posture):
        if refused:
            with pytest.raises(SystemCheckError, match=r"accounts.E001\) SAFEKEEP_SHOW_DEMO_CODE is on outside"):
                call_command("check", "--tag", "security")
        else:
            call_command("check", "--tag", "security")


def test_the_setting_is_on_by_default_in_development_only_and_a_server_without_debug_will_not_start(tmp_path):
    base = os.environ | {"SAFEKEEP_ENV": "development", "SAFEKEEP_VAR_DIR": str(tmp_path)}
    base.pop("SAFEKEEP_SHOW_DEMO_CODE", None)
    read = "from django.conf import settings; print(settings.SAFEKEEP_SHOW_DEMO_CODE)"
    shell = [sys.executable, "manage.py", "shell", "--no-imports", "-c", read]
    assert subprocess.run(shell, env=base, capture_output=True, text=True).stdout.strip() == "True"
    assert subprocess.run(shell, env=base | {"SAFEKEEP_ENV": "test"}, capture_output=True,
                          text=True).stdout.strip() == "False"
    result = subprocess.run([sys.executable, "manage.py", "check"], capture_output=True, text=True,
                            env=base | {"SAFEKEEP_DEBUG": "0", "SAFEKEEP_SHOW_DEMO_CODE": "1"})
    assert result.returncode != 0 and "accounts.E001" in result.stderr
