from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:batch_id>/", views.batch, name="batch"),
    path("<int:batch_id>/progress/", views.progress, name="progress"),
    path("<int:batch_id>/load/", views.load, name="load"),
]
