-- What safekeep_app may do (docs/deploy/postgresql-roles.sql made the roles).
--
-- Run as safekeep_owner after every `manage.py migrate` (new tables need their grants):
--   psql -h DBHOST -U safekeep_owner -d safekeep -f docs/deploy/postgresql-grants.sql
-- Safe to run again. `manage.py check --deploy` and `manage.py verify_audit_chain`, run as
-- safekeep_app, warn if it can still UPDATE, DELETE or TRUNCATE the audit tables, or owns them.

GRANT USAGE ON SCHEMA public TO safekeep_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO safekeep_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO safekeep_app;

-- The audit log and its checkpoints: read and add to, never change or remove.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent, audit_auditcheckpoint FROM safekeep_app;
GRANT SELECT, INSERT ON audit_auditevent, audit_auditcheckpoint TO safekeep_app;
