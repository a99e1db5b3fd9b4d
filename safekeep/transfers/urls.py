from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("<int:child_id>/<int:establishment_id>/", views.child_file, name="child_file"),
    path("import/<int:establishment_id>/", views.import_file, name="import"),
    path("receive/<str:token>/", views.receive, name="receive"),
    path("receive/<str:token>/download/<str:format>/", views.download, name="download"),
    path("receive/<str:token>/receipt/", views.receipt, name="receipt"),
]
