from django.apps import AppConfig
from django.core.checks import Tags, register

from .checks import audit_role_check


class AuditConfig(AppConfig):
    name = "safekeep.audit"
    label = "audit"

    def ready(self):
        register(audit_role_check, Tags.security, deploy=True)
