"""The confidential package of exchanges with the SPT (¶3, 30; OPCAT art. 12(b), 16(1)):
its content, its marking on every page, no identity from a linked case, its audit and
who may make it."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape
from weasyprint import HTML

from habeas.cases.tests.factories import CANARY_ACTS, CANARY_VICTIM, grant, make_case
from habeas.core.models import AuditEvent
from habeas.partners import exporting, services
from habeas.partners.models import Communication, PartnerKind
from habeas.partners.tests.factories import (
    CANARY_DETAILS,
    make_communication,
    make_legislation,
    make_partner,
    make_spt,
)
from habeas.recommendations.tests.factories import make_sent

pytestmark = pytest.mark.django_db

MARKING = "CONFIDENTIAL — under OPCAT"
SECRET_SUBJECT = "Information transmitted under the SPT reprisals policy"


def open_package(data: bytes) -> tuple[dict[str, Any], bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["exchanges.pdf", "manifest.json"]
        return json.loads(archive.read("manifest.json")), archive.read("exchanges.pdf")


def page_texts(html: str) -> list[list[str]]:
    """The text WeasyPrint lays out on each page, margin boxes included."""
    document: Any = HTML(
        string=html, base_url=exporting.STATIC_BASE, url_fetcher=exporting.StaticOnlyFetcher()
    ).render()
    return [
        [box.text for box in page._page_box.descendants() if hasattr(box, "text")]
        for page in document.pages
    ]


@pytest.fixture
def world(personas) -> dict[str, Any]:
    head, monitor = personas["head"], personas["monitor"]
    spt = make_spt(head)
    ngo = make_partner(head)
    case = make_case(monitor, victim=CANARY_VICTIM)
    grant(monitor, case, head, identity=True)
    hidden_case = make_case(monitor)  # the head is not granted on this one
    recommendation = make_sent(head, text="Keep a register of every use of restraint.")
    item = make_legislation(head, title="Bill on police custody")
    day = dt.date(2025, 6, 10)
    secret = make_communication(
        head,
        partners=[spt],
        occurred_on=day,
        kind=Communication.Kind.LETTER,
        direction=Communication.Direction.OUTGOING,
        subject=SECRET_SUBJECT,
        confidential=True,
        cases=[case],
        recommendations=[recommendation],
        legislation=[item],
    )
    services.communication_update(
        actor=monitor, communication=secret, expected_version=1, cases=[case, hidden_case]
    )
    earlier = make_communication(
        head, partners=[spt], occurred_on=dt.date(2024, 1, 5), subject="Annual report sent"
    )
    with_ngo = make_communication(
        head, partners=[ngo], occurred_on=day, subject="Meeting with the Circle"
    )
    return {
        "spt": spt,
        "ngo": ngo,
        "case": case,
        "hidden_case": hidden_case,
        "recommendation": recommendation,
        "item": item,
        "secret": secret,
        "earlier": earlier,
        "with_ngo": with_ngo,
    }


def test_it_packages_every_exchange_with_the_body_in_the_period_confidential_ones_included(
    personas, world
):
    data = services.spt_package(
        actor=personas["head"],
        partner=world["spt"],
        since=dt.date(2025, 1, 1),
        until=dt.date(2025, 12, 31),
    )

    manifest, pdf = open_package(data)
    assert pdf.startswith(b"%PDF-")
    assert manifest["marking"] == MARKING
    assert manifest["counts"]["communications"] == 1
    [entry] = manifest["communications"]
    secret = world["secret"]
    assert entry["reference"] == secret.reference
    assert (entry["date"], entry["kind"], entry["direction"]) == ("2025-06-10", "letter", "out")
    assert entry["subject"] == SECRET_SUBJECT
    assert entry["details"] == CANARY_DETAILS
    assert entry["confidential"] is True
    assert entry["recommendations"] == [
        {"reference": world["recommendation"].reference, "text": world["recommendation"].text}
    ]
    assert entry["legislation"][0]["reference"] == world["item"].reference
    assert manifest["period"] == {"since": "2025-01-01", "until": "2025-12-31"}


def test_without_a_period_it_holds_every_exchange_with_that_body_only(personas, world):
    manifest, _pdf = open_package(
        services.spt_package(actor=personas["head"], partner=world["spt"])
    )

    references = [entry["reference"] for entry in manifest["communications"]]
    assert references == [world["earlier"].reference, world["secret"].reference]


def test_a_linked_case_contributes_its_reference_only_and_only_if_the_exporter_is_granted(
    personas, world
):
    data = services.spt_package(actor=personas["head"], partner=world["spt"])

    manifest, _pdf = open_package(data)
    entry = manifest["communications"][-1]
    assert entry["cases"] == [world["case"].reference]
    text = json.dumps(manifest, ensure_ascii=False)
    assert world["hidden_case"].reference not in text
    content = exporting.package_content(actor=personas["head"], partner=world["spt"])
    html = exporting.package_html(content)
    for canary in (CANARY_VICTIM, CANARY_ACTS, "Born 1990", "Officer Canary Brack"):
        assert canary not in text
        assert canary not in html
        assert canary.encode() not in data
    assert world["case"].reference in html
    assert world["hidden_case"].reference not in html


def test_every_page_is_marked_confidential_under_opcat(personas, world):
    head = personas["head"]
    for day in range(1, 13):
        make_communication(
            head,
            partners=[world["spt"]],
            occurred_on=dt.date(2025, 3, day),
            subject=f"Exchange {day}",
            details="A long account of the exchange. " * 120,
        )

    html = exporting.package_html(exporting.package_content(actor=head, partner=world["spt"]))
    pages = page_texts(html)

    assert len(pages) > 3
    for number, texts in enumerate(pages, start=1):
        assert texts.count(MARKING) >= 2, f"page {number} is not marked at head and foot"
    assert escape(CANARY_DETAILS) in html
    assert world["with_ngo"].subject not in html


def test_the_export_is_audited_with_its_counts_never_its_content(personas, world):
    services.spt_package(actor=personas["head"], partner=world["spt"], since=dt.date(2025, 1, 1))

    [event] = AuditEvent.objects.filter(action="partners.spt_package.export")
    assert event.actor == personas["head"]
    assert event.object_id == str(world["spt"].pk)
    assert event.detail["communications"] == 1
    assert event.detail["confidential"] == 1
    assert event.detail["cases"] == 1
    assert event.detail["since"] == "2025-01-01"
    for content in (SECRET_SUBJECT, CANARY_DETAILS, world["recommendation"].text):
        assert content not in json.dumps(event.detail, ensure_ascii=False)


@pytest.mark.parametrize(
    "who", ("monitor", "comms", "data_officer", "doctor", "auditor", "expert", "admin")
)
def test_only_the_head_may_make_the_package(personas, world, who):
    with pytest.raises(PermissionDenied):
        services.spt_package(actor=personas[who], partner=world["spt"])

    assert not AuditEvent.objects.filter(action="partners.spt_package.export").exists()


def test_it_is_made_only_for_an_international_body_and_a_sound_period(personas, world):
    head = personas["head"]
    with pytest.raises(ValidationError) as not_international:
        services.spt_package(actor=head, partner=world["ngo"])
    with pytest.raises(ValidationError) as backwards:
        services.spt_package(
            actor=head, partner=world["spt"], since=dt.date(2025, 2, 1), until=dt.date(2025, 1, 1)
        )

    assert "partner" in not_international.value.message_dict
    assert "until" in backwards.value.message_dict
    cpt = make_partner(head, name="CPT", kind=PartnerKind.CPT, acronym="CPT")
    manifest, _pdf = open_package(services.spt_package(actor=head, partner=cpt))
    assert manifest["communications"] == []
    assert exporting.package_filename(cpt, dt.date(2025, 1, 1), None) == (
        "exchanges-cpt-2025-01-01-confidential.zip"
    )
