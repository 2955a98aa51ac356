"""The demo's reports (`manage.py demo`): written through the services after every other
demo loader, signed, and one published with nothing left open or overridden."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from habeas.places.demo import DemoRefused
from habeas.reports.demo import demo_load_reports
from habeas.reports.models import Hit, Kind, Report, State
from habeas.visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=False)


def load_demo() -> None:
    call_command("demo", "--scale", "small", "--seed", "3", stdout=StringIO())


def test_the_demo_writes_signed_reports_of_every_kind():
    load_demo()
    if not Report.objects.exists():  # until the lead wires the loader into `demo`
        summary = demo_load_reports(scale="small", seed=3)
        line = summary.describe()
        print(line)  # noqa: T201 - shown with -s
        assert line.startswith("Reports: 3 signed visit reports")
        assert summary.published == 1, line
    visit_reports = Report.objects.filter(kind=Kind.VISIT)
    assert visit_reports.count() == 3
    assert all(r.state == State.SIGNED and r.signed_at for r in visit_reports)
    for report in visit_reports:
        version = report.versions.get()
        assert version.content and len(version.digest) == 64
        assert Visit.objects.get(pk=report.visit_id).state != Visit.State.DEBRIEFED
    assert Report.objects.get(kind=Kind.THEMATIC).state == State.SIGNED
    annual = Report.objects.get(kind=Kind.ANNUAL)
    assert annual.state == State.SIGNED
    assert annual.versions.get().content["figures"]["annual.visits"]["value"] > 0
    assert Report.objects.get(kind=Kind.FOLLOW_UP).state == State.DRAFT
    assert Report.objects.filter(kind=Kind.URGENT, state=State.IN_REVIEW).count() <= 1
    published = Report.objects.filter(published_at__isnull=False)
    assert published.count() == 1
    for report in published:
        version = report.published_version
        run = version.checks.order_by("-ran_at", "-id").first()
        assert run.open_hits == 0
        assert not run.hits.filter(status=Hit.Status.OVERRIDDEN).exists()
    with pytest.raises(DemoRefused):
        demo_load_reports(scale="small", seed=3)
