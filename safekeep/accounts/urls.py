from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("two-factor-needed/", views.mfa_required, name="mfa_required"),
    path("security/", views.security, name="security"),
    path("api-tokens/new/", views.api_token_create, name="api_token_create"),
    path("api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
