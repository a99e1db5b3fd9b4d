from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "safekeep.referrals"
    label = "referrals"
