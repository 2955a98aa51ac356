"""Routes: filled in by the urls_field part of the visits app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
