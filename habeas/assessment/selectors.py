"""Reads for the assessment tool; every one starts from `restrict`."""

from __future__ import annotations

from typing import Any

from habeas.assessment.models import Membership, Organisation


def organisation_of(*, user: Any) -> Organisation | None:
    """The organisation a user works for: their membership, else this NPM."""
    membership = Membership.objects.select_related("organisation").filter(user=user).first()
    if membership is not None:
        return membership.organisation
    return Organisation.objects.filter(is_home=True).first()
