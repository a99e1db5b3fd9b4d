from django.urls import path

from . import views

app_name = "establishments"
urlpatterns = [
    path("", views.establishment_list, name="list"),
    path("new/", views.establishment_create, name="create"),
    path("<int:establishment_id>/", views.establishment_detail, name="detail"),
    path("<int:establishment_id>/edit/", views.establishment_edit, name="edit"),
    path("<int:establishment_id>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:establishment_id>/contacts/<int:contact_id>/remove/", views.contact_remove, name="contact_remove"),
    path("<int:establishment_id>/links/new/", views.link_add, name="link_add"),
    path("<int:establishment_id>/places/new/", views.location_add, name="location_add"),
    path("<int:establishment_id>/terms/new/", views.term_add, name="term_add"),
    path("<int:establishment_id>/terms/<int:term_id>/remove/", views.term_remove, name="term_remove"),
    path("<int:establishment_id>/places/<int:location_id>/retire/", views.location_retire, name="location_retire"),
]
