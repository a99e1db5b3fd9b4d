-- Safekeep on PostgreSQL: two roles, so the running application can only add to the audit log.
--
-- Run once, as a superuser, before the first `manage.py migrate`:
--   psql -h DBHOST -U postgres -f docs/deploy/postgresql-roles.sql
-- then give each role a password with \password safekeep_owner and \password safekeep_app.
--
-- safekeep_owner owns the database and its tables: `manage.py migrate` and `createcachetable` run as
--   it, and nothing else does.
-- safekeep_app is what gunicorn, the worker and the scheduler connect as (DATABASE_URL). It may
--   read and write every table except the audit log and its checkpoints, which it may only read
--   and add to (docs/adr/0002-audit-log.md, docs/adr/0009-audit-checkpoints.md). Neither role is a
--   superuser, so neither can switch off the append-only triggers.

CREATE ROLE safekeep_owner LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB;
CREATE ROLE safekeep_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB;
CREATE DATABASE safekeep OWNER safekeep_owner;
\connect safekeep
ALTER SCHEMA public OWNER TO safekeep_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO safekeep_app;
