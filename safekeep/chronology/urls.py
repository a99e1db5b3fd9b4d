from django.urls import path

from . import views

app_name = "chronology"
urlpatterns = [path("<int:child_id>/", views.chronology, name="child")]
