"""`manage.py legislation_priorities`: the daily refresh as the deadline comes nearer."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from habeas.legislation import services
from habeas.legislation.models import Benchmark, LegislationItem

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("legislation_priorities", *args, stdout=out)
    return out.getvalue()


def test_a_deadline_coming_nearer_raises_the_stored_priority(personas):
    head = personas["head"]
    today = timezone.localdate()
    bill = services.item_create(
        actor=head,
        title="Custody bill",
        kind="draft",
        subject="Delays access to a lawyer.",
        procedure="consultation",
        deadline=today + dt.timedelta(days=50),
    )
    lawyer = Benchmark.objects.order_by("-weight", "position").first()
    services.assessment_set(actor=head, item=bill, benchmark=lawyer, effect="weakens")
    before = LegislationItem.objects.get(pk=bill.pk).priority

    assert "0 changed" in run("--today", today.isoformat())
    assert "1 changed" in run("--today", (today + dt.timedelta(days=40)).isoformat())
    assert LegislationItem.objects.get(pk=bill.pk).priority > before


def test_it_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError):
        run("--today", "next tuesday")
