"""Applying an import: all rows or none, idempotent on external_ref, audited (¶9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from habeas.core.models import AuditEvent, ImportBatch
from habeas.places.importing import (
    ImportFailed,
    ImportNotApplicable,
    places_import_apply,
    places_import_preview,
)
from habeas.places.models import Place, PopulationRecord, Unit
from habeas.places.tests.factories import PlaceFactory, RegionFactory, UnitFactory
from habeas.places.tests.test_import_parser import GOOD, csv_bytes


@pytest.fixture
def officer(personas):
    return personas["data_officer"]


def preview(user, content: bytes, name: str = "places.csv") -> ImportBatch:
    return places_import_preview(actor=user, upload=SimpleUploadedFile(name, content))


def run(user, content: bytes):
    return places_import_apply(actor=user, batch=preview(user, content))


def snapshot() -> list[tuple]:
    return sorted(
        Place.objects.values_list("external_ref", "name", "version", "capacity", "status")
    )


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


def test_it_creates_places_with_groups_units_and_population(officer):
    result = run(officer, csv_bytes([GOOD, {**GOOD, "external_ref": "P-002", "name": "Second"}]))

    assert result.applied and result.summary["create"] == 2
    place = Place.objects.get(external_ref="P-001")
    assert (place.name, place.capacity, place.latitude) == (
        "Northgate Prison",
        420,
        Decimal("47.200000"),
    )
    assert sorted(place.groups.values_list("code", flat=True)) == ["foreigners", "women"]
    assert sorted(place.units.values_list("name", flat=True)) == ["Wing A", "Wing B"]
    assert place.population.get().population == 455
    assert result.batch.status == ImportBatch.Status.APPLIED


def test_it_audits_each_place_and_the_import_once(officer):
    run(officer, csv_bytes([GOOD, {**GOOD, "external_ref": "P-002"}]))

    actions = audit_actions()
    assert actions.count("place.create") == 2
    assert actions.count("places.import_apply") == 1
    assert actions.count("places.import_preview") == 1
    created = AuditEvent.objects.filter(action="place.create").first()
    assert created.object_type == "places.place" and "import" in created.detail


def test_it_changes_nothing_when_the_same_file_is_imported_twice(officer):
    content = csv_bytes([GOOD, {**GOOD, "external_ref": "P-002", "name": "Second"}])
    run(officer, content)
    before = (snapshot(), Unit.objects.count(), PopulationRecord.objects.count())
    events = AuditEvent.objects.count()

    batch = preview(officer, content)
    result = places_import_apply(actor=officer, batch=batch)

    assert [row["action"] for row in batch.report["rows"]] == ["unchanged", "unchanged"]
    assert result.summary == {"rows": 2, "create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert (snapshot(), Unit.objects.count(), PopulationRecord.objects.count()) == before
    assert Place.objects.count() == 2
    # the preview and the apply event, and no per-place event
    assert audit_actions()[events:] == ["places.import_preview", "places.import_apply"]


def test_it_updates_instead_of_duplicating_and_bumps_only_changed_places(officer):
    run(officer, csv_bytes([GOOD, {**GOOD, "external_ref": "P-002", "name": "Second"}]))
    versions = dict(Place.objects.values_list("external_ref", "version"))

    changed = {
        **GOOD,
        "capacity": "500",
        "groups": "children",
        "units": "Wing C",
        "population": "470",
    }
    result = run(officer, csv_bytes([changed, {**GOOD, "external_ref": "P-002", "name": "Second"}]))

    assert (result.summary["update"], result.summary["unchanged"]) == (1, 1)
    assert Place.objects.count() == 2
    first = Place.objects.get(external_ref="P-001")
    assert (first.capacity, first.version) == (500, versions["P-001"] + 1)
    assert Place.objects.get(external_ref="P-002").version == versions["P-002"]
    assert list(first.groups.values_list("code", flat=True)) == ["children"]  # replaced
    assert sorted(first.units.values_list("name", flat=True)) == [
        "Wing A",
        "Wing B",
        "Wing C",
    ]  # added
    assert first.population.get().population == 470  # corrected for the same date
    update = AuditEvent.objects.get(action="place.update")
    assert sorted(update.detail["fields"]) == ["capacity", "groups", "population", "units"]


def test_it_leaves_out_columns_absent_from_the_file(officer):
    place = PlaceFactory(external_ref="P-001", capacity=99, address="1 Road")

    run(officer, csv_bytes([{"external_ref": "P-001", "name": "Renamed"}]))

    place.refresh_from_db()
    assert (place.name, place.capacity, place.address, place.version) == (
        "Renamed",
        99,
        "1 Road",
        2,
    )


def test_it_records_the_closing_date_when_an_import_closes_a_place(officer):
    PlaceFactory(external_ref="P-001")

    run(officer, csv_bytes([{"external_ref": "P-001", "name": "Closed one", "status": "closed"}]))

    place = Place.objects.get(external_ref="P-001")
    assert place.status == Place.Status.CLOSED and place.closed_on is not None


def test_it_matches_units_whatever_their_case(officer):
    place = PlaceFactory(external_ref="P-001")
    UnitFactory(place=place, name="Wing A")

    run(
        officer,
        csv_bytes([{"external_ref": "P-001", "name": place.name, "units": "wing a; WING A"}]),
    )

    assert list(place.units.values_list("name", flat=True)) == ["Wing A"]


def test_it_writes_nothing_when_a_row_has_an_error(officer):
    PlaceFactory(external_ref="P-001", name="Untouched")
    before = snapshot()
    batch = preview(
        officer,
        csv_bytes([{**GOOD, "name": "Changed"}, {**GOOD, "external_ref": "P-2", "capacity": "x"}]),
    )

    result = places_import_apply(actor=officer, batch=batch)

    assert not result.applied
    assert snapshot() == before
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert "places.import_apply" not in audit_actions()


REFUSE_SQLITE = """CREATE TRIGGER refuse_place BEFORE INSERT ON places_place
WHEN NEW.name = 'Refused by the database' BEGIN SELECT RAISE(ABORT, 'refused'); END;"""
REFUSE_PG = [
    """CREATE FUNCTION refuse_place() RETURNS trigger AS $$ BEGIN
       IF NEW.name = 'Refused by the database' THEN RAISE EXCEPTION 'refused'; END IF;
       RETURN NEW; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER refuse_place BEFORE INSERT ON places_place "
    "FOR EACH ROW EXECUTE FUNCTION refuse_place();",
]


