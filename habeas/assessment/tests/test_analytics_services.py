"""The analyses against hand counts (analytics_world) and against direct queries."""

from __future__ import annotations

import pytest

from habeas.assessment import analytics
from habeas.assessment import analytics_tally as tally
from habeas.assessment.analytics import Filters
from habeas.assessment.tests import analytics_world
from habeas.places.models import Category, Place
from habeas.visits.models import Finding, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return analytics_world.build(personas)


def cell(result, theme, category):
    row = next(r for r in result.rows if r["theme"] == theme)
    return next(c["n"] for c in row["cells"] if c["category"].pk == category.pk)


def test_it_counts_the_heatmap_by_hand_for_the_head(world):
    result = analytics.heatmap(world.head, Filters())
    assert result.source == "live"
    assert cell(result, "conditions", world.a) == 4  # V1 ×2, V2, VS
    assert cell(result, "conditions", world.b) == 1  # V3
    assert cell(result, "health", world.a) == 1
    assert cell(result, "health", world.b) == 1
    assert cell(result, "treatment", world.a) == 1
    assert cell(result, "safeguards", world.b) == 1
    assert result.total == 9


def test_it_counts_only_the_experts_team_visits(world):
    result = analytics.heatmap(world.expert, Filters())
    assert result.total == 2
    assert cell(result, "conditions", world.a) == 1
    assert cell(result, "treatment", world.a) == 1


def test_it_leaves_out_the_secret_visit_for_staff_not_on_its_team(world):
    assert analytics.heatmap(world.comms, Filters()).total == 8
    assert cell(analytics.heatmap(world.comms, Filters()), "conditions", world.a) == 3
    assert analytics.heatmap(world.monitor, Filters()).total == 9  # planners see it


def test_it_counts_nothing_for_the_administrator_and_outsider(world, personas):
    assert analytics.heatmap(personas["admin"], Filters()).total == 0
    assert analytics.heatmap(personas["outsider"], Filters()).total == 0


def test_it_filters_by_region_with_the_areas_inside_it(world):
    north = analytics.heatmap(world.head, Filters(region=world.north.pk))
    assert north.total == 6  # P1 (V1 3 + VS 1) and P2 in N1 (2)
    assert analytics.heatmap(world.head, Filters(region=world.n1.pk)).total == 2
    assert analytics.heatmap(world.head, Filters(region=world.south.pk)).total == 2


def test_it_filters_by_years_kind_and_severity(world):
    assert analytics.heatmap(world.head, Filters(year_from=2023, year_to=2024)).total == 7
    assert analytics.heatmap(world.head, Filters(kind="good_practice")).total == 2
    assert analytics.heatmap(world.head, Filters(severity="urgent")).total == 3


def test_it_counts_the_trends_by_hand(world):
    result = analytics.trends(world.head, Filters())
    assert result.years == [2022, 2023, 2024, 2025]
    conditions = next(s for s in result.series if s["theme"] == "conditions")
    assert conditions["values"] == [0, 2, 2, 1]
    assert result.year_totals == [1, 3, 4, 1]
    assert result.total == 9


def _direct_heatmap(user, filters):
    qs = Finding.objects.restrict(user, "view")
    return {
        (theme, category.pk): analytics.findings(
            user, filters.narrowed(theme=theme, category=category.pk)
        ).count()
        for theme in Theme.values
        for category in Category.objects.all()
    }, qs


@pytest.mark.parametrize("name", ["head", "monitor", "doctor", "expert", "data_officer", "comms",
                                  "auditor", "admin", "outsider"])  # fmt: skip
@pytest.mark.parametrize("built", [False, True])
def test_every_heatmap_cell_and_trend_matches_a_direct_query(world, personas, name, built):
    """Tally or live, each figure equals a count of the findings the persona may see."""
    if built:
        tally.tally_rebuild()
    user = personas[name]
    for filters in (
        Filters(),
        Filters(region=world.north.pk, year_from=2023),
        Filters(kind="concern"),
    ):
        result = analytics.heatmap(user, filters)
        for row in result.rows:
            for c in row["cells"]:
                direct = Finding.objects.restrict(user, "view").filter(
                    theme=row["theme"], visit__place__category=c["category"]
                )
                direct = analytics.findings(user, filters).filter(pk__in=direct.values("pk"))
                assert c["n"] == direct.count()
        assert result.total == analytics.findings(user, filters).count()
        trends = analytics.trends(user, filters)
        for series in trends.series:
            for year, value in zip(trends.years, series["values"], strict=True):
                direct = Finding.objects.restrict(user, "view").filter(
                    theme=series["theme"], visit__starts_on__year=year
                )
                assert (
                    value
                    == analytics.findings(user, filters).filter(pk__in=direct.values("pk")).count()
                )


