"""`manage.py check --deploy` refuses weak or shared keys and warns when the database role could
rewrite the audit log (issue 10, sections 5 and 6)."""

import io
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import DatabaseError, connection, transaction

from safekeep.audit.models import AuditEvent
from safekeep.audit.services import audit_record

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
STRONG = {"SECRET_KEY": "s" * 10 + "ecret-key-for-the-deploy-check-0123456789abcdefghij",
          "AUDIT_HMAC_KEY": "audit-key-for-the-deploy-check-0123456789",
          "FIELD_ENCRYPTION_KEY": "field-key-for-the-deploy-check-0123456789",
          "ATTACHMENT_ENCRYPTION_KEY": ""}


def _deploy_check() -> str:
    """What `manage.py check --deploy --tag security` prints; raises SystemCheckError (a non-zero exit) on
    an error. Only the security checks: the test settings fail others on purpose (the test mail backend)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("check", "--deploy", "--tag", "security", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.mark.parametrize("setting, name", [("AUDIT_HMAC_KEY", "SAFEKEEP_AUDIT_KEY"),
                                           ("FIELD_ENCRYPTION_KEY", "SAFEKEEP_FIELD_KEY"),
                                           ("ATTACHMENT_ENCRYPTION_KEY", "SAFEKEEP_ATTACHMENT_KEY")])
@pytest.mark.parametrize("weak", ["x", "short-but-not-one-character", "a" * 40])
def test_a_short_or_plain_key_fails_the_deploy_check(db, settings, setting, name, weak):
    for key, value in STRONG.items():
        setattr(settings, key, value)
    assert "core.E" not in _deploy_check()
    setattr(settings, setting, weak)
    with pytest.raises(SystemCheckError, match=rf"core.E001\) {name} is too short or too plain"):
        _deploy_check()


@pytest.mark.parametrize("first, second, names", [
    ("SECRET_KEY", "AUDIT_HMAC_KEY", "SECRET_KEY and SAFEKEEP_AUDIT_KEY"),
    ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "SECRET_KEY and SAFEKEEP_FIELD_KEY"),
    ("AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEY", "SAFEKEEP_AUDIT_KEY and SAFEKEEP_FIELD_KEY"),
])
def test_the_three_keys_must_differ(db, settings, first, second, names):
    for key, value in STRONG.items():
        setattr(settings, key, value)
    setattr(settings, second, getattr(settings, first))
    with pytest.raises(SystemCheckError, match=rf"core.E002\) {names} are the same"):
        _deploy_check()


def _grants_for(role: str) -> str:
    """The shipped grants, for a role of this test's own (roles belong to the whole server)."""
    return (DEPLOY / "postgresql-grants.sql").read_text().replace("safekeep_app", role)


def test_the_deploy_check_warns_while_the_app_role_could_rewrite_the_audit_log(db):
    if connection.vendor != "postgresql":
        # SQLite has no roles: the triggers are its only guard, so there is nothing to warn about.
        assert "audit.W" not in _deploy_check()
        return
    # The test connects as the superuser that owns every table: the check names it.
    report = _deploy_check()
    assert "audit.W002" in report and "owns the audit table audit_auditevent" in report
    assert "owns the audit table audit_auditcheckpoint" in report
    verify = io.StringIO()
    call_command("verify_audit_chain", stdout=io.StringIO(), stderr=verify)
    assert "owns the audit table audit_auditevent" in verify.getvalue()

    careless, restricted = (f"safekeep_test_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("careless", "app"))
    with connection.cursor() as cursor:
        # A role given every right on every table, as a quick deployment would.
        cursor.execute(f"CREATE ROLE {careless} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {careless}")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {careless}")
        # The role docs/deploy sets up.
        cursor.execute(f"CREATE ROLE {restricted} NOLOGIN")
        cursor.execute(_grants_for(restricted))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {careless}")
        report = _deploy_check()
        assert f"audit.W001) The database role '{careless}' can UPDATE, DELETE, TRUNCATE the audit table " \
               "audit_auditevent" in report
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {restricted}")
        assert "audit.W" not in _deploy_check()
        # The restricted role still does its work: it reads the log and adds to it, and may do nothing else.
        with transaction.atomic():
            event = audit_record(actor=None, action="test.event")
        assert AuditEvent.objects.filter(pk=event.pk).exists()
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditcheckpoint")
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE audit_auditevent")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
