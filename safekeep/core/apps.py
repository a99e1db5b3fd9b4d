from django.apps import AppConfig
from django.core.checks import Tags, register
from django.urls import reverse

from .checks import keys_check


class CoreConfig(AppConfig):
    name = "safekeep.core"
    label = "core"

    def ready(self):
        register(keys_check, Tags.security, deploy=True)

        # In ready(): the admin and the sign-in views import models, which load after the app configs.
        from django.contrib import admin
        from django.contrib.auth.views import redirect_to_login

        def login_through_allauth(request, extra_context=None):
            # One way in: the Django admin uses the same sign-in, with two-factor authentication.
            return redirect_to_login(request.get_full_path(), login_url=reverse("account_login"))

        admin.site.login = login_through_allauth
        admin.site.site_header = "Safekeep platform administration"
