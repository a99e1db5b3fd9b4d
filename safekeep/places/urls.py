from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.index, name="index"),
    path("establishments/<int:establishment_id>/", views.establishment, name="establishment"),
    path("establishments/<int:establishment_id>/plan/", views.plan, name="plan"),
    path("establishments/<int:establishment_id>/plan/upload/", views.plan_upload, name="plan_upload"),
    path("establishments/<int:establishment_id>/plan/image/", views.plan_image, name="plan_image"),
    path("establishments/<int:establishment_id>/thresholds/", views.thresholds, name="thresholds"),
    path("<int:location_id>/", views.detail, name="detail"),
    path("<int:location_id>/notes/", views.note, name="note"),
    path("<int:location_id>/pin/", views.pin, name="pin"),
    path("group/", views.group, name="group"),
    path("establishments/<int:establishment_id>/plan/<int:plan_id>/", views.plan_previous, name="plan_previous"),
    path("establishments/<int:establishment_id>/plan/<int:plan_id>/image/", views.plan_previous_image,
         name="plan_previous_image"),
]
