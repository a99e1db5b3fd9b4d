from django.apps import AppConfig


class AuditLogConfig(AppConfig):
    """The audit log's page and its CSV: the log (safekeep.audit, low down, written by every app) read with the
    names of the children and concerns it is about, so it stands above the apps that hold those names."""

    name = "safekeep.auditlog"
    label = "auditlog"