def test_the_tally_is_used_only_while_current(world):
    tally.tally_rebuild()
    assert tally.tally_usable(world.head)
    result = analytics.heatmap(world.head, Filters())
    assert (result.source, result.total) == ("tally", 9)
    # Prove the figures come from the tally: falsify it while it is current.
    from habeas.assessment.models_analytics import FindingTally

    FindingTally.objects.filter(theme="safeguards").update(findings=40)
    assert analytics.heatmap(world.head, Filters()).total == 48
    # A new finding makes it stale: counted live at once, the falsified row ignored.
    analytics_world._finding(world.visits["V4"], world.head, "staff", "concern", "general", [])
    assert not tally.tally_current()
    result = analytics.heatmap(world.head, Filters())
    assert (result.source, result.total) == ("live", 10)
    tally.tally_rebuild()
    assert analytics.heatmap(world.head, Filters()).total == 10


def test_the_expert_is_never_served_from_the_tally(world):
    tally.tally_rebuild()
    assert tally.tally_current()
    assert not tally.tally_usable(world.expert)
    assert analytics.heatmap(world.expert, Filters()).source == "live"
    assert analytics.heatmap(world.expert, Filters()).total == 2


def test_the_tally_leaves_out_the_secret_visit_and_adds_it_back_for_who_may_see_it(world):
    result = tally.tally_rebuild()
    assert result.findings == 8  # VS left out
    assert analytics.heatmap(world.head, Filters()).total == 9
    assert analytics.heatmap(world.comms, Filters()).total == 8


@pytest.mark.parametrize(
    "what", ["finding", "visit", "place", "delete", "place_close", "update", "bulk_update"]
)
def test_any_change_to_a_finding_visit_or_place_makes_the_tally_stale(world, what):
    tally.tally_rebuild()
    assert tally.tally_current()
    finding = Finding.objects.filter(visit=world.visits["V1"]).first()
    if what == "finding":
        finding.statement = "changed"
        finding.save()
    elif what == "visit":
        world.visits["V1"].save()
    elif what == "place":
        world.places["P3"].category = world.a
        world.places["P3"].save()
    elif what == "place_close":  # a service writing with QuerySet.update, no signal
        import datetime as dt

        from habeas.places import services

        services.place_close(
            actor=world.head, place=world.places["P3"], closed_on=dt.date(2026, 1, 5)
        )
    elif what == "update":
        Finding.objects.filter(pk=finding.pk).update(theme="staff")
    elif what == "bulk_update":
        world.places["P3"].category = world.a
        Place.objects.bulk_update([world.places["P3"]], ["category"])
    else:
        finding.delete()
    assert not tally.tally_current()


def test_an_update_of_another_model_leaves_the_tally_current(world):
    from habeas.visits.models import TeamAssignment

    tally.tally_rebuild()
    TeamAssignment.objects.filter(visit=world.visits["V2"]).update(override_reason="changed")
    assert tally.tally_current()


def test_a_stale_reader_queues_one_rebuild(world, django_capture_on_commit_callbacks):
    tally.tally_rebuild()
    analytics_world._finding(world.visits["V4"], world.head, "staff", "concern", "general", [])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tally.tally_request_rebuild()
    assert len(callbacks) == 1
    assert tally.tally_current()  # the test backend runs the job at once
    assert analytics.heatmap(world.head, Filters()).source == "tally"


def test_the_command_rebuilds_the_tally(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("analytics_tally", stdout=out)
    assert "8 findings" in out.getvalue()
    assert tally.tally_current()


def test_generic_problems_follow_the_stated_rule(world):
    problems = analytics.generic_problems(world.head, Filters())
    # conditions + mandela: P1 (V1, VS), P2, P3 = 3 places, 5 findings.
    assert [(p.theme, p.standard, p.places, p.findings) for p in problems] == [
        ("conditions", "mandela", 3, 5)
    ]
    assert analytics.generic_problems(world.comms, Filters()) == [
        analytics.GenericProblem(
            "conditions", "Material conditions", "mandela", "Nelson Mandela Rules", 3, 4
        )  # fmt: skip
    ]
    assert analytics.generic_problems(world.expert, Filters()) == []
    two = analytics.generic_problems(world.head, Filters(min_places=2))
    assert ("conditions", "cpt") not in {(p.theme, p.standard) for p in two}  # one place
    assert analytics.findings(world.head, Filters(kind="concern", theme="conditions",
                                                  standard="mandela")).count() == 5  # fmt: skip


def test_good_practices_and_where_they_were_seen(world):
    rows = {row["theme"]: row for row in analytics.good_practices(world.head, Filters())}
    assert rows["health"]["findings"] == 2
    assert rows["health"]["places"] == 2
    assert {place.name for place, _ in rows["health"]["top"]} == {"P1", "P3"}
    assert rows["conditions"]["findings"] == 0


def test_the_most_serious_places_rank_urgent_then_key(world):
    rows = analytics.serious_places(world.head, Filters())
    assert [(r["place"].name, r["urgent"], r["key"]) for r in rows] == [
        ("P1", 2, 1),  # V1 urgent + VS urgent, V1 key
        ("P2", 1, 0),
        ("P3", 0, 1),
    ]
    expert = analytics.serious_places(world.expert, Filters())
    assert [(r["place"].name, r["urgent"], r["key"]) for r in expert] == [("P2", 1, 0)]
