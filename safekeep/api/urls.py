from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from safekeep.accounts.api import Me
from safekeep.actions.api import ActionComplete, ActionList, ActionReassign
from safekeep.attachments.api import AttachmentDownload, AttachmentUpload
from safekeep.children.api import ChildDetail, ChildList, ChildSearch
from safekeep.chronology.api import ChildChronology, ChronologyKeyEvent
from safekeep.concerns.api import AddendumAdd, ConcernDetail, ConcernRecord, Inbox, TriageRecord
from safekeep.establishments.api import EstablishmentDetail, EstablishmentList
from safekeep.packs.api import Requirements
from safekeep.safetyplans.api import PlanCreate, PlanDetail, PlanReview, PlanRevise, SanctionRecord
from safekeep.meetings.api import MeetingDetail, MeetingRecord
from safekeep.sharing.api import ShareRegister
from safekeep.cases.api import CaseChange, CaseReopen
from safekeep.referrals.api import ConsultationRecord, NrmDetail, ReferralDetail, ReferralOutcomeRecord, ReferralRecord
from safekeep.subjectaccess.api import RequestDetail as SubjectAccessDetail, RequestList as SubjectAccessList

app_name = "api"
urlpatterns = [
    path("me/", Me.as_view(), name="me"),
    path("establishments/", EstablishmentList.as_view(), name="establishment-list"),
    path("establishments/<int:pk>/", EstablishmentDetail.as_view(), name="establishment-detail"),
    path("children/", ChildList.as_view(), name="child-list"),
    path("children/search/", ChildSearch.as_view(), name="child-search"),
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
    path("referrals/", ReferralRecord.as_view(), name="referral-record"),
    path("referrals/<int:pk>/", ReferralDetail.as_view(), name="referral-detail"),
    path("referrals/<int:pk>/outcomes/", ReferralOutcomeRecord.as_view(), name="referral-outcome"),
    path("consultations/", ConsultationRecord.as_view(), name="consultation-record"),
    path("nrm/<int:pk>/", NrmDetail.as_view(), name="nrm-detail"),
    path("cases/<int:child_id>/<int:establishment_id>/close/", CaseChange.as_view(), name="case-close"),
    path("cases/<int:child_id>/<int:establishment_id>/reopen/", CaseReopen.as_view(), name="case-reopen"),
    path("sharing/", ShareRegister.as_view(), name="sharing"),
    path("meetings/", MeetingRecord.as_view(), name="meeting-record"),
    path("meetings/<int:pk>/", MeetingDetail.as_view(), name="meeting-detail"),
    path("safety-plans/", PlanCreate.as_view(), name="plan-create"),
    path("safety-plans/<int:pk>/", PlanDetail.as_view(), name="plan-detail"),
    path("safety-plans/<int:pk>/versions/", PlanRevise.as_view(), name="plan-versions"),
    path("safety-plans/<int:pk>/reviews/", PlanReview.as_view(), name="plan-reviews"),
    path("sanctions/", SanctionRecord.as_view(), name="sanction-record"),
    path("subject-access/", SubjectAccessList.as_view(), name="subject-access-list"),
    path("subject-access/<int:pk>/", SubjectAccessDetail.as_view(), name="subject-access-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
