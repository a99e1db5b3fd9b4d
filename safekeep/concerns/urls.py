from django.urls import path

from safekeep.attachments import views as attachment_views

from . import views

app_name = "concerns"
urlpatterns = [
    path("", views.concern_inbox, name="inbox"),
    path("new/", views.record, name="record"),
    path("new/wording/", views.wording_check, name="wording_check"),
    path("<int:concern_id>/", views.concern_detail, name="detail"),
    path("<int:concern_id>/read/", views.concern_mark_read, name="mark_read"),
    path("<int:concern_id>/addenda/", views.addendum_add, name="addendum_add"),
    path("<int:concern_id>/adult/", views.allegation_subject_propose, name="allegation_subject"),
    path("<int:concern_id>/adult/decide/", views.allegation_subject_decide, name="allegation_subject_decide"),
    path("<int:concern_id>/attachments/", attachment_views.attachment_add, name="attachment_add"),
    path("<int:concern_id>/attachments/<int:attachment_id>/", attachment_views.attachment_download,
         name="attachment_download"),
    path("<int:concern_id>/children/<int:involved_id>/triage/", views.triage, name="triage"),
]
