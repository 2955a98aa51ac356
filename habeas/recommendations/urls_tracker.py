"""Routes of the tracker and its exports (¶5, 34)."""

from django.urls import path

from habeas.recommendations import views_tracker

urlpatterns = [
    path("", views_tracker.tracker, name="list"),
    path("export/", views_tracker.export, name="export"),
]
