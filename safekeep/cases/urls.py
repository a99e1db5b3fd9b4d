from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("<int:child_id>/<int:establishment_id>/close/", views.case_change, {"status": "closed"}, name="close"),
    path("<int:child_id>/<int:establishment_id>/reopen/", views.case_change, {"status": "open"}, name="reopen"),
    path("<int:child_id>/<int:establishment_id>/leaving/", views.child_leaving, name="leaving"),
]