def test_it_rolls_everything_back_when_the_database_refuses_a_row_at_write_time(officer):
    PlaceFactory(external_ref="P-001", name="Untouched", capacity=10)
    before = (snapshot(), Unit.objects.count(), PopulationRecord.objects.count(), audit_actions())
    rows = [{**GOOD, "name": "Changed"}] + [{**GOOD, "external_ref": f"N-{i}"} for i in range(600)]
    rows.append({**GOOD, "external_ref": "LAST", "name": "Refused by the database"})
    batch = preview(officer, csv_bytes(rows))
    assert batch.report["summary"]["error"] == 0  # validation saw nothing wrong
    with connection.cursor() as cursor:
        for statement in REFUSE_PG if connection.vendor == "postgresql" else [REFUSE_SQLITE]:
            cursor.execute(statement)
    events_before = before[3] + ["places.import_preview"]

    with pytest.raises(ImportFailed):
        places_import_apply(actor=officer, batch=batch)

    assert (snapshot(), Unit.objects.count(), PopulationRecord.objects.count()) == before[:3]
    assert audit_actions() == events_before + ["places.import_failed"]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED


def test_it_validates_again_when_applying(officer):
    region = RegionFactory(code="NORTH")
    batch = preview(officer, csv_bytes([{**GOOD, "region": "NORTH"}]))
    region.code, region.name = "SOUTH", "South"
    region.save()

    result = places_import_apply(actor=officer, batch=batch)

    assert not result.applied
    assert Place.objects.count() == 0
    assert "not a known region" in batch.report["rows"][0]["errors"][0]["message"]


def test_it_applies_a_batch_only_once(officer):
    batch = preview(officer, csv_bytes([GOOD]))
    places_import_apply(actor=officer, batch=batch)

    with pytest.raises(ImportNotApplicable):
        places_import_apply(actor=officer, batch=batch)
    assert Place.objects.count() == 1


def test_it_lets_nobody_but_the_uploader_apply_a_batch(personas, officer):
    batch = preview(officer, csv_bytes([GOOD]))

    with pytest.raises(PermissionDenied):
        places_import_apply(actor=personas["head"], batch=batch)
    with pytest.raises(PermissionDenied):
        preview(personas["comms"], csv_bytes([GOOD]))
    assert Place.objects.count() == 0


def test_it_forgets_uploads_older_than_a_day(officer, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC))
    old = preview(officer, csv_bytes([GOOD]))
    time_machine.move_to(dt.datetime(2026, 1, 2, 10, tzinfo=dt.UTC))

    preview(officer, csv_bytes([GOOD]))

    old.refresh_from_db()
    assert old.status == ImportBatch.Status.DISCARDED and bytes(old.content) == b""
    with pytest.raises(ImportNotApplicable):
        places_import_apply(actor=officer, batch=old)


def test_its_query_count_does_not_grow_with_the_number_of_rows(officer):
    def queries(count: int, prefix: str) -> int:
        rows = [{**GOOD, "external_ref": f"{prefix}-{i}"} for i in range(count)]
        batch = preview(officer, csv_bytes(rows))
        with CaptureQueriesContext(connection) as captured:
            places_import_apply(actor=officer, batch=batch)
        return len(captured)

    small, large = queries(20, "S"), queries(400, "L")

    # Only batched INSERTs grow (SQLite caps the variables of one statement): no query per row.
    assert large <= small + 400 // 15
