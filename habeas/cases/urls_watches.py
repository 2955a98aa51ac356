"""Routes of the reprisal watch (¶25) and of investigations requested, under /cases/."""

from django.urls import path

from habeas.cases import views_watches as views

urlpatterns = [
    path("watches/", views.watch_list, name="watch_list"),
    path("watches/new/", views.watch_create, name="watch_create"),
    path("watches/<uuid:watch_id>/", views.watch_detail, name="watch_detail"),
    path("watches/<uuid:watch_id>/edit/", views.watch_edit, name="watch_edit"),
    path("watches/<uuid:watch_id>/transfer/", views.watch_transfer, name="watch_transfer"),
    path("watches/<uuid:watch_id>/close/", views.watch_close, name="watch_close"),
    path("watches/<uuid:watch_id>/legal-hold/", views.watch_legal_hold, name="watch_legal_hold"),
    path("watches/<uuid:watch_id>/reopen/", views.watch_reopen, name="watch_reopen"),
    path("watches/<uuid:watch_id>/checks/new/", views.watch_check_add, name="watch_check_add"),
    path(
        "watches/<uuid:watch_id>/checks/<uuid:check_id>/record/",
        views.watch_check_record,
        name="watch_check_record",
    ),
    path(
        "watches/<uuid:watch_id>/reprisal/",
        views.watch_reprisal_report,
        name="watch_reprisal_report",
    ),
    path("watches/<uuid:watch_id>/grantees/", views.watch_grant_add, name="watch_grant_add"),
    path(
        "watches/<uuid:watch_id>/grantees/<int:grant_pk>/remove/",
        views.watch_grant_remove,
        name="watch_grant_remove",
    ),
    path("watches/<uuid:watch_id>/lead/", views.watch_lead_change, name="watch_lead_change"),
    path(
        "watches/<uuid:watch_id>/investigations/new/",
        views.investigation_add_watch,
        name="investigation_add_watch",
    ),
    path(
        "<uuid:case_id>/investigations/new/",
        views.investigation_add_case,
        name="investigation_add_case",
    ),
    path(
        "investigations/<int:investigation_pk>/outcome/",
        views.investigation_outcome,
        name="investigation_outcome",
    ),
]
