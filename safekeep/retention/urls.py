from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("destroyed/", views.destroyed, name="destroyed"),
    path("child/<int:child_id>/", views.record, name="child"),
    path("child/<int:child_id>/hold/", views.hold_place, name="hold"),
    path("child/<int:child_id>/lift/", views.hold_lift, name="lift"),
    path("child/<int:child_id>/keep/", views.keep, name="keep"),
    path("child/<int:child_id>/propose/", views.propose, name="propose"),
    path("child/<int:child_id>/approve/", views.approve, name="approve"),
    # A child's date of death and allegations about adults (issue 15 section 4).
    path("child/<int:child_id>/death/", views.death, name="death"),
    path("allegation/<int:concern_id>/", views.record, name="allegation"),
    path("allegation/<int:concern_id>/hold/", views.hold_place, name="allegation_hold"),
    path("allegation/<int:concern_id>/lift/", views.hold_lift, name="allegation_lift"),
    path("allegation/<int:concern_id>/keep/", views.keep, name="allegation_keep"),
    path("allegation/<int:concern_id>/propose/", views.propose, name="allegation_propose"),
    path("allegation/<int:concern_id>/approve/", views.approve, name="allegation_approve"),
]
