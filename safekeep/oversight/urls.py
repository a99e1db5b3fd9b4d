from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("referrals-awaiting/", views.referrals_awaiting, name="referrals_awaiting"),
    path("open-cases/", views.open_cases, name="open_cases"),
    path("clocks-missed/", views.clocks_missed, name="clocks_missed"),
]
