"""Routes to manage organisations and their members; part of the assessment app's routes."""

from django.urls import path

from habeas.assessment import views_organisations as views

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<int:pk>/members/",
        views.organisation_members,
        name="organisation_members",
    ),
    path(
        "organisations/<int:pk>/members/<int:user_pk>/remove/",
        views.organisation_member_remove,
        name="organisation_member_remove",
    ),
]
