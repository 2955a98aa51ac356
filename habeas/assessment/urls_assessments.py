"""Routes of assessments themselves: list, entry, action plan, comparison, sharing."""

from django.urls import path

from habeas.assessment import views, views_entry, views_plan

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_create, name="create"),
    path("overview/", views_plan.body_overview, name="body_overview"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/finalise/", views.assessment_finalise, name="finalise"),
    path("<int:pk>/revise/", views.assessment_revise, name="revise"),
    path("<int:pk>/share/", views.assessment_share, name="share"),
    path(
        "<int:pk>/share/<int:organisation_pk>/remove/",
        views.assessment_unshare,
        name="unshare",
    ),
    path("<int:pk>/criteria/", views_entry.criteria_resume, name="criteria"),
    path(
        "<int:pk>/criteria/<int:criterion_pk>/",
        views_entry.criterion_entry,
        name="criterion",
    ),
    path(
        "<int:pk>/criteria/<int:criterion_pk>/evidence/",
        views_entry.evidence_add,
        name="evidence_add",
    ),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/remove/",
        views_entry.evidence_remove,
        name="evidence_remove",
    ),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/download/",
        views_entry.evidence_download,
        name="evidence_download",
    ),
    path("<int:pk>/actions/", views_plan.action_plan, name="action_plan"),
    path(
        "<int:pk>/actions/<int:item_pk>/",
        views_plan.action_item_update,
        name="action_item_update",
    ),
    path("<int:pk>/compare/", views_plan.assessment_compare, name="compare"),
]
