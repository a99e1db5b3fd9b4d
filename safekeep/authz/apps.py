from django.apps import AppConfig


class AuthzConfig(AppConfig):
    name = "safekeep.authz"
    label = "authz"
