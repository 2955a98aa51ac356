from django.urls import path

from habeas.reports import views, views_publication, views_render

app_name = "reports"

REPORT = "<int:pk>/"

urlpatterns = [
    # Drafting and the workflow (views.py).
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path(REPORT, views.report_detail, name="detail"),
    path(REPORT + "settings/", views.report_settings, name="settings"),
    path(REPORT + "versions/<int:number>/", views.version_detail, name="version"),
    path(REPORT + "sections/<str:key>/", views.section_edit, name="section"),
    path(REPORT + "workflow/<str:action>/", views.workflow, name="workflow"),
    path(REPORT + "comments/", views.comment_add, name="comment_add"),
    path(
        REPORT + "comments/<int:comment_pk>/resolve/",
        views.comment_resolve,
        name="comment_resolve",
    ),
    path(REPORT + "figures/<str:key>/", views.figure, name="figure"),
    # The publication check, redactions, publication and dissemination
    # (views_publication.py).
    path(REPORT + "check/", views_publication.check, name="check"),
    path(REPORT + "hits/<int:hit_pk>/redact/", views_publication.hit_redact, name="hit_redact"),
    path(
        REPORT + "hits/<int:hit_pk>/override/",
        views_publication.hit_override,
        name="hit_override",
    ),
    path(REPORT + "redactions/", views_publication.redaction_add, name="redaction_add"),
    path(
        REPORT + "redactions/<int:redaction_pk>/remove/",
        views_publication.redaction_remove,
        name="redaction_remove",
    ),
    path(REPORT + "publish/", views_publication.publish, name="publish"),
    path(REPORT + "unpublish/", views_publication.unpublish, name="unpublish"),
    path(REPORT + "public-preview/", views_publication.public_preview, name="public_preview"),
    path(REPORT + "disseminations/", views_publication.disseminations, name="disseminations"),
    path(
        REPORT + "disseminations/<int:dissemination_pk>/acknowledge/",
        views_publication.dissemination_ack,
        name="dissemination_ack",
    ),
    # PDF and DOCX (views_render.py).
    path(REPORT + "renderings/", views_render.render_request, name="render"),
    path(REPORT + "renderings/<int:rendering_pk>/", views_render.rendering, name="rendering"),
    path(
        REPORT + "renderings/<int:rendering_pk>/download/",
        views_render.download,
        name="download",
    ),
]
