from django.urls import path

app_name = "subjectaccess"
urlpatterns = []
