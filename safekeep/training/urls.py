from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("establishments/", views.group, name="group"),
    path("establishments/<int:establishment_id>/", views.establishment, name="establishment"),
    path("establishments/<int:establishment_id>/load/", views.load, name="load"),
    path("people/<int:user_id>/", views.person, name="person"),
]
