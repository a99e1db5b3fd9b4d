from django.urls import path

from . import views

# The audit log's addresses keep their names (audit:log): the page moved up the layers, not its address.
app_name = "audit"
urlpatterns = [
    path("", views.audit_log, name="log"),
    path("export.csv", views.export, name="export"),
]
