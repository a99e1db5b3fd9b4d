from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from safekeep.core.clock import LONDON
from tests.world import build_world, sign_in

# Property tests check rules, not speed: a busy CI machine must not fail them for being slow
# (speed is measured in bench/, never in tests).
hypothesis_settings.register_profile("safekeep", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("safekeep")


def pytest_addoption(parser):
    parser.addoption(
        "--clock", default=None, metavar="WHEN",
        help="Start every test's clock at this UK time (2026-12-25, 2027-03-28T01:30) to show no test "
             "depends on the day it runs. The clock keeps ticking from there.")


@contextmanager
def _clock_moved(config):
    """With --clock, the clock starts at that UK time and ticks from there; without it, nothing moves."""
    when = config.getoption("--clock")
    if when is None:
        yield
        return
    start = datetime.fromisoformat(when)
    with time_machine.travel(start if start.tzinfo else start.replace(tzinfo=LONDON), tick=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def _clock_for_the_session(request):
    """With --clock, worlds built once for a module or the session are built at that moment too."""
    with _clock_moved(request.config):
        yield


@pytest.fixture(autouse=True)
def _clock(request, _clock_for_the_session):
    """With --clock, every test starts at that instant; a test that needs a date of its own moves the
    clock again with time-machine's `time_machine` fixture."""
    with _clock_moved(request.config):
        yield


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client, signed in with two-factor authentication passed."""

    def _sign_in(user, *, mfa=True):
        return sign_in(client, user, mfa=mfa)

    return _sign_in


@pytest.fixture(autouse=True)
def _audit_append_only(request):
    """Every test starts with the audit log's append-only triggers in place. Tests that commit
    (browser and worker tests) lift them at the end so the database can be emptied for the next test."""
    from django.db import connection

    from safekeep.audit import append_only

    marker = request.node.get_closest_marker("django_db")
    commits = bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames
    if marker is None and not commits:
        yield
        return
    request.getfixturevalue("transactional_db" if commits else "db")
    append_only.install(connection)
    yield
    if commits:
        append_only.remove(connection)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback (aiosmtpd); Safekeep's mail goes to it through the SMTP backend."""
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            from email import message_from_bytes, policy

            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
            return "250 Message accepted"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5}}}
    yield inbox
    controller.stop()


@pytest.fixture
def adopted(world):
    """Organisation one follows the baseline and the exploitation policy, as its group head decided."""
    from safekeep.authz.roles import Role
    from safekeep.packs import services

    group_head = world.personas[Role.GROUP_HEAD]
    versions = {v.pack: v for v in services.shipped_packs_install()}
    for pack in ("statutory-baseline", "child-exploitation"):
        services.pack_adopt(actor=group_head, pack_version=versions[pack], organisation=world.organisations["one"])
    return versions
