"""Property tests of the import parser (SECURITY.md 20): whatever a file holds, the
import answers with a plain refusal or row errors, never a crash."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habeas.assessment import exchange
from habeas.assessment.tests.test_report import build_assessment
from habeas.places.spreadsheets import ImportRefused

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
REFS = st.sampled_from(["1", "2", "2.1", "2.2", "3", "99", ""]) | JSON
TEXTS = st.sampled_from(list(exchange.LEVELS) + ["mostly", "", "Fully in place"]) | JSON
RATING = st.fixed_dictionaries(
    {}, optional={"ref": REFS, "level": TEXTS, "reason": JSON, "narrative": JSON}
)
ACTION = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON,
        "ref": REFS,
        "title": JSON,
        "owner": st.sampled_from(["monitor@npm.test", "nobody@x.test"]) | JSON,
        "deadline": st.sampled_from(["2025-06-30", "30/06/2025"]) | JSON,
        "status": TEXTS,
    },
)


@pytest.fixture
def assessment(personas):
    return build_assessment(personas["monitor"])


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=300))
def test_it_refuses_arbitrary_bytes_plainly(content):
    with contextlib.suppress(ImportRefused):
        exchange.read_file(name="upload.xlsx", content=content)


@settings(max_examples=30, deadline=None)
@given(member=st.binary(max_size=200))
def test_it_refuses_a_damaged_workbook_plainly(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("[Content_Types].xml", member)
        workbook.writestr("xl/workbook.xml", member)
    with pytest.raises(ImportRefused):
        exchange.read_file(name="upload.xlsx", content=buffer.getvalue())


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_it_answers_any_json_with_row_errors_or_a_refusal(assessment, data):
    version = assessment.framework_version
    document = {
        "format": exchange.FORMAT,
        "framework": {"code": version.framework.code, "version": version.version},
        "assessment": data.draw(JSON),
        "ratings": data.draw(st.lists(RATING | JSON, max_size=6)),
        "action_items": data.draw(st.lists(ACTION | JSON, max_size=3)),
    }
    content = json.dumps(document).encode()
    try:
        plan = exchange.plan_import(
            exchange.read_file(name="a.json", content=content), assessment=assessment
        )
    except ImportRefused:
        return
    for row in plan.rows:
        assert all(error.startswith(row.where) for error in row.errors)
    json.dumps(plan.report(assessment))  # the report is stored as JSON
