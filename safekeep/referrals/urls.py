from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("new/<int:child_id>/", views.referral_new, name="new"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/outcome/", views.referral_outcome, name="outcome"),
    path("consultations/new/<int:child_id>/", views.consultation_new, name="consultation_new"),
    path("nrm/new/<int:child_id>/", views.nrm_new, name="nrm_new"),
    path("nrm/<int:tracker_id>/", views.nrm_detail, name="nrm"),
]
