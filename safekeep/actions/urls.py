from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("", views.action_list, name="list"),
    path("<int:action_id>/", views.action_detail, name="detail"),
    path("<int:action_id>/complete/", views.action_complete, name="complete"),
    path("<int:action_id>/cancel/", views.action_cancel, name="cancel"),
    path("<int:action_id>/reassign/", views.action_reassign, name="reassign"),
    path("for-child/<int:child_id>/new/", views.action_add, name="add"),
]
