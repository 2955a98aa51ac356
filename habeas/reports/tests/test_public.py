"""`/public/`: the published reports, open to anyone, showing only their public version.

A report drafted with canaries in every confidential place (an interview's identity and
notes, a case's victim, the team's names, a section kept out, a redacted passage) is
published through the services; no canary may then appear in the public page, the
public API or the public PDF and DOCX. A report that is not published answers 404 with
the bytes of one that does not exist, and no count of fewer than k recommendations is
shown.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pypdfium2
import pytest
from django.test import Client

from habeas.cases.tests.factories import CANARY_VICTIM, make_case
from habeas.reports import views_public
from habeas.reports.models import Hit, Rendering, Report
from habeas.reports.tests.factories import (
    IDENTITY_CANARY,
    NOTES_CANARY,
    interview_at,
    report_factory,
    report_world,
)

pytestmark = pytest.mark.django_db

TEAM_CANARY = "Tamsin Teamcanary"
NO_CONSENT_NAME = "Quillon Varnadoe"  # identity of an interview without publish consent
EXPERT_NAME = "Eva Expert"  # the external expert on the visit's team (factories)
REDACTED_CANARY = "REDACTED-PASSAGE-CANARY-4471"
KEPT_OUT_CANARY = "KEPT-OUT-SECTION-CANARY-9182"
CANARIES = (
    IDENTITY_CANARY,
    NOTES_CANARY,
    NO_CONSENT_NAME,
    CANARY_VICTIM,
    TEAM_CANARY,
    EXPERT_NAME,
    REDACTED_CANARY,
    KEPT_OUT_CANARY,
)
PUBLIC_SUMMARY = "PUBLIC-SUMMARY-MARK: the team found overcrowding in Wing B."
OVERRIDE_REASON = "Checked with the team: the passage names no one."


@pytest.fixture
def world(personas: Any, make_user: Any) -> Any:
    monitor = personas["monitor"]
    monitor.full_name = TEAM_CANARY
    monitor.save(update_fields=["full_name"])
    built = report_world(personas, make_user)
    make_case(personas["head"], place=built.place)  # its victim is CANARY_VICTIM
    interview_at(
        built.visit,
        monitor,
        unit=built.unit("Wing A"),
        pseudonym="P-09",
        identity=NO_CONSENT_NAME,
        notes=f"{NOTES_CANARY} asked not to be named",
        consent_publish=False,
    )
    return built


def _services() -> tuple[Any, Any]:
    from habeas.reports import services, services_publication

    return services, services_publication


def _clear_open_hits(world: Any, version: Any, *, redact: bool) -> None:
    """Run the check and clear what it finds: on a draft, redact one hit and check again
    (a redaction changes the text the other hits were found in); on a signed version,
    the head's override, never for a passage holding a canary."""
    _, publication = _services()
    for _round in range(20):
        run = publication.check_run(actor=world.head, version=version)
        hits = list(Hit.objects.filter(run=run, status=Hit.Status.OPEN))
        if not hits:
            return
        if redact:
            publication.redaction_from_hit(actor=world.head, hit=hits[0])
            continue
        for hit in hits:
            assert not any(c in hit.passage for c in CANARIES), hit.passage
            publication.hit_override(actor=world.head, hit=hit, reason=OVERRIDE_REASON)
    raise AssertionError("the publication check kept finding hits")


def publish(
    world: Any,
    capture: Any,
    *,
    kind: str = "visit",
    sections: dict[str, str] | None = None,
    public_omit: list[str] | None = None,
    redact: list[tuple[str, str]] = (),  # type: ignore[assignment]
    **scope: Any,
) -> Report:
    """A report drafted, checked, signed and published through the services."""
    services, publication = _services()
    if kind in ("visit", "urgent", "follow_up") and "visit" not in scope:
        scope["visit"] = world.visit.pk
    report = report_factory(kind=kind, actor=world.head, **scope)
    version = services.latest_version(report)
    if sections or public_omit is not None:
        services.version_edit(
            actor=world.head,
            version=version,
            sections=sections or {},
            public_omit=public_omit,
            expected_version=version.version,
        )
        version.refresh_from_db()
    for section, passage in redact:
        publication.redaction_add(
            actor=world.head, version=version, section=section, passage=passage, reason="source"
        )
    _clear_open_hits(world, version, redact=True)
    services.version_submit(actor=world.head, version=version)
    services.version_approve(actor=world.monitor, version=version)
    services.version_sign(actor=world.head, version=version)
    _clear_open_hits(world, version, redact=False)
    with capture(execute=True):
        publication.report_publish(actor=world.head, report=report)
    report.refresh_from_db()
    assert report.published_at is not None
    return report


