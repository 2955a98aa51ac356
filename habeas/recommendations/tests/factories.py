"""Builders shared by the recommendations app's tests: rows made through the services, so
every test starts from what the application itself could have written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from habeas.accounts.models import User
from habeas.places.models import Authority
from habeas.places.tests.factories import AuthorityFactory
from habeas.recommendations import services
from habeas.recommendations.models import Priority, Recommendation
from habeas.visits.models import Finding


def make_recommendation(
    actor: User, *, findings: list[Finding] | None = None, **fields: Any
) -> Recommendation:
    """A draft by `actor`, addressed to a new ministry unless `addressee=` says otherwise."""
    data: dict[str, Any] = {
        "text": "Install a working call bell in every cell of Wing B by 30 June.",
        "addressee": fields.pop("addressee", None)
        or AuthorityFactory(kind=Authority.Kind.MINISTRY),
        "priority": Priority.KEY,
        "root_cause": "No maintenance budget for the wing since 2021.",
        "deadline": timezone.localdate() + dt.timedelta(days=180),
        **fields,
    }
    return services.recommendation_draft(actor=actor, data=data, findings=findings or [])


def make_sent(actor: User, *, sent_on: dt.date | None = None, **fields: Any) -> Recommendation:
    """A recommendation drafted and sent by `actor` (who needs `recommendations.send`)."""
    draft = make_recommendation(actor, **fields)
    services.recommendation_send(actor=actor, recommendations=[draft], sent_on=sent_on)
    draft.refresh_from_db()
    return draft
