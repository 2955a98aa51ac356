"""The demo's reports (`manage.py demo`): written through the services after every other
demo loader, signed, and one published with nothing left open or overridden."""

from __future__ import annotations

import pytest

from habeas.core.tests import shared_demo
from habeas.places.demo import DemoRefused
from habeas.reports.demo import demo_load_reports
from habeas.reports.models import Hit, Kind, Report, State
from habeas.visits.models import Visit

# The demo the command loads, shared with the other demo tests.
pytestmark = shared_demo.MARKS


def test_the_demo_writes_signed_reports_of_every_kind(demo):
    assert "Reports: 3 signed visit reports (1 published" in demo
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
