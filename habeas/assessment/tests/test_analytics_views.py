"""The analytics pages, exports and saved views, as each persona meets them."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from habeas.assessment import analytics_tally as tally
from habeas.assessment.models_analytics import SavedView
from habeas.assessment.tests import analytics_world
from habeas.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGES = [
    "assessment:analytics",
    "assessment:analytics_trends",
    "assessment:analytics_generic",
    "assessment:analytics_good_practices",
    "assessment:analytics_serious",
    "assessment:analytics_findings",
]


@pytest.fixture
def world(personas):
    return analytics_world.build(personas)


@pytest.mark.parametrize("name", ["admin", "outsider"])
def test_it_answers_404_to_whoever_may_not_see_the_analytics(world, personas, client_for, name):
    client = client_for(personas[name])
    for page in PAGES:
        assert client.get(reverse(page)).status_code == 404
    export = reverse("assessment:analytics_export") + "?analysis=heatmap&format=csv"
    assert client.get(export).status_code == 404
    assert client.post(reverse("assessment:analytics_view_save"), {}).status_code == 404


def test_every_page_opens_for_the_staff(world, personas, client_for):
    for name in ("head", "monitor", "doctor", "expert", "data_officer", "comms", "auditor"):
        client = client_for(personas[name])
        for page in PAGES:
            assert client.get(reverse(page)).status_code == 200, (name, page)


def _links(html: str) -> list[tuple[str, int]]:
    """(address, number shown) of each figure linking to the list of findings."""
    found = re.findall(r'href="(/assessment/analytics/findings/\?[^"]*)"[^>]*>([\d,]+)</a>', html)
    return [(url.replace("&amp;", "&"), int(n.replace(",", ""))) for url, n in found]


def _listed(client, url: str) -> int:
    html = client.get(url).content.decode()
    match = re.search(r'<p class="total">([\d,]+) finding', html)
    assert match, url
    return int(match.group(1).replace(",", ""))


@pytest.mark.parametrize("name", ["head", "comms", "expert"])
@pytest.mark.parametrize("built", [False, True])
def test_every_figure_agrees_with_the_list_behind_it(world, personas, client_for, name, built):
    if built:
        tally.tally_rebuild()
    client = client_for(personas[name])
    for page in PAGES[:-1]:
        links = _links(client.get(reverse(page)).content.decode())
        for url, number in links:
            assert _listed(client, url) == number, (page, url)
    heatmap = client.get(reverse("assessment:analytics")).content.decode()
    expected = {"head": 9, "comms": 8, "expert": 2}[name]
    assert (reverse("assessment:analytics_findings") + "?", expected) in _links(heatmap)


def test_the_expert_never_sees_other_visits_findings_in_the_list(world, client_for):
    html = client_for(world.expert).get(reverse("assessment:analytics_findings")).content.decode()
    assert world.visits["V2"].reference in html
    for code in ("V1", "V3", "V4", "VS"):
        assert world.visits[code].reference not in html


def test_bad_filters_are_explained_and_change_nothing(world, client_for):
    client = client_for(world.head)
    response = client.get(reverse("assessment:analytics") + "?year_from=2025&year_to=2020")
    assert response.status_code == 200
    assert "The first year must not come after the last year." in response.content.decode()
    assert (reverse("assessment:analytics_findings") + "?", 9) in _links(response.content.decode())


def test_it_exports_csv_and_xlsx_as_the_reader_sees_them(world, client_for):
    world.places["P1"].name = "=HYPERLINK(1)"
    world.places["P1"].save()
    client = client_for(world.expert)
    url = reverse("assessment:analytics_export")
    response = client.get(url + "?analysis=heatmap&format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="findings-heatmap')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[-1][0] == "Total" and rows[-1][-1] == "2"
    head = client_for(world.head)
    response = head.get(url + "?analysis=serious&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text
    response = head.get(f"{url}?analysis=trends&format=xlsx&region={world.north.pk}")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[-1][0] == "Total" and values[-1][-1] == 6
    assert AuditEvent.objects.filter(action="analytics.export").count() == 3
    assert head.get(url + "?analysis=nope&format=csv").status_code == 400
    assert head.get(url + "?analysis=heatmap&format=pdf").status_code == 400


def test_saved_views_are_the_owners_unless_shared(world, personas, client_for):
    head, comms = client_for(world.head), client_for(world.comms)
    save = reverse("assessment:analytics_view_save")
    response = head.post(
        save,
        {"name": "North since 2023", "kind": "heatmap",
         "params": f'{{"region": {world.north.pk}, "year_from": 2023}}'},
    )  # fmt: skip
    assert response.status_code == 302
    mine = SavedView.objects.get(name="North since 2023")
    assert mine.params == {"region": world.north.pk, "year_from": 2023, "min_places": 3}
    assert "North since 2023" in head.get(reverse("assessment:analytics")).content.decode()
    assert "North since 2023" not in comms.get(reverse("assessment:analytics")).content.decode()
    delete = reverse("assessment:analytics_view_delete", kwargs={"view_pk": mine.pk})
    assert comms.post(delete).status_code == 404
    mine.shared = True
    mine.save()
    assert "North since 2023" in comms.get(reverse("assessment:analytics")).content.decode()
    assert comms.post(delete).status_code == 403
    assert SavedView.objects.filter(pk=mine.pk).exists()
    assert head.post(delete).status_code == 302
    assert not SavedView.objects.filter(pk=mine.pk).exists()


def test_a_view_with_bad_filters_or_no_name_is_not_saved(world, client_for):
    head = client_for(world.head)
    save = reverse("assessment:analytics_view_save")
    head.post(save, {"name": "x", "kind": "heatmap", "params": '{"year_from": "soon"}'})
    head.post(save, {"name": "  ", "kind": "heatmap", "params": "{}"})
    head.post(save, {"name": "y", "kind": "heatmap", "params": "not json"})
    assert not SavedView.objects.exists()
