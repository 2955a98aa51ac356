"""Reading and checking an import file: every bad cell named by its row and column (¶9)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habeas.core.models import ImportBatch
from habeas.places.importing import COLUMN_NAMES, places_import_preview, plan_import
from habeas.places.models import Place
from habeas.places.spreadsheets import ImportRefused, read_table, read_upload
from habeas.places.tests.factories import PlaceFactory, RegionFactory

GOOD = {
    "external_ref": "P-001",
    "name": "Northgate Prison",
    "category": "prison-remand",
    "operator": "public",
    "official": "yes",
    "status": "open",
    "latitude": "47.2",
    "longitude": "5.6",
    "capacity": "420",
    "groups": "women; foreigners",
    "units": "Wing A; Wing B",
    "last_visit_on": "2024-03-14",
    "population": "455",
    "population_date": "2025-06-30",
}


def csv_bytes(rows: list[dict[str, str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    header = list(dict.fromkeys(key for row in rows for key in row)) or list(COLUMN_NAMES)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan(content: bytes, user, name: str = "places.csv"):
    return plan_import(read_table(name=name, content=content), actor=user)


def errors_of(content: bytes, user, name: str = "places.csv") -> list[str]:
    return [str(error) for error in plan(content, user, name).errors]


@pytest.fixture
def officer(personas):
    return personas["data_officer"]


def test_it_reads_a_csv_with_a_byte_order_mark_and_semicolons(officer):
    content = csv_bytes(
        [GOOD, {**GOOD, "external_ref": "P-002", "latitude": "47,25"}], delimiter=";", bom=True
    )

    result = plan(content, officer)

    assert result.errors == []
    assert [row.action for row in result.rows] == ["create", "create"]
    assert str(result.rows[1].cells["latitude"]) == "47.250000"  # decimal comma understood


def test_it_reads_an_xlsx_workbook_built_by_openpyxl(officer):
    content = xlsx_bytes(
        [
            ["External ref", "Name", "Category", "Capacity", "Last_visit_on"],
            ["X-1", "Harbour police station", "Police custody", 12, None],
            [1002, "Remand prison", "prison-remand", 300.0, "2023-01-05"],
        ]
    )

    result = plan(content, officer, "list.xlsx")

    assert result.errors == []
    assert [row.cells["external_ref"] for row in result.rows] == ["X-1", "1002"]
    assert result.rows[1].cells["capacity"] == 300


def test_it_refuses_a_file_without_a_required_column(officer):
    content = csv_bytes([{"name": "A prison", "category": "prison-remand"}])

    with pytest.raises(ImportRefused, match="external_ref"):
        plan(content, officer)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            "category",
            "prisn",
            "Row 2, category: “prisn” is not a known category. Known: prison-remand,",
        ),
        ("region", "Atlantis", "Row 2, region: “Atlantis” is not a known region."),
        (
            "authority",
            "Ministry of Magic",
            "Row 2, authority: “Ministry of Magic” is not a known authority.",
        ),
        ("operator", "charity", "Row 2, operator: “charity” is not one of: public, private."),
        ("official", "perhaps", "Row 2, official: “perhaps” is not yes or no."),
        ("status", "shut", "Row 2, status: “shut” is not one of: open, closed."),
        ("latitude", "91", "Row 2, latitude: “91” is not a number from -90 to 90."),
        ("longitude", "east", "Row 2, longitude: “east” is not a number from -180 to 180."),
        ("capacity", "-5", "Row 2, capacity: “-5” is not a whole number of 0 or more."),
        ("capacity", "12.5", "Row 2, capacity: “12.5” is not a whole number of 0 or more."),
        ("groups", "women; giants", "Row 2, group"),
        (
            "last_visit_on",
            "14/03/2024",
            "Row 2, last_visit_on: “14/03/2024” is not a date written YYYY-MM-DD.",
        ),
        ("last_visit_on", "2999-01-01", "Row 2, last_visit_on: 2999-01-01 is in the future."),
        ("population", "many", "Row 2, population: “many” is not a whole number of 0 or more."),
        ("name", "", "Row 2, name: is required."),
        ("name", "x" * 301, "Row 2, name: is longer than 300 characters."),
    ],
)
def test_it_names_the_row_and_column_of_each_bad_cell(officer, column, value, expected):
    content = csv_bytes(
        [GOOD, {**GOOD, "external_ref": "P-002"}, {**GOOD, "external_ref": "P-003", column: value}]
    )

    found = errors_of(content, officer)

    assert len(found) == 1
    assert found[0].replace("Row 4", "Row 2").startswith(expected)
    assert found[0].startswith("Row 4, ")  # header is row 1, so the third place is row 4


def test_it_prefers_a_code_to_a_name_spelt_the_same(officer):
    upland = RegionFactory(code="NORTH", name="Upland")
    RegionFactory(code="R9", name="North")

    result = plan(
        csv_bytes(
            [{**GOOD, "region": "north"}, {**GOOD, "external_ref": "P-2", "region": "Upland"}]
        ),
        officer,
    )

    assert [row.cells["region"] for row in result.rows] == [upland.pk, upland.pk]


def test_it_asks_for_the_code_when_a_name_is_shared(officer):
    RegionFactory(code="C1", name="Central")
    RegionFactory(code="C2", name="Central")

    found = errors_of(csv_bytes([{**GOOD, "region": "central"}]), officer)

    assert found == ["Row 2, region: “central” is the name of more than one region; use its code."]


def test_it_collects_every_error_of_every_row_at_once(officer):
    content = csv_bytes(
        [
            {**GOOD, "category": "prisn", "capacity": "lots"},
            GOOD | {"external_ref": "P-002"},
            {**GOOD, "external_ref": "", "latitude": "100", "longitude": ""},
        ]
    )

    found = errors_of(content, officer)

    assert "Row 2, category" in found[0]
    assert "Row 2, capacity" in found[1]
    assert {e.split(":")[0] for e in found[2:]} == {
        "Row 4, latitude",
        "Row 4, external_ref",
        "Row 4, longitude",
    }


def test_it_reports_an_external_ref_used_twice_in_the_file(officer):
    content = csv_bytes([GOOD, {**GOOD, "name": "Other"}, {**GOOD, "external_ref": "P-009"}])

    found = errors_of(content, officer)

    assert found == ["Row 3, external_ref: “P-001” is already used on row 2."]


def test_it_warns_about_unknown_columns_without_refusing_the_row(officer):
    content = csv_bytes([{**GOOD, "colour": "blue"}])

    result = plan(content, officer)

    assert result.errors == []
    assert result.warnings == ["Column “colour” is not known and was ignored."]


def test_it_wants_population_and_its_date_together(officer):
    content = csv_bytes([{**GOOD, "population_date": ""}])

    assert errors_of(content, officer) == [
        "Row 2, population_date: is required when population is given."
    ]


def test_it_requires_a_category_only_for_a_new_place(officer):
    PlaceFactory(external_ref="OLD-1")
    content = csv_bytes(
        [{"external_ref": "OLD-1", "name": "Renamed"}, {"external_ref": "NEW-1", "name": "New"}]
    )

    assert errors_of(content, officer) == ["Row 3, category: is required for a new place."]


def test_it_counts_rows_as_the_spreadsheet_shows_them_past_blank_lines(officer):
    content = b"external_ref,name,category\nA,One,prison-remand\n\n,,\nB,Two,prisn\n"

    assert [e.split(":")[0] for e in errors_of(content, officer)] == ["Row 5, category"]


def test_it_undoes_the_apostrophe_an_export_puts_before_a_formula(officer):
    content = csv_bytes([{**GOOD, "name": '\'=HYPERLINK("x")'}])

    assert plan(content, officer).rows[0].cells["name"] == '=HYPERLINK("x")'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("places.csv", b"", "empty"),
        ("places.csv", b" \n\n", "empty"),
        ("places.pdf", b"%PDF-1.4 hello", "Upload a CSV file"),
        ("places.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Excel format"),
        ("places.xlsx", b"PK\x03\x04 not really a zip", "damaged"),
        ("places.xlsx", b"just text", "damaged"),
        ("places.csv", "name;é\n".encode("latin-1"), "UTF-8"),
        ("places.csv", b"external_ref,name\x00\n", "not text"),
    ],
)
def test_it_refuses_unreadable_files_with_a_plain_message(officer, name, content, message):
    with pytest.raises(ImportRefused, match=message):
        read_upload_and_table(name, content)
    with pytest.raises(ImportRefused):
        places_import_preview(actor=officer, upload=SimpleUploadedFile(name, content))
    assert ImportBatch.objects.count() == 0


def read_upload_and_table(name: str, content: bytes):
    return read_table(name=name, content=read_upload(SimpleUploadedFile(name, content)))


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(settings):
    settings.HABEAS_IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.csv", b"external_ref,name\n" + b"A,B\n" * 100)

    with pytest.raises(ImportRefused, match="larger than"):
        read_upload(upload)


def test_it_refuses_a_zip_bomb_before_decompressing_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 60_000_000 + b"/>")
    content = buffer.getvalue()
    assert len(content) < 200_000

    with pytest.raises(ImportRefused, match="unpacks to far more"):
        read_table(name="bomb.xlsx", content=content)


def test_it_refuses_a_column_named_twice(officer):
    with pytest.raises(ImportRefused, match="more than once: name"):
        plan(b"external_ref,name,Name\nA,B,C\n", officer)


def test_it_plans_an_update_and_names_what_changes(officer):
    PlaceFactory(external_ref="P-001", name="Old name", capacity=420)
    content = csv_bytes([{"external_ref": "P-001", "name": "New name", "capacity": "420"}])

    row = plan(content, officer).rows[0]

    assert (row.action, row.changes) == ("update", ["name"])
    assert Place.objects.get(external_ref="P-001").name == "Old name"


CELL = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.lists(CELL, min_size=len(COLUMN_NAMES), max_size=len(COLUMN_NAMES)),
        min_size=1,
        max_size=4,
    )
)
def test_it_never_crashes_on_random_text_cells(officer, cells):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMN_NAMES)
    writer.writerows(cells)

    try:
        result = plan(out.getvalue().encode(), officer)
    except ImportRefused:
        return  # e.g. every row blank: refused with a message, never a crash
    for row in result.rows:
        assert row.action in {"create", "update", "unchanged"} or row.errors
        assert all(error.column in COLUMN_NAMES for error in row.errors)


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=300), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt"]))
def test_it_reads_random_bytes_or_refuses_them_plainly(content, name):
    try:
        read_table(name=name, content=b"PK\x03\x04" + content if name == "a.xlsx" else content)
    except ImportRefused as refused:
        assert refused.message
