"""Every route is closed to anonymous and second-factor-unverified users, except a
literal allow-list (SECURITY.md tests 1 and 2)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from habeas.core import access
from habeas.core.tests.routes import all_routes

# The literal allow-list: nothing else may answer an anonymous visitor.
PUBLIC_ROUTES = {
    "accounts:login",
    "accounts:password_set",
    "set_language",
    # The public's channel (¶33): anyone may write to the NPM and come back with a receipt.
    "submit:form",
    "submit:receipt",
    # Published reports and the public status of recommendations (¶21, 22): what the
    # NPM chose to make public, after the publication check.
    "public:index",
    "public:report",
    "public:download",
    "public:recommendations",
    # The same published reports through the API, read-only and without credentials.
    "public-report-list",
    "public-report-detail",
}
# Reachable after the password, before the second factor.
SIGNED_IN_ROUTES = {
    "accounts:verify",
    "accounts:enrol",
    "accounts:logout",
}
CLOSED = {301, 302, 401, 403, 404, 405}


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/" in response["Location"]


def test_it_knows_a_sample_path_for_every_route():
    routes = all_routes()
    assert len(routes) > 10
    for route in routes:
        assert route.path.startswith("/")
        assert "<" not in route.path and "(?P" not in route.path, route


def test_it_has_every_view_declare_a_policy_from_the_closed_set():
    for route in all_routes():
        policy = access.policy_of(route.callback)
        assert policy in access.POLICIES | {"api"}, f"{route.name} declares no policy"


def test_it_allows_only_the_literal_allow_list_to_the_public():
    public = {r.name for r in all_routes() if access.policy_of(r.callback) == access.PUBLIC}
    assert public == PUBLIC_ROUTES


def test_it_allows_only_the_second_factor_pages_before_verification():
    signed_in = {r.name for r in all_routes() if access.policy_of(r.callback) == access.SIGNED_IN}
    assert signed_in == SIGNED_IN_ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_closes_every_route_to_anonymous_users(method):
    client = Client()
    for route in all_routes():
        if route.name in PUBLIC_ROUTES:
            continue
        response = getattr(client, method)(route.path)
        assert response.status_code in CLOSED, (route.name, route.path, response.status_code)
        if response.status_code in (301, 302):
            assert _is_login_redirect(response), (route.name, response["Location"])
        body = response.content.decode(errors="replace")
        assert "Traceback" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_closes_every_route_to_users_without_a_verified_second_factor(make_user, method):
    for has_device in (True, False):
        user = make_user("head", device=has_device)
        client = Client()
        client.force_login(user)  # password accepted, no second factor yet
        for route in all_routes():
            if route.name in PUBLIC_ROUTES | SIGNED_IN_ROUTES:
                continue
            response = getattr(client, method)(route.path)
            assert response.status_code in CLOSED, (route.name, response.status_code)
            if response.status_code in (301, 302):
                target = response["Location"]
                expected = "/accounts/verify/" if has_device else "/accounts/enrol/"
                assert target.startswith(expected), (route.name, target)
        TOTPDevice.objects.filter(user=user).delete()
