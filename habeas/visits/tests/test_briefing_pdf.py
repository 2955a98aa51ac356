"""The briefing pack and the paper checklist as PDF (WeasyPrint)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from weasyprint import HTML

from habeas.assessment.reports import STATIC_BASE, StaticOnlyFetcher
from habeas.cases.tests.factories import make_watch
from habeas.core.models import AuditEvent
from habeas.places.models import Category
from habeas.places.tests.factories import PlaceFactory, PopulationRecordFactory
from habeas.visits import briefing, briefing_pdf
from habeas.visits.models import Finding, Visit
from habeas.visits.tests.factories import add_member, make_visit

pytestmark = pytest.mark.django_db

PLACE = "Canary Psychiatric Hospital Elmwood"
FINDING = "Canary finding: restraint without continuous supervision"
PSEUDONYM = "Canary Pseudonym Plover"


def pdf_text(content: bytes, html: str) -> str:
    """The PDF's text with pypdf if it is installed; else the text WeasyPrint laid out
    on the pages from the very HTML it was given."""
    try:
        from pypdf import PdfReader  # type: ignore[import-not-found]
    except ImportError:
        document: Any = HTML(
            string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher()
        ).render()
        return " ".join(
            box.text
            for page in document.pages
            for box in page._page_box.descendants()
            if hasattr(box, "text")
        )
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def visit(personas) -> Visit:
    head = personas["head"]
    place = PlaceFactory(name=PLACE, category=Category.objects.get(code="psychiatric"))
    for year in range(2015, 2025):
        PopulationRecordFactory(
            place=place, recorded_on=dt.date(year, 1, 1), population=90 + year % 7
        )
    last = make_visit(
        head,
        place=place,
        starts_on=dt.date(2023, 2, 1),
        ends_on=dt.date(2023, 2, 2),
        state=Visit.State.CLOSED,
    )
    Finding.objects.create(
        visit=last, theme="security", severity="urgent", statement=FINDING, created_by=head
    )
    visit = make_visit(
        head, place=place, starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 4, 2)
    )
    add_member(visit, personas["monitor"], head)
    make_watch(personas["monitor"], place=place, pseudonym=PSEUDONYM)
    return visit


def pack(user: Any, visit: Visit) -> briefing.BriefingPack:
    return briefing.briefing_pack(
        user=user, visit=briefing.visit_for_briefing(user=user, visit_pk=visit.pk)
    )


def test_it_renders_the_pack_as_a_real_pdf_naming_the_place(personas, visit):
    content = pack(personas["monitor"], visit)

    pdf = briefing_pdf.briefing_pdf(content)

    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:]
    assert len(pdf) > 20_000
    text = pdf_text(pdf, briefing_pdf.briefing_html(content))
    assert PLACE in text
    assert FINDING in text
    assert PSEUDONYM in text  # the monitor is on the team and granted


def test_the_pdf_of_a_team_member_without_grant_carries_no_pseudonym(personas, visit):
    content = pack(personas["head"], visit)

    html = briefing_pdf.briefing_html(content)

    assert PSEUDONYM not in html
    assert "reprisal watch" not in html
    assert PSEUDONYM not in pdf_text(briefing_pdf.briefing_pdf(content), html)


def test_it_downloads_the_pdf_as_an_attachment_and_audits_it(client_for, personas, visit):
    response = client_for(personas["monitor"]).get(
        reverse("visits:briefing_pdf", kwargs={"visit_pk": visit.pk})
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="briefing-{visit.reference}.pdf"'
    )
    assert PLACE not in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.get(action="visit.briefing_read").detail == {"format": "pdf"}


def test_the_paper_checklist_pdf_has_every_item_and_empty_boxes(client_for, personas, visit):
    response = client_for(personas["monitor"]).get(
        reverse("visits:checklist_pdf", kwargs={"visit_pk": visit.pk})
    )

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    guideline = visit.guideline
    html = briefing_pdf.checklist_html(
        visit=visit, guideline=guideline, checklist=briefing.items_by_theme(guideline)
    )
    text = pdf_text(response.content, html)
    first = guideline.items.order_by("position").first()
    assert first.text[:40] in text
    assert html.count("☐") == 4 * guideline.items.count()
    assert "Write no names on this form" in text


@pytest.mark.parametrize("name", ["briefing_pdf", "checklist_pdf"])
def test_an_outsider_gets_404_for_the_pdfs(client_for, personas, visit, name):
    # The visit is unannounced and still planned: off the team, only planners know of it.
    for who in ("outsider", "expert", "doctor", "data_officer"):
        response = client_for(personas[who]).get(
            reverse(f"visits:{name}", kwargs={"visit_pk": visit.pk})
        )
        assert response.status_code == 404
        assert not response.content.startswith(b"%PDF")