def canary_report(world: Any, capture: Any) -> Report:
    return publish(
        world,
        capture,
        sections={
            "summary": f"{PUBLIC_SUMMARY} {REDACTED_CANARY} told us more.",
            "changes": f"{KEPT_OUT_CANARY} is kept out of the public version.",
            # Names a drafter should not have written: the check finds them, they are
            # redacted. (P-01, whose identity is IDENTITY_CANARY, consented to be named,
            # so only the records could leak that one.)
            "findings": f"{CANARY_VICTIM} and {NO_CONSENT_NAME} described the night search.",
        },
        public_omit=["changes"],
        redact=[("summary", REDACTED_CANARY)],
    )


def _no_canary(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary!r} in {where}"


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", errors="replace")
            for name in archive.namelist()
            if name.endswith(".xml")
        )


# -- no login, no chrome, no cookie --------------------------------------------------------


def test_the_public_pages_answer_anyone_without_a_cookie_or_the_internal_chrome(
    world, django_capture_on_commit_callbacks
):
    report = publish(
        world, django_capture_on_commit_callbacks, sections={"summary": PUBLIC_SUMMARY}
    )
    anonymous = Client()

    for path in ("/public/", f"/public/reports/{report.pk}/", "/public/recommendations/"):
        response = anonymous.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, (path, response.cookies)
        body = response.content.decode()
        assert 'class="mainnav"' not in body
        assert "/accounts/logout/" not in body
        assert 'href="/reports/' not in body  # no link into the NPM's own pages
        assert "/figures/" not in body
        assert 'method="post"' not in body.lower()
    assert report.title in anonymous.get("/public/").content.decode()


def test_a_signed_in_reader_sees_the_same_public_page(
    world, client_for, django_capture_on_commit_callbacks
):
    report = publish(
        world, django_capture_on_commit_callbacks, sections={"summary": PUBLIC_SUMMARY}
    )

    page = client_for(world.head).get(f"/public/reports/{report.pk}/").content.decode()

    assert PUBLIC_SUMMARY in page
    assert 'class="mainnav"' not in page


def test_an_unpublished_report_answers_404_with_the_bytes_of_a_missing_one(
    world, django_capture_on_commit_callbacks
):
    services, publication = _services()
    anonymous = Client()
    draft = report_factory(kind="visit", actor=world.head, visit=world.visit.pk)
    withdrawn = publish(
        world, django_capture_on_commit_callbacks, sections={"summary": PUBLIC_SUMMARY}
    )
    publication.report_unpublish(actor=world.head, report=withdrawn, reason="Published by mistake.")
    missing = anonymous.get("/public/reports/987654/")
    assert missing.status_code == 404

    for report in (draft, withdrawn):
        for suffix in ("", "pdf/", "docx/"):
            page = anonymous.get(f"/public/reports/{report.pk}/{suffix}")
            assert page.status_code == 404
            assert page.content == missing.content
        api = anonymous.get(f"/api/v1/public-reports/{report.pk}/")
        assert api.status_code == 404
        assert api.content == anonymous.get("/api/v1/public-reports/987654/").content
    assert withdrawn.title not in anonymous.get("/public/").content.decode()
    assert anonymous.get("/api/v1/public-reports/").json()["count"] == 0


# -- canaries --------------------------------------------------------------------------------


