import pytest

from tests.world import build_world, sign_in


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
