"""The demo NPM's staff: one account per role, for trying Habeas out (never in production).

Called by `habeas.places.demo.demo_load`, inside its transaction and under its single
audit event. The accounts have no second factor: the demo (`HABEAS_DEMO=1`) lets a user
postpone enrolment behind a banner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password

from habeas.accounts.models import User
from habeas.accounts.roles import Role

# Published on purpose in the README and by `manage.py demo`: a demo only.
DEMO_PASSWORD = "habeas-demo-2026"  # noqa: S105
DEMO_DOMAIN = "demo.habeas.test"
EXPERT_ACCOUNT_DAYS = 365


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    created: bool


def demo_email(role: str) -> str:
    return f"{role}@{DEMO_DOMAIN}"


def demo_accounts_create(*, now: datetime) -> list[DemoAccount]:
    """Create the accounts that are missing; an existing demo account is left as it is."""
    emails = {role: demo_email(role) for role in Role.values}
    existing = set(User.objects.filter(email__in=emails.values()).values_list("email", flat=True))
    # One hash for every account: they share one published password anyway, and each
    # Argon2 hash costs a tenth of a second.
    password = make_password(DEMO_PASSWORD)
    users = [
        User(
            email=emails[role],
            full_name=f"{label} (demo)",
            role=role,
            password=password,
            expires_at=now + timedelta(days=EXPERT_ACCOUNT_DAYS) if role == Role.EXPERT else None,
        )
        for role, label in Role.choices
        if emails[role] not in existing
    ]
    User.objects.bulk_create(users)
    return [
        DemoAccount(email=emails[role], role=role, created=emails[role] not in existing)
        for role in Role.values
    ]