def test_no_confidential_canary_reaches_the_public_page_api_pdf_or_docx(
    world, django_capture_on_commit_callbacks
):
    report = canary_report(world, django_capture_on_commit_callbacks)
    anonymous = Client()

    page = anonymous.get(f"/public/reports/{report.pk}/").content.decode()
    assert PUBLIC_SUMMARY in page  # the public text is there...
    _no_canary(page, "the public page")  # ...and nothing confidential
    listing = anonymous.get("/public/").content.decode()
    _no_canary(listing, "the public index")
    api = anonymous.get(f"/api/v1/public-reports/{report.pk}/").content.decode()
    assert "PUBLIC-SUMMARY-MARK" in api
    _no_canary(api, "the public API")
    _no_canary(anonymous.get("/api/v1/public-reports/").content.decode(), "the public API list")
    _no_canary(anonymous.get("/public/recommendations/").content.decode(), "recommendations")

    pdf = anonymous.get(f"/public/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert re.match(r'attachment; filename="[\w.-]+\.pdf"$', pdf["Content-Disposition"])
    text = pdf_text(pdf.content)
    assert "PUBLIC-SUMMARY-MARK" in text
    _no_canary(text, "the public PDF")
    docx = anonymous.get(f"/public/reports/{report.pk}/docx/")
    assert docx.status_code == 200
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    _no_canary(docx_text(docx.content), "the public DOCX")


def test_the_confidential_version_still_holds_what_the_public_one_leaves_out(
    world, django_capture_on_commit_callbacks
):
    # Guards the canary test: the canaries were really in the report.
    report = canary_report(world, django_capture_on_commit_callbacks)

    stored = str(report.published_version.content)  # type: ignore[union-attr]

    assert KEPT_OUT_CANARY in stored
    assert REDACTED_CANARY in stored


# -- the pages -------------------------------------------------------------------------------


def test_the_index_lists_newest_first_filters_by_kind_and_year_and_pages(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    visit_report = publish(
        world, django_capture_on_commit_callbacks, sections={"summary": PUBLIC_SUMMARY}
    )
    annual = publish(world, django_capture_on_commit_callbacks, kind="annual", year=2026)
    anonymous = Client()
    year = annual.published_at.year  # type: ignore[union-attr]

    body = anonymous.get("/public/").content.decode()
    assert body.index(annual.title) < body.index(visit_report.title)
    only_annual = anonymous.get("/public/?kind=annual").content.decode()
    assert annual.title in only_annual and visit_report.title not in only_annual
    assert annual.title in anonymous.get(f"/public/?year={year}").content.decode()
    none = anonymous.get("/public/?year=1999").content.decode()
    assert annual.title not in none and visit_report.title not in none
    assert anonymous.get("/public/?kind=<script>&year=abc&page=zz").status_code == 200

    monkeypatch.setattr(views_public, "PER_PAGE", 1)
    first = anonymous.get("/public/").content.decode()
    second = anonymous.get("/public/?page=2").content.decode()
    assert annual.title in first and visit_report.title not in first
    assert visit_report.title in second and annual.title not in second
    assert "page=2" in first


def test_the_report_page_shows_title_kind_date_npm_and_sections(
    world, django_capture_on_commit_callbacks
):
    report = publish(
        world, django_capture_on_commit_callbacks, sections={"summary": PUBLIC_SUMMARY}
    )

    page = Client().get(f"/public/reports/{report.pk}/").content.decode()

    assert report.title in page
    assert str(report.get_kind_display()) in page
    assert f'datetime="{report.published_at:%Y-%m-%d}"' in page
    assert PUBLIC_SUMMARY.split(":")[0] in page
    assert 'dir="ltr"' in page
    assert f"/public/reports/{report.pk}/pdf/" in page


def test_an_arabic_report_reads_right_to_left(world, django_capture_on_commit_callbacks):
    report = publish(
        world,
        django_capture_on_commit_callbacks,
        language="ar",
        sections={"summary": "وجد الفريق اكتظاظا في الجناح ب."},
    )

    page = Client().get(f"/public/reports/{report.pk}/").content.decode()

    assert re.search(r'<article[^>]*lang="ar"[^>]*dir="rtl"', page)
    assert "وجد الفريق" in page


def test_the_download_says_plainly_when_the_file_is_not_ready(
    world, django_capture_on_commit_callbacks
):
    report = publish(
        world, django_capture_on_commit_callbacks, sections={"summary": PUBLIC_SUMMARY}
    )
    Rendering.objects.filter(version__report=report).delete()

    response = Client().get(f"/public/reports/{report.pk}/pdf/")

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "being prepared" in response.content.decode()
    assert Client().get(f"/public/reports/{report.pk}/odt/").status_code == 404


# -- recommendations -------------------------------------------------------------------------


def _shown_counts(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r'<td class="count">(.*?)</td>', page, flags=re.S)
    ]


def test_the_recommendations_page_never_shows_a_count_under_k(
    world, django_capture_on_commit_callbacks
):
    publish(world, django_capture_on_commit_callbacks, sections={"summary": PUBLIC_SUMMARY})

    page = Client().get("/public/recommendations/").content.decode()

    counts = _shown_counts(page)
    assert counts, "the counts table is shown"
    for shown in counts:
        if shown.isdigit():  # none (0) names no one; otherwise k or more
            assert int(shown) == 0 or int(shown) >= 5, shown
        else:
            assert shown == "fewer than 5"
    # The world's visit has two recommendations: fewer than k whatever their status.
    assert "fewer than 5" in page
