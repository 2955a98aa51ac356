"""Forms post under `Referrer-Policy: no-referrer`, and cross-site posts still fail."""

from __future__ import annotations

import pytest
from django.test import Client


def _login_post(client: Client, **headers):
    client.get("/accounts/login/")
    token = client.cookies["habeas_csrf"].value
    return client.post(
        "/accounts/login/",
        {
            "username": "nobody@npm.test",
            "password": "wrong password 123",
            "csrfmiddlewaretoken": token,
        },
        **headers,
    )


@pytest.mark.django_db
def test_it_accepts_a_same_origin_post_that_carries_origin_null():
    client = Client(enforce_csrf_checks=True)
    response = _login_post(client, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 200  # the login form again, with its error
    assert b'name="username"' in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("site", ["cross-site", "same-site", "none"])
def test_it_refuses_a_post_with_origin_null_from_elsewhere(site):
    client = Client(enforce_csrf_checks=True)
    response = _login_post(client, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE=site)
    assert response.status_code == 403


@pytest.mark.django_db
def test_it_refuses_a_foreign_origin():
    client = Client(enforce_csrf_checks=True)
    response = _login_post(
        client, HTTP_ORIGIN="https://evil.example", HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_it_still_requires_the_token_from_the_same_origin():
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"username": "nobody@npm.test", "password": "x"},
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_it_accepts_a_secure_same_origin_post_without_a_referer():
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/", secure=True)
    token = client.cookies["habeas_csrf"].value
    response = client.post(
        "/accounts/login/",
        {"username": "nobody@npm.test", "password": "x", "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 200
    without_fetch_metadata = client.post(
        "/accounts/login/",
        {"username": "nobody@npm.test", "password": "x", "csrfmiddlewaretoken": token},
        secure=True,
    )
    assert without_fetch_metadata.status_code == 403
