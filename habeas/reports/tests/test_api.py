"""`/api/v1/reports/` and its companions: the same rights as the pages (404 for the
invisible, 403 for a step the role may not take, 409 for a stale edit), the whole workflow
driven through the API, and `/api/v1/public-reports/` open to anyone but showing only
what is published."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from habeas.reports.models import Hit, Report, ReportVersion, State
from habeas.reports.tests.factories import report_factory, report_world

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
VERSIONS = "/api/v1/report-versions/"
HITS = "/api/v1/report-hits/"
COMMENTS = "/api/v1/report-comments/"
REDACTIONS = "/api/v1/report-redactions/"
RENDERINGS = "/api/v1/renderings/"
DISSEMINATIONS = "/api/v1/disseminations/"
PUBLIC = "/api/v1/public-reports/"
ACTIONS = ["submit", "return", "approve", "sign", "new-version", "check", "publish", "unpublish"]
OVERRIDE_REASON = "Checked with the team: the passage names no one."


def api(user: Any | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world(personas: Any, make_user: Any) -> Any:
    return report_world(personas, make_user)


@pytest.fixture
def draft(world: Any) -> Report:
    return report_factory(kind="visit", actor=world.head, visit=world.visit.pk)


def _url(report: Report, step: str = "") -> str:
    return f"{REPORTS}{report.pk}/" + (f"{step}/" if step else "")


def _version(report: Report) -> ReportVersion:
    return ReportVersion.objects.filter(report=report).order_by("-number").first()  # type: ignore[return-value]


def _ok(response: Any, code: int = 200) -> Any:
    assert response.status_code == code, (response.status_code, response.content[:500])
    return response.json()


# -- who sees what -------------------------------------------------------------------------


def test_an_outsider_gets_404_on_the_report_and_every_action(personas, world, draft):
    client = api(personas["outsider"])

    assert _ok(client.get(REPORTS))["count"] == 0
    assert client.get(_url(draft)).status_code == 404
    assert client.get(_url(draft, "content")).status_code == 404
    assert client.patch(_url(draft), {"title": "x", "version": 1}, format="json").status_code == 404
    for step in ACTIONS:
        response = client.post(_url(draft, step), {"comment": "x", "reason": "x"}, format="json")
        assert response.status_code == 404, step
    version = _version(draft)
    assert client.get(f"{VERSIONS}{version.pk}/").status_code == 404
    assert (
        client.patch(f"{VERSIONS}{version.pk}/", {"sections": {}}, format="json").status_code == 404
    )
    assert _ok(client.get(VERSIONS))["count"] == 0
    assert _version(draft).state == State.DRAFT


def test_an_expert_off_the_team_sees_nothing_of_a_visit_report(personas, world, draft):
    # An external expert may draft reports, but only on the visits they are on.
    client = api(personas["expert"])

    assert _ok(client.get(REPORTS))["count"] == 0
    assert client.get(_url(draft)).status_code == 404
    assert client.post(_url(draft, "submit")).status_code == 404
    assert client.get(f"{REPORTS}987654/").status_code == 404


def test_a_comms_officer_sees_no_draft_but_sees_the_signed_report(personas, world, draft):
    comms = api(personas["comms"])
    assert comms.get(_url(draft)).status_code == 404
    assert _ok(comms.get(REPORTS))["count"] == 0
    assert comms.post(_url(draft, "publish")).status_code == 404

    _sign_through_api(world, draft)

    body = _ok(comms.get(_url(draft)))
    assert body["state"] == State.SIGNED
    assert _ok(comms.get(REPORTS))["count"] == 1


def test_a_monitor_on_the_team_cannot_sign(personas, world, draft):
    head, monitor = api(world.head), api(world.monitor)
    _ok(head.post(_url(draft, "submit")))
    _ok(monitor.post(_url(draft, "approve")))

    refused = monitor.post(_url(draft, "sign"))

    assert refused.status_code == 403
    assert _version(draft).state == State.APPROVED


def test_the_list_filters_by_kind_state_and_year(personas, world, draft):
    client = api(world.head)
    annual = report_factory(kind="annual", actor=world.head, year=2026)

    assert {r["id"] for r in _ok(client.get(REPORTS))["results"]} == {draft.pk, annual.pk}
    assert [r["id"] for r in _ok(client.get(REPORTS + "?kind=annual"))["results"]] == [annual.pk]
    assert _ok(client.get(REPORTS + "?state=signed"))["count"] == 0
    assert annual.pk in [r["id"] for r in _ok(client.get(REPORTS + "?year=2026"))["results"]]
    assert client.get(REPORTS + "?kind=novel").status_code == 400
    assert client.get(REPORTS + "?year=twenty").status_code == 400


# -- editing -------------------------------------------------------------------------------


def test_a_stale_edit_answers_409_and_keeps_the_newer_text(world, draft):
    client = api(world.head)
    version = _version(draft)
    url = f"{VERSIONS}{version.pk}/"
    first = client.patch(
        url,
        {"sections": {"summary": "First text."}},
        format="json",
        HTTP_IF_MATCH=f'"{version.version}"',
    )
    assert _ok(first)["sections"]["summary"] == "First text."
    assert first["ETag"] == f'"{version.version + 1}"'

    stale = client.patch(
        url,
        {"sections": {"summary": "Older text."}},
        format="json",
        HTTP_IF_MATCH=f'"{version.version}"',
    )

    assert stale.status_code == 409
    assert stale.json()["current_version"] == version.version + 1
    assert _version(draft).sections["summary"] == "First text."


def test_a_stale_report_settings_edit_answers_409(world, draft):
    client = api(world.head)
    url = _url(draft)
    etag = client.get(url)["ETag"]
    _ok(client.patch(url, {"title": "Northgate, March 2026"}, format="json", HTTP_IF_MATCH=etag))

    stale = client.patch(url, {"k": 7}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 409
    draft.refresh_from_db()
    assert (draft.title, draft.k) == ("Northgate, March 2026", 5)


def test_a_patch_without_a_version_is_refused(world, draft):
    response = api(world.head).patch(_url(draft), {"title": "No version"}, format="json")

    assert response.status_code == 400
    assert "version" in response.json()


def test_an_unknown_section_is_refused_with_its_reason(world, draft):
    version = _version(draft)
    response = api(world.head).patch(
        f"{VERSIONS}{version.pk}/",
        {"sections": {"gossip": "x"}, "version": version.version},
        format="json",
    )

    assert response.status_code == 400
    assert "gossip" in str(response.json())


def test_comments_are_added_and_resolved(world, draft):
    client = api(world.head)
    version = _version(draft)
    comment = _ok(
        client.post(
            COMMENTS,
            {"version": version.pk, "section": "summary", "text": "Shorter, please."},
            format="json",
        ),
        201,
    )
    assert comment["report"] == draft.pk

    resolved = _ok(client.post(f"{COMMENTS}{comment['id']}/resolve/"))

    assert resolved["resolved"] is True
    assert api(world.personas["outsider"]).get(f"{COMMENTS}{comment['id']}/").status_code == 404


def test_a_reviewer_returns_a_version_with_a_comment(world, draft):
    head, monitor = api(world.head), api(world.monitor)
    _ok(head.post(_url(draft, "submit")))

    assert monitor.post(_url(draft, "return"), {}, format="json").status_code == 400
    body = _ok(monitor.post(_url(draft, "return"), {"comment": "Add the dates."}, format="json"))

    assert body["state"] == State.DRAFT
    texts = [c["text"] for c in _ok(head.get(f"{COMMENTS}?report={draft.pk}"))["results"]]
    assert "Add the dates." in texts


# -- the workflow through the API ------------------------------------------------------------


def _sign_through_api(world: Any, report: Report) -> dict[str, Any]:
    head, monitor = api(world.head), api(world.monitor)
    _ok(head.post(_url(report, "submit")))
    _ok(monitor.post(_url(report, "approve")))
    return _ok(head.post(_url(report, "sign")))


def _clear_hits(client: APIClient, report: Report, *, redact: bool) -> None:
    """Redact (a draft, one hit per check: a redaction changes the text) or override (a
    signed version, the head) every open hit."""
    version = _version(report)
    for _round in range(20):
        _ok(client.post(_url(report, "check")))
        run = version.checks.order_by("-ran_at", "-id").first()
        hits = _ok(client.get(f"{HITS}?run={run.pk}&status=open&page_size=1000"))["results"]
        if not hits:
            return
        if redact:
            _ok(client.post(f"{HITS}{hits[0]['id']}/redact/"), 201)
            continue
        for hit in hits:
            reason = {"reason": OVERRIDE_REASON}
            _ok(client.post(f"{HITS}{hit['id']}/override/", reason, format="json"))
    raise AssertionError("the publication check kept finding hits")


def test_the_workflow_end_to_end_through_the_api(world):
    head = api(world.head)
    created = _ok(
        head.post(REPORTS, {"kind": "visit", "visit": world.visit.pk}, format="json"), 201
    )
    report = Report.objects.get(pk=created["id"])
    assert created["state"] == State.DRAFT and created["current_version"]["number"] == 1

    version_id = created["current_version"]["id"]
    etag = head.get(f"{VERSIONS}{version_id}/")["ETag"]
    patched = head.patch(
        f"{VERSIONS}{version_id}/",
        {"sections": {"summary": "The team found overcrowding in one wing."}},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert _ok(patched)["sections"]["summary"] == "The team found overcrowding in one wing."
    _clear_hits(head, report, redact=True)

    signed = _sign_through_api(world, report)
    assert signed["state"] == State.SIGNED and signed["signed_at"]

    _clear_hits(head, report, redact=False)
    published = _ok(head.post(_url(report, "publish")))
    assert published["published_at"] and published["published_number"] == 1

    listing = _ok(api().get(PUBLIC))
    assert [r["id"] for r in listing["results"]] == [report.pk]
    one = _ok(api().get(f"{PUBLIC}{report.pk}/"))
    assert one["content"]["variant"] == "public"
    assert "The team found overcrowding in one wing." in str(one["content"])


def test_publishing_is_refused_while_a_hit_is_open(world, draft):
    head = api(world.head)
    version = _version(draft)
    _ok(
        head.patch(
            f"{VERSIONS}{version.pk}/",
            {"sections": {"summary": "Interview P-01 in Wing C described the night search."}},
            format="json",
            HTTP_IF_MATCH=f'"{version.version}"',
        )
    )
    _sign_through_api(world, draft)
    _ok(head.post(_url(draft, "check")))
    assert Hit.objects.filter(run__version=_version(draft), status=Hit.Status.OPEN).exists()

    refused = head.post(_url(draft, "publish"))

    assert refused.status_code == 400
    assert _ok(api().get(PUBLIC))["count"] == 0


def test_only_the_head_overrides_a_hit(world, draft):
    head, monitor = api(world.head), api(world.monitor)
    version = _version(draft)
    _ok(
        head.patch(
            f"{VERSIONS}{version.pk}/",
            {"sections": {"summary": "Interview P-01 described the night search."}},
            format="json",
            HTTP_IF_MATCH=f'"{version.version}"',
        )
    )
    _ok(head.post(_url(draft, "check")))
    hit = Hit.objects.filter(run__version=version, status=Hit.Status.OPEN).first()
    assert hit is not None

    assert (
        monitor.post(
            f"{HITS}{hit.pk}/override/", {"reason": OVERRIDE_REASON}, format="json"
        ).status_code
        == 403
    )
    assert (
        head.post(f"{HITS}{hit.pk}/override/", {"reason": "short"}, format="json").status_code
        == 400
    )
    body = _ok(head.post(f"{HITS}{hit.pk}/override/", {"reason": OVERRIDE_REASON}, format="json"))
    assert body["status"] == Hit.Status.OVERRIDDEN


def test_a_hit_is_redacted_through_the_api(world, draft):
    head = api(world.head)
    version = _version(draft)
    _ok(
        head.patch(
            f"{VERSIONS}{version.pk}/",
            {"sections": {"summary": "Interview P-01 described the night search."}},
            format="json",
            HTTP_IF_MATCH=f'"{version.version}"',
        )
    )
    _ok(head.post(_url(draft, "check")))
    hit = Hit.objects.filter(run__version=version, status=Hit.Status.OPEN).first()
    assert hit is not None

    redaction = _ok(head.post(f"{HITS}{hit.pk}/redact/"), 201)

    assert redaction["version"] == version.pk
    listed = _ok(head.get(f"{REDACTIONS}?version={version.pk}"))["results"]
    assert [r["id"] for r in listed] == [redaction["id"]]
    public = _ok(head.get(_url(draft, "content") + "?variant=public"))
    assert "P-01" not in str(public)
    assert head.delete(f"{REDACTIONS}{redaction['id']}/").status_code == 204


def test_the_content_is_the_callers_and_the_public_variant_hides_kept_out_sections(world, draft):
    head = api(world.head)
    version = _version(draft)
    _ok(
        head.patch(
            f"{VERSIONS}{version.pk}/",
            {
                "sections": {"changes": "KEPT-OUT-CANARY in the changes."},
                "public_omit": ["changes"],
            },
            format="json",
            HTTP_IF_MATCH=f'"{version.version}"',
        )
    )

    confidential = _ok(head.get(_url(draft, "content")))
    public = _ok(head.get(_url(draft, "content") + "?variant=public"))

    assert confidential["variant"] == "confidential"
    assert "KEPT-OUT-CANARY" in str(confidential)
    assert public["variant"] == "public"
    assert "KEPT-OUT-CANARY" not in str(public)
    assert head.get(_url(draft, "content") + "?variant=secret").status_code == 400


# -- renderings and dissemination -------------------------------------------------------------


def test_a_rendering_is_queued_followed_and_downloaded(
    world, draft, django_capture_on_commit_callbacks
):
    head = api(world.head)
    version = _version(draft)
    with django_capture_on_commit_callbacks(execute=True):
        queued = _ok(
            head.post(
                RENDERINGS,
                {"version": version.pk, "variant": "confidential", "format": "pdf"},
                format="json",
            ),
            202,
        )

    done = _ok(head.get(f"{RENDERINGS}{queued['id']}/"))
    assert done["status"] == "done" and done["progress"] == 100

    download = head.get(f"{RENDERINGS}{queued['id']}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith('attachment; filename="')
    assert download["Content-Disposition"].endswith('.pdf"')
    assert download.content.startswith(b"%PDF")
    assert (
        api(world.personas["outsider"]).get(f"{RENDERINGS}{queued['id']}/download/").status_code
        == 404
    )
    assert api(world.personas["comms"]).get(f"{RENDERINGS}{queued['id']}/").status_code == 404


def test_a_dissemination_is_recorded_and_acknowledged(world, draft):
    _sign_through_api(world, draft)
    head = api(world.head)
    created = _ok(
        head.post(
            DISSEMINATIONS,
            {
                "report": draft.pk,
                "variant": "confidential",
                "authority": world.administration.pk,
                "tier": "regional",
                "channel": "email",
                "sent_on": "2026-04-02",
            },
            format="json",
        ),
        201,
    )
    assert created["version_number"] == 1

    acknowledged = _ok(
        head.post(
            f"{DISSEMINATIONS}{created['id']}/acknowledge/", {"on": "2026-04-09"}, format="json"
        )
    )

    assert acknowledged["acknowledged_on"] == "2026-04-09"
    doctor = api(world.personas["doctor"])
    assert (
        doctor.post(
            f"{DISSEMINATIONS}{created['id']}/acknowledge/", {"on": "2026-04-09"}, format="json"
        ).status_code
        == 403
    )


# -- the public listing ------------------------------------------------------------------------


def test_the_public_listing_needs_no_credentials_and_shows_only_published_reports(world, draft):
    anonymous = api()
    assert _ok(anonymous.get(PUBLIC))["count"] == 0
    assert anonymous.get(f"{PUBLIC}{draft.pk}/").status_code == 404
    _sign_through_api(world, draft)
    assert anonymous.get(f"{PUBLIC}{draft.pk}/").status_code == 404  # signed, not published
    assert anonymous.get(REPORTS).status_code in (401, 403)
    assert anonymous.post(PUBLIC, {}, format="json").status_code == 405


def test_the_schema_describes_the_reports_api_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(out), stderr=StringIO()
    )

    text = out.read_text()
    for path in (REPORTS, VERSIONS, HITS, COMMENTS, REDACTIONS, RENDERINGS, DISSEMINATIONS, PUBLIC):
        assert path in text
