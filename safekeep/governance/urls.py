from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("", views.index, name="index"),
    path("establishments/<int:establishment_id>/", views.establishment_report, name="establishment"),
    path("establishments/<int:establishment_id>/report.pdf", views.establishment_pdf, name="establishment_pdf"),
    path("establishments/<int:establishment_id>/reviews/new/", views.review_new, name="review_new"),
    path("trust/", views.trust_report, name="trust"),
    path("trust/report.pdf", views.trust_pdf, name="trust_pdf"),
    path("trust/reviews/new/", views.trust_review_new, name="trust_review_new"),
    path("reviews/<int:review_id>/", views.review_detail, name="review"),
    path("establishments/<int:establishment_id>/policy-review/", views.policy_review, name="policy_review"),
    path("establishments/<int:establishment_id>/policy-review/links/", views.policy_review_link,
         name="policy_review_link"),
    path("establishments/<int:establishment_id>/policy-review/plan/", views.policy_review_plan,
         name="policy_review_plan"),
    path("voices/<str:token>/", views.voices, name="voices"),
]
