from django.urls import path

from . import views

app_name = "missing"
urlpatterns = [
    path("child/<int:child_id>/", views.child_episodes, name="child"),
    path("child/<int:child_id>/record/", views.episode_record, name="record"),
    path("child/<int:child_id>/description/", views.description, name="description"),
    path("child/<int:child_id>/description/edit/", views.description_edit, name="description_edit"),
    path("child/<int:child_id>/description/print/", views.description_print, name="description_print"),
    path("<int:episode_id>/return/", views.episode_return, name="return"),
]
