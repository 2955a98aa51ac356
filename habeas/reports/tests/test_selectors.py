"""Who sees which report in the lists (models.ReportQuerySet): a visit's reports follow
the visit, an external expert sees only their visits' reports, the communications
officer only signed ones."""

from __future__ import annotations

import pytest
from django.db.models import ObjectDoesNotExist

from habeas.reports import selectors, services
from habeas.reports.models import Kind
from habeas.reports.tests.factories import report_factory, report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, make_user):
    return report_world(personas, make_user)


def sign(world, report):
    version = services.latest_version(report)
    services.version_submit(actor=world.head, version=version)
    services.version_approve(actor=world.head, version=version)
    services.version_sign(actor=world.head, version=version)


def test_each_role_sees_the_reports_it_should(world, personas):
    visit_report = report_factory(kind=Kind.VISIT, actor=world.monitor, visit=world.visit)
    annual = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2026, title="Annual 2026")
    police = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.police_visit)
    sign(world, annual)

    def seen(who):
        return set(selectors.report_list(user=who).values_list("pk", flat=True))

    everything = {visit_report.pk, annual.pk, police.pk}
    assert seen(world.head) == everything
    assert seen(personas["doctor"]) == everything
    assert seen(world.expert_on_team) == {visit_report.pk}
    assert seen(personas["expert"]) == set()
    assert seen(personas["comms"]) == {annual.pk}
    assert seen(personas["outsider"]) == set() and seen(personas["admin"]) == set()


def test_it_filters_by_kind_state_year_and_search(world):
    visit_report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    annual = report_factory(kind=Kind.ANNUAL, actor=world.head, year=2025, title="Annual 2025")
    sign(world, annual)

    def found(**filters):
        return set(
            selectors.report_list(user=world.head, filters=filters).values_list("pk", flat=True)
        )

    assert found(kind="annual") == {annual.pk}
    assert found(state="signed") == {annual.pk}
    assert found(state="draft") == {visit_report.pk}
    assert found(search="Northgate") == {visit_report.pk}
    assert found(search=annual.reference) == {annual.pk}
    assert annual.pk in found(year="2025")
    assert found(kind="bogus") == {visit_report.pk, annual.pk}  # ignored, not an error


def test_getting_one_report_is_refused_like_a_missing_one(world, personas):
    report = report_factory(kind=Kind.VISIT, actor=world.head, visit=world.visit)
    assert selectors.report_get(user=world.head, pk=report.pk) == report
    for who in ("expert", "comms", "outsider"):
        with pytest.raises(ObjectDoesNotExist):
            selectors.report_get(user=personas[who], pk=report.pk)
    with pytest.raises(ObjectDoesNotExist):
        selectors.report_get(user=personas["doctor"], pk=report.pk, action="draft")
