"""The same security headers on every response, errors included (SECURITY.md test 14)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

from habeas.core import access
from habeas.core.tests.routes import all_routes


def assert_secure_headers(response, where: str) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"{where}: no CSP"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert "frame-ancestors 'none'" in csp, where
    assert "script-src 'self'" in csp, where
    assert response.get("Referrer-Policy") == "no-referrer", where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert "camera=()" in response.get("Permissions-Policy", ""), where
    assert "no-store" in response.get("Cache-Control", ""), where


@pytest.mark.django_db
def test_it_sends_the_headers_on_every_route_to_anonymous_users():
    client = Client()
    for route in all_routes():
        assert_secure_headers(client.get(route.path), route.name)


@pytest.mark.django_db
def test_it_sends_the_headers_on_every_route_to_signed_in_users(personas, client_for):
    for persona in ("head", "outsider", "admin"):
        client = client_for(personas[persona])
        for route in all_routes():
            if route.name == "accounts:logout":
                continue
            assert_secure_headers(client.get(route.path), f"{persona} {route.name}")


@pytest.mark.django_db
def test_it_sends_the_headers_on_a_404_for_an_unknown_path(personas, client_for):
    response = client_for(personas["head"]).get("/no/such/page/")
    assert response.status_code == 404
    assert_secure_headers(response, "404")


@access.public
def _explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("explode/", _explode)]
handler500 = "habeas.core.views.server_error"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_it_sends_the_headers_on_a_server_error_without_revealing_it():
    client = Client(raise_request_exception=False)
    response = client.get("/explode/")
    assert response.status_code == 500
    assert b"boom" not in response.content
    assert_secure_headers(response, "500")
