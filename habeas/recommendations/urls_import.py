"""Routes to import recommendations of the SPT and other bodies (¶20)."""

from django.urls import path

from habeas.recommendations import views_import as views

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<uuid:batch_id>/", views.import_preview, name="import_preview"),
    path("import/<uuid:batch_id>/apply/", views.import_apply, name="import_apply"),
]
