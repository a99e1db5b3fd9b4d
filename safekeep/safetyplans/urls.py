from django.urls import path

from . import views

app_name = "safetyplans"
urlpatterns = [
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/print/", views.plan_print, name="print"),
    path("<int:plan_id>/revise/", views.plan_revise, name="revise"),
    path("<int:plan_id>/review/", views.plan_review, name="review"),
    path("<int:plan_id>/close/", views.plan_close, name="close"),
    path("child/<int:child_id>/", views.child_plans, name="child"),
    path("child/<int:child_id>/new/", views.plan_create, name="create"),
    path("child/<int:child_id>/decision/", views.decision, name="decision"),
    path("child/<int:child_id>/sanctions/new/", views.sanction_create, name="sanction_create"),
    path("sanctions/<int:sanction_id>/withdraw/", views.sanction_withdraw, name="sanction_withdraw"),
]
