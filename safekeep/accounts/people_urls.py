from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.people_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("<int:user_id>/", views.person_detail, name="detail"),
    path("<int:user_id>/edit/", views.person_edit, name="edit"),
    path("<int:user_id>/unlock/", views.person_unlock, name="unlock"),
    path("<int:user_id>/invite/", views.person_invite, name="invite"),
    path("<int:user_id>/roles/new/", views.role_grant, name="role_grant"),
    path("<int:user_id>/roles/<int:membership_id>/end/", views.role_end, name="role_end"),
]
