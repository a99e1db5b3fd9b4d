from django.urls import path

from . import views

app_name = "trends"

urlpatterns = [
    path("", views.page, {"section": "concerns"}, name="concerns"),
    path("child-on-child/", views.page, {"section": "child-on-child"}, name="child_on_child"),
    path("exploitation/", views.page, {"section": "exploitation"}, name="exploitation"),
    path("clocks/", views.page, {"section": "clocks"}, name="clocks"),
    path("concerns.csv", views.csv, {"section": "concerns"}, name="concerns_csv"),
    path("child-on-child.csv", views.csv, {"section": "child-on-child"}, name="child_on_child_csv"),
    path("exploitation.csv", views.csv, {"section": "exploitation"}, name="exploitation_csv"),
    path("clocks.csv", views.csv, {"section": "clocks"}, name="clocks_csv"),
    path("concerns/", views.drill, name="drill"),
]
