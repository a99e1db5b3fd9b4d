from django.urls import path

from . import views

app_name = "peergroups"

urlpatterns = [
    path("", views.index, name="index"),
    path("group/", views.group, name="group"),
    path("establishments/<int:establishment_id>/", views.clusters, name="clusters"),
    path("establishments/<int:establishment_id>/new/", views.create, name="create"),
    path("<int:group_id>/", views.detail, name="detail"),
    path("<int:group_id>/children/", views.add_children, name="add_children"),
    path("<int:group_id>/notes/", views.note, name="note"),
]
