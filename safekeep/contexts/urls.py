from django.urls import path

from . import views

app_name = "contexts"
urlpatterns = [
    path("", views.index, name="index"),
    path("establishments/<int:establishment_id>/assess/", views.assess, name="assess"),
    path("<int:assessment_id>/", views.detail, name="detail"),
    path("<int:assessment_id>/actions/", views.action_add, name="action_add"),
    path("<int:assessment_id>/review/", views.review, name="review"),
    path("<int:assessment_id>/meetings/", views.meeting, name="meeting"),
    path("<int:assessment_id>/referrals/", views.referral, name="referral"),
]
