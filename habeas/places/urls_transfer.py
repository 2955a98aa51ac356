"""Routes to import, export and reconcile places; appended to the places app's routes."""

from django.urls import path

from habeas.places import views_transfer as views

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/sample.csv", views.import_sample, name="import_sample"),
    path("import/<uuid:batch_id>/", views.import_preview, name="import_preview"),
    path("import/<uuid:batch_id>/apply/", views.import_apply, name="import_apply"),
    path("export/", views.export, name="export"),
    path("reconcile/", views.reconcile_upload, name="reconcile"),
    path("reconcile/<uuid:batch_id>/", views.reconcile_result, name="reconcile_result"),
    path("reconcile/<uuid:batch_id>/add/", views.reconcile_add, name="reconcile_add"),
]
