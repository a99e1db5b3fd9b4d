from django.urls import path

from . import views

app_name = "authz"
urlpatterns = [
    path("", views.roles, name="roles"),
    path("grants/", views.grants, name="grants"),
    path("grants/decide/", views.grant_decide, name="grant_decide"),
]
