"""API of the partners app (filled in by its issue)."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    return None
