"""Routes for an assessment's report, export and import; appended to the app's routes."""

from django.urls import path

from habeas.assessment import views_outputs as views

urlpatterns = [
    path("<int:pk>/reports/new/", views.report_new, name="report_new"),
    path("<int:pk>/reports/<int:job_pk>/", views.report_status, name="report_status"),
    path(
        "<int:pk>/reports/<int:job_pk>/download/",
        views.report_download,
        name="report_download",
    ),
    path("<int:pk>/export/", views.assessment_export, name="export"),
    path("<int:pk>/import/", views.assessment_import, name="import"),
    path(
        "<int:pk>/import/<uuid:batch_id>/",
        views.assessment_import_preview,
        name="import_preview",
    ),
    path(
        "<int:pk>/import/<uuid:batch_id>/apply/",
        views.assessment_import_apply,
        name="import_apply",
    ),
]
