"""Database triggers that refuse to change or remove audit rows and checkpoints, whatever the application does.

Installed by migrations audit.0002 (the log) and audit.0003 (its checkpoints). On PostgreSQL the
deployment should also run the application as a role with only INSERT and SELECT on these tables
(docs/deploy/postgresql-roles.sql, docs/adr/0002-audit-log.md); `check --deploy` warns when it can do more.
"""

TABLES = ("audit_auditevent", "audit_auditcheckpoint")

_FUNCTION = """CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$;"""


def _install_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
                f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"""]
    if vendor == "postgresql":
        return [_FUNCTION,
                f"""CREATE OR REPLACE TRIGGER {table}_append_only
                    BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only();"""]
    return []


def _remove_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
    return []


def install(connection, tables=TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            for sql in _install_sql(connection.vendor, table):
                cursor.execute(sql)


def remove(connection, tables=TABLES) -> None:
    """Only for emptying a test database, and later for retention's reviewed destruction."""
    with connection.cursor() as cursor:
        for table in tables:
            for sql in _remove_sql(connection.vendor, table):
                cursor.execute(sql)
