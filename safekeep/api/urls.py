from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from safekeep.accounts.api import Me
from safekeep.actions.api import ActionComplete, ActionList, ActionReassign
from safekeep.attachments.api import AttachmentDownload, AttachmentUpload
from safekeep.children.api import ChildDetail, ChildList
from safekeep.chronology.api import ChildChronology, ChronologyKeyEvent
from safekeep.concerns.api import AddendumAdd, ConcernDetail, ConcernRecord, Inbox, TriageRecord
from safekeep.establishments.api import EstablishmentDetail, EstablishmentList
from safekeep.packs.api import Requirements

app_name = "api"
urlpatterns = [
    path("me/", Me.as_view(), name="me"),
    path("establishments/", EstablishmentList.as_view(), name="establishment-list"),
    path("establishments/<int:pk>/", EstablishmentDetail.as_view(), name="establishment-detail"),
    path("children/", ChildList.as_view(), name="child-list"),
    path("children/<int:pk>/", ChildDetail.as_view(), name="child-detail"),
    path("requirements/", Requirements.as_view(), name="requirements"),
    path("concerns/", ConcernRecord.as_view(), name="concern-record"),
    path("concerns/<int:pk>/", ConcernDetail.as_view(), name="concern-detail"),
    path("concerns/inbox/", Inbox.as_view(), name="concern-inbox"),
    path("concerns/<int:pk>/addenda/", AddendumAdd.as_view(), name="concern-addendum"),
    path("concerns/<int:pk>/attachments/", AttachmentUpload.as_view(), name="concern-attachments"),
    path("concerns/<int:pk>/attachments/<int:attachment_id>/", AttachmentDownload.as_view(),
         name="concern-attachment-download"),
    path("concerns/<int:pk>/children/<int:child_id>/triage/", TriageRecord.as_view(), name="concern-triage"),
    path("children/<int:child_id>/chronology/", ChildChronology.as_view(), name="child-chronology"),
    path("chronology/entries/<int:pk>/key-event/", ChronologyKeyEvent.as_view(), name="chronology-key-event"),
    path("actions/", ActionList.as_view(), name="action-list"),
    path("actions/<int:pk>/complete/", ActionComplete.as_view(), name="action-complete"),
    path("actions/<int:pk>/reassign/", ActionReassign.as_view(), name="action-reassign"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
