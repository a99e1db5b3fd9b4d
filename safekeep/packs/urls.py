from django.urls import path

from . import views

app_name = "packs"
urlpatterns = [path("", views.explorer, name="explorer")]
