from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "safekeep.places"
    label = "places"
    verbose_name = "Places"
