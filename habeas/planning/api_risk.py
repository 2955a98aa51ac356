"""Placeholder until the API is written (the helper replaces this file)."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    return None
