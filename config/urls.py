from django.contrib import admin
from django.urls import include, path

from safekeep.core import views as core_views
from safekeep.oversight import views as oversight_views

urlpatterns = [
    path("", oversight_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("safekeep.accounts.urls")),
    path("people/", include("safekeep.accounts.people_urls")),
    path("roles/", include("safekeep.authz.urls")),
    path("audit/", include("safekeep.auditlog.urls")),
    path("establishments/", include("safekeep.establishments.urls")),
    path("children/", include("safekeep.children.urls")),
    path("imports/", include("safekeep.imports.urls")),
    path("policies/", include("safekeep.packs.urls")),
    path("actions/", include("safekeep.actions.urls")),
    path("concerns/", include("safekeep.concerns.urls")),
    path("chronology/", include("safekeep.chronology.urls")),
    path("safety-plans/", include("safekeep.safetyplans.urls")),
    path("referrals/", include("safekeep.referrals.urls")),
    path("cases/", include("safekeep.cases.urls")),
    path("sharing/", include("safekeep.sharing.urls")),
    path("meetings/", include("safekeep.meetings.urls")),
    path("trends/", include("safekeep.trends.urls")),
    path("oversight/", include("safekeep.oversight.urls")),
    path("api/v1/", include("safekeep.api.urls")),
    path("governance/", include("safekeep.governance.urls")),
    path("peer-groups/", include("safekeep.peergroups.urls")),
    path("missing/", include("safekeep.missing.urls")),
    path("exploitation/", include("safekeep.exploitation.urls")),
    path("training/", include("safekeep.training.urls")),
    path("places/", include("safekeep.places.urls")),
    path("retention/", include("safekeep.retention.urls")),
    path("contexts/", include("safekeep.contexts.urls")),
    path("transfers/", include("safekeep.transfers.urls")),
    path("subject-access/", include("safekeep.subjectaccess.urls")),
    # The Django admin uses the same login (allauth, with MFA): see safekeep/core/admin_site.py.
    path("django-admin/", admin.site.urls),
]

handler404 = "safekeep.core.views.not_found"
handler500 = "safekeep.core.views.server_error"
