"""Pages of the policy library and of training (¶7, 8, 37), under /strategy/."""

from django.urls import path

from habeas.strategy import views_people as views

POLICY = "policies/<int:policy_pk>/"

urlpatterns = [
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path(POLICY, views.policy_detail, name="policy_detail"),
    path(POLICY + "edit/", views.policy_edit, name="policy_edit"),
    path(POLICY + "versions/new/", views.policy_version_create, name="policy_version_create"),
    path(POLICY + "acknowledge/", views.policy_acknowledge, name="policy_acknowledge"),
    path("training/", views.training_overview, name="training"),
    path("training/plan/draw/", views.training_plan_draw, name="training_plan_draw"),
    path("training/plan/<int:entry_pk>/", views.training_entry_edit, name="training_entry_edit"),
]
