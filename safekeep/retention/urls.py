from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("destroyed/", views.destroyed, name="destroyed"),
    path("child/<int:child_id>/", views.child_file, name="child"),
    path("child/<int:child_id>/hold/", views.hold_place, name="hold"),
    path("child/<int:child_id>/lift/", views.hold_lift, name="lift"),
    path("child/<int:child_id>/keep/", views.keep, name="keep"),
    path("child/<int:child_id>/propose/", views.propose, name="propose"),
    path("child/<int:child_id>/approve/", views.approve, name="approve"),
]
