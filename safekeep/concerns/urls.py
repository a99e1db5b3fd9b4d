from django.urls import path

from . import views

app_name = "concerns"
urlpatterns = [
    path("", views.concern_inbox, name="inbox"),
    path("new/", views.record, name="record"),
    path("<int:concern_id>/", views.concern_detail, name="detail"),
    path("<int:concern_id>/read/", views.concern_mark_read, name="mark_read"),
    path("<int:concern_id>/addenda/", views.addendum_add, name="addendum_add"),
    path("<int:concern_id>/children/<int:involved_id>/triage/", views.triage, name="triage"),
]
