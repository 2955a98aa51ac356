"""The framework pages: who reaches them, what they show, and the import form."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from habeas.assessment import framework_io
from habeas.assessment.models import Framework, FrameworkVersion
from habeas.assessment.tests.test_framework_io import DOCUMENT

LIST = reverse("assessment:framework_list")
IMPORT = reverse("assessment:framework_import")


@pytest.fixture
def spt(db) -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__code=framework_io.SPT_CODE)


def upload(document: dict | bytes, name: str = "law.json") -> SimpleUploadedFile:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


@pytest.mark.parametrize("persona", ["outsider", "admin"])
def test_it_answers_404_to_whoever_may_not_see_assessments(personas, client_for, spt, persona):
    client = client_for(personas[persona])
    detail = reverse("assessment:framework_detail", args=[spt.pk])
    for url in (LIST, detail, IMPORT):
        assert client.get(url).status_code == 404
    assert client.post(IMPORT, {"file": upload(DOCUMENT)}).status_code == 404
    assert not Framework.objects.filter(code="national-law").exists()


def test_it_answers_403_on_import_to_whoever_may_read_but_not_import(personas, client_for):
    client = client_for(personas["comms"])
    assert client.get(LIST).status_code == 200
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": upload(DOCUMENT)}).status_code == 403
    assert not Framework.objects.filter(code="national-law").exists()


def test_it_answers_404_for_a_version_that_does_not_exist(personas, client_for):
    client = client_for(personas["head"])
    response = client.get(reverse("assessment:framework_detail", args=[999_999]))
    assert response.status_code == 404


def test_it_lists_the_shipped_tool_with_its_counts(personas, client_for, spt):
    response = client_for(personas["monitor"]).get(LIST)
    page = response.content.decode()
    assert spt.framework.name in page
    assert ">38<" in page and ">31<" in page
    assert IMPORT not in page  # a monitor may not import


def test_it_shows_the_outline_with_items_and_slots(
    personas, client_for, spt, django_assert_max_num_queries
):
    client = client_for(personas["comms"])
    url = reverse("assessment:framework_detail", args=[spt.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert "IV.F. Issues related to the Constitution and legislative framework" in page
    assert "The NPM should ensure that it has inventories for all places of detention" in page
    assert 'id="criterion-25.6"' in page
    assert "Places of detention in the inventory" in page
    # Listed items appear once, as criteria, not again inside their paragraph's text.
    assert page.count("Employment and dismissal of staff;") == 1


def test_it_imports_an_uploaded_framework_and_shows_it(personas, client_for):
    client = client_for(personas["data_officer"])
    response = client.post(IMPORT, {"file": upload(DOCUMENT)})
    version = FrameworkVersion.objects.get(framework__code="national-law")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:framework_detail", args=[version.pk])
    assert "All places are listed." in client.get(response["Location"]).content.decode()


def test_it_lists_the_problems_of_a_broken_file_and_imports_nothing(personas, client_for):
    broken = copy.deepcopy(DOCUMENT)
    broken["criteria"][2]["ref"] = "Art. 1"
    broken["version"] = ""
    response = client_for(personas["head"]).post(IMPORT, {"file": upload(broken)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "version: is required" in page
    assert "criteria[2].ref: duplicate reference Art. 1" in page
    assert "Nothing has been imported." in page
    assert not Framework.objects.filter(code="national-law").exists()


def test_it_refuses_the_same_version_twice_with_a_clear_message(personas, client_for):
    client = client_for(personas["head"])
    client.post(IMPORT, {"file": upload(DOCUMENT)})
    response = client.post(IMPORT, {"file": upload(DOCUMENT)})
    assert response.status_code == 400
    assert "is already in Habeas" in response.content.decode()
    assert FrameworkVersion.objects.filter(framework__code="national-law").count() == 1


def test_it_asks_for_a_file_when_none_is_sent(personas, client_for):
    response = client_for(personas["head"]).post(IMPORT, {})
    assert response.status_code == 400
    assert FrameworkVersion.objects.count() == 1  # the shipped tool only
