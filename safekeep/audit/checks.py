"""`check --deploy` warns when the application's database role could rewrite the audit log.

The triggers (append_only.py) refuse UPDATE and DELETE, but a role that owns the table, or is a
superuser, can switch them off. On PostgreSQL the application should run as a role with only
INSERT and SELECT on the audit tables (docs/deploy/postgresql-grants.sql).
"""

from django.core.checks import Warning
from django.db import DatabaseError, OperationalError, connections

from .append_only import TABLES

_PRIVILEGES = """
SELECT c.relname,
       has_table_privilege(current_user, c.oid, 'UPDATE'),
       has_table_privilege(current_user, c.oid, 'DELETE'),
       has_table_privilege(current_user, c.oid, 'TRUNCATE'),
       pg_has_role(current_user, c.relowner, 'USAGE'),
       current_user
FROM pg_class c
WHERE c.relname = ANY(%s) AND c.relkind = 'r' AND pg_table_is_visible(c.oid)
ORDER BY c.relname
"""

HINT = ("Run Safekeep as a role with only INSERT and SELECT on the audit tables, and migrate as their owner: "
        "see docs/deploy/postgresql-grants.sql.")


def audit_role_warnings(databases=("default",)) -> list[Warning]:
    warnings = []
    for alias in databases:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue  # SQLite has no roles: its triggers are the only guard
        try:
            with connection.cursor() as cursor:
                cursor.execute(_PRIVILEGES, [list(TABLES)])
                rows = cursor.fetchall()
        except OperationalError:
            # No database to reach (a build step): nothing to judge. verify_audit_chain, run against the
            # live database, gives the same warnings.
            continue
        except DatabaseError as error:
            warnings.append(Warning(f"Could not read the database role's rights on the audit tables ({error}).",
                                    hint=HINT, id="audit.W003"))
            continue
        for table, update, delete, truncate, owns, role in rows:
            if owns:
                warnings.append(Warning(
                    f"The database role {role!r} owns the audit table {table}: it can switch off the triggers "
                    "that keep it append-only.", hint=HINT, id="audit.W002"))
            elif rights := [name for name, held in (("UPDATE", update), ("DELETE", delete),
                                                    ("TRUNCATE", truncate)) if held]:
                warnings.append(Warning(
                    f"The database role {role!r} can {', '.join(rights)} the audit table {table}.",
                    hint=HINT, id="audit.W001"))
    return warnings


def audit_role_check(app_configs=None, databases=None, **kwargs):
    return audit_role_warnings(databases or ["default"])
