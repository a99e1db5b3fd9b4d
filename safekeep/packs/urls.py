from django.urls import path

from . import manage_views, views

app_name = "packs"
urlpatterns = [
    path("", views.explorer, name="explorer"),
    path("manage/", manage_views.manage, name="manage"),
    path("versions/<int:version_id>/", manage_views.version, name="version"),
    path("versions/<int:version_id>/adopt/", manage_views.adopt, name="adopt"),
]
