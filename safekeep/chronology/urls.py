from django.urls import path

from . import views

app_name = "chronology"
urlpatterns = [
    path("<int:child_id>/", views.chronology, name="child"),
    path("entries/<int:entry_id>/key-event/", views.mark_key_event, name="key_event"),
    path("<int:child_id>/pdf/", views.export_pdf, name="export_pdf"),
    path("pdf/<int:pdf_request_id>/", views.pdf_request, name="pdf_request"),
    path("pdf/<int:pdf_request_id>/download/", views.pdf_download, name="pdf_download"),
]
