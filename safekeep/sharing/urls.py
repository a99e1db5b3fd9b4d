from django.urls import path

from . import views

app_name = "sharing"
urlpatterns = [
    path("", views.register, name="register"),
    path("export.csv", views.export, name="export"),
    path("new/", views.share_new, name="new"),
]
