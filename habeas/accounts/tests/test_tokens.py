"""Personal API tokens: shown once, stored as a hash, expiring, revocable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from habeas.accounts import services
from habeas.accounts.models import ApiToken
from habeas.accounts.tests.helpers import audit_count, grant_sudo

TOKENS = reverse("accounts:tokens")


def test_it_shows_a_new_token_once_and_keeps_only_its_hash(personas, client_for):
    user = personas["monitor"]
    client = client_for(user)
    grant_sudo(client)
    response = client.post(TOKENS, {"name": "statistics", "scope": "write", "days": 30})
    key = re.search(r"<code>(hbs_[A-Za-z0-9_-]{43})</code>", response.text).group(1)

    token = ApiToken.objects.get(user=user)
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in str(list(ApiToken.objects.values()))
    assert token.scope == "write"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert key not in client.get(TOKENS).text
    assert audit_count("token.create") == 1


@override_settings(HABEAS_TOKEN_MAX_DAYS=90)
def test_it_refuses_a_token_that_lasts_longer_than_allowed(personas, client_for):
    client = client_for(personas["monitor"])
    grant_sudo(client)
    response = client.post(TOKENS, {"name": "forever", "scope": "read", "days": 91})
    assert "less than or equal to 90" in response.text
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError):
        services.api_token_create(actor=personas["monitor"], name="x", scope="read", days=91)


def test_it_refuses_a_token_to_an_account_without_a_role(personas, client_for):
    client = client_for(personas["outsider"])
    grant_sudo(client)
    assert client.post(TOKENS, {"name": "x", "scope": "read", "days": 3}).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token(personas, client_for):
    user = personas["monitor"]
    token, _key = services.api_token_create(actor=user, name="script", scope="read", days=30)
    client = client_for(user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response["Location"] == TOKENS
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert audit_count("token.revoke") == 1


def test_it_answers_404_to_revoking_someone_elses_token(personas, client_for):
    token, _key = services.api_token_create(
        actor=personas["head"], name="script", scope="read", days=30
    )
    client = client_for(personas["monitor"])
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=personas["monitor"], token=token)
