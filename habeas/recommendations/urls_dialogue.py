"""Routes of the dialogue with authorities: exchanges, letter mapping, action plans."""

from django.urls import path

from habeas.recommendations import views_dialogue as views

urlpatterns = [
    path("dialogue/", views.exchange_list, name="exchange_list"),
    path("dialogue/new/", views.exchange_create, name="exchange_create"),
    path("dialogue/<int:exchange_pk>/", views.exchange_detail, name="exchange_detail"),
    path("dialogue/<int:exchange_pk>/edit/", views.exchange_edit, name="exchange_edit"),
    path("dialogue/<int:exchange_pk>/map/", views.exchange_map, name="exchange_map"),
    path(
        "dialogue/<int:exchange_pk>/attachments/",
        views.exchange_attachment,
        name="exchange_attachment",
    ),
    path(
        "dialogue/<int:exchange_pk>/attachments/<int:pk>/",
        views.exchange_attachment_download,
        name="exchange_attachment_download",
    ),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_pk>/commitments/new/", views.commitment_add, name="commitment_add"),
    path(
        "plans/<int:plan_pk>/commitments/<int:commitment_pk>/",
        views.commitment_edit,
        name="commitment_edit",
    ),
]
