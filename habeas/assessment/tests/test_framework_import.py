"""framework_import: all-or-nothing, never twice the same version, audited."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied

from habeas.assessment import framework_io
from habeas.assessment.framework_io import InvalidFramework
from habeas.assessment.models import Criterion, Framework, FrameworkVersion, Section
from habeas.assessment.services_frameworks import framework_import
from habeas.assessment.tests.test_framework_io import DOCUMENT
from habeas.core.models import AuditEvent


def encode(document: dict) -> bytes:
    return json.dumps(document).encode()


def test_it_imports_sections_criteria_items_and_slots(personas):
    version = framework_import(
        actor=personas["data_officer"], document=encode(DOCUMENT), filename="law.json"
    )
    assert version.framework.code == "national-law"
    assert version.imported_by == personas["data_officer"]
    assert [s.ref for s in version.sections.all()] == ["1", "1.A"]
    assert version.sections.get(ref="1.A").parent.ref == "1"
    item = version.criteria.get(ref="Art. 1.1")
    assert (item.kind, item.parent.ref, item.section.ref) == ("item", "Art. 1", "1")
    slot = version.criteria.get(ref="Art. 2").slots.get()
    assert (slot.key, slot.unit) == ("places-in-inventory", "places")


def test_it_audits_the_import_without_the_text(personas):
    version = framework_import(
        actor=personas["head"], document=encode(DOCUMENT), filename="law.json"
    )
    event = AuditEvent.objects.get(action="framework.import")
    assert (event.actor, event.object_id) == (personas["head"], str(version.pk))
    assert event.detail["version"] == "2024" and event.detail["criteria"] == 3
    assert "All places are listed" not in json.dumps(event.detail)


@pytest.mark.parametrize("persona", ["monitor", "comms", "admin", "auditor", "outsider"])
def test_it_refuses_whoever_may_not_import_frameworks(personas, persona):
    with pytest.raises(PermissionDenied):
        framework_import(actor=personas[persona], document=encode(DOCUMENT), filename="x.json")
    assert not Framework.objects.filter(code="national-law").exists()


def test_it_refuses_a_version_already_imported_and_leaves_it_untouched(personas):
    head = personas["head"]
    first = framework_import(actor=head, document=encode(DOCUMENT), filename="law.json")
    edited = copy.deepcopy(DOCUMENT)
    edited["criteria"][2]["text"] = "Rewritten."
    with pytest.raises(InvalidFramework) as refused:
        framework_import(actor=head, document=encode(edited), filename="law.json")
    assert "Version 2024 of the framework national-law is already in Habeas" in str(refused.value)
    assert first.criteria.get(ref="Art. 2").text == "All places are listed."
    assert AuditEvent.objects.filter(action="framework.import").count() == 1


def test_it_refuses_the_shipped_spt_tool_a_second_time(personas):
    with pytest.raises(InvalidFramework):
        framework_import(
            actor=personas["head"],
            document=framework_io.SPT_FILE.read_bytes(),
            filename=framework_io.SPT_FILE.name,
        )
    assert FrameworkVersion.objects.filter(framework__code=framework_io.SPT_CODE).count() == 1


def test_it_imports_a_revision_as_a_new_version_of_the_same_framework(personas):
    head = personas["head"]
    framework_import(actor=head, document=encode(DOCUMENT), filename="law.json")
    revision = copy.deepcopy(DOCUMENT)
    revision["version"] = "2025"
    revision["criteria"][2]["text"] = "All places are listed, official or not."
    framework_import(actor=head, document=encode(revision), filename="law-2025.json")
    versions = FrameworkVersion.objects.filter(framework__code="national-law")
    assert sorted(versions.values_list("version", flat=True)) == ["2024", "2025"]
    texts = Criterion.objects.filter(framework_version__in=versions, ref="Art. 2")
    assert sorted(texts.values_list("text", flat=True)) == [
        "All places are listed, official or not.",
        "All places are listed.",
    ]


def test_it_writes_nothing_when_one_criterion_is_wrong(personas):
    broken = copy.deepcopy(DOCUMENT)
    broken["criteria"][2]["section"] = "missing"
    before = (Section.objects.count(), Criterion.objects.count())
    with pytest.raises(InvalidFramework):
        framework_import(actor=personas["head"], document=encode(broken), filename="law.json")
    assert not Framework.objects.filter(code="national-law").exists()
    assert (Section.objects.count(), Criterion.objects.count()) == before
    assert not AuditEvent.objects.filter(action="framework.import").exists()
