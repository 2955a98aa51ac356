"""Routes of a visit's life, its team and team profiles (part V1 of the visits app)."""

from django.urls import path

from habeas.visits import views, views_team

urlpatterns = [
    path("", views.visit_list, name="visit_list"),
    path("new/", views.visit_create, name="visit_create"),
    path("<int:visit_pk>/", views.visit_detail, name="visit_detail"),
    path("<int:visit_pk>/edit/", views.visit_edit, name="visit_edit"),
    path("<int:visit_pk>/move/", views.visit_move, name="visit_move"),
    path("<int:visit_pk>/team/", views_team.team, name="team"),
    path("<int:visit_pk>/team/checks/", views_team.team_checks_partial, name="team_checks"),
    path(
        "<int:visit_pk>/team/<int:assignment_pk>/remove/",
        views_team.team_remove,
        name="team_remove",
    ),
    path("<int:visit_pk>/conduct/", views_team.conduct, name="conduct"),
    path("people/", views_team.people, name="people"),
    path("people/<int:user_pk>/", views_team.profile, name="profile"),
    path("people/<int:user_pk>/edit/", views_team.profile_edit, name="profile_edit"),
    path("people/<int:user_pk>/trainings/new/", views_team.training_add, name="training_add"),
]
