"""Follow-up: places proposed for follow-up visits, and the follow-up rule."""

from django.urls import path

from habeas.recommendations import views_followup as views

urlpatterns = [
    path("follow-up/", views.followup, name="followup"),
    path("rules/", views.rules, name="rules"),
]
