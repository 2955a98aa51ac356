"""Pages of the strategic plan, its money and the year-end view (/strategy/)."""

from django.urls import path

from habeas.strategy import views, views_yearend

OBJECTIVE = "objectives/<int:objective_pk>/"
ACTIVITY = "activities/<int:activity_pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path(OBJECTIVE, views.objective_detail, name="objective_detail"),
    path(OBJECTIVE + "edit/", views.objective_edit, name="objective_edit"),
    path(OBJECTIVE + "activities/new/", views.activity_create, name="activity_create"),
    path(ACTIVITY, views.activity_detail, name="activity_detail"),
    path(ACTIVITY + "edit/", views.activity_edit, name="activity_edit"),
    path("budget/", views_yearend.budget, name="budget"),
    path("budget/new/", views_yearend.line_create, name="line_create"),
    path("budget/<int:line_pk>/edit/", views_yearend.line_edit, name="line_edit"),
    path("year-end/", views_yearend.year_end, name="year_end"),
    path("year-end/neglected/", views_yearend.neglected, name="neglected"),
]
