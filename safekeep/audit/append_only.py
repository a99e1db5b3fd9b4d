"""Database triggers that refuse to change or remove audit rows, whatever the application does.

Installed by migration audit.0002. On PostgreSQL the deployment should also run the
application as a role without UPDATE or DELETE on the table (docs/adr/0002-audit-log.md).
"""

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
        """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$;""",
        """CREATE OR REPLACE TRIGGER audit_auditevent_append_only
           BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_auditevent
           FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only();""",
    ],
}
REMOVE = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
               "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;"],
}


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in INSTALL.get(connection.vendor, []):
            cursor.execute(sql)


def remove(connection) -> None:
    """Only for emptying a test database, and later for retention's reviewed destruction."""
    with connection.cursor() as cursor:
        for sql in REMOVE.get(connection.vendor, []):
            cursor.execute(sql)
