from django.urls import path

from . import views

app_name = "authz"
urlpatterns = [path("", views.roles, name="roles")]
