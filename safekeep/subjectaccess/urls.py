from django.urls import path

from . import views

app_name = "subjectaccess"
urlpatterns = [
    path("", views.index, name="index"),
    path("child/<int:child_id>/record/", views.record, name="record"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("<int:request_id>/extend/", views.extend, name="extend"),
    path("<int:request_id>/review/", views.review, name="review"),
    path("<int:request_id>/answer/", views.answer, name="answer"),
]
