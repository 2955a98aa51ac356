"""Writing to the allegations register (¶27): rights, references, the order of the steps,
whitelisted fields, optimistic locking, the audit, and links to case files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from habeas.cases import services_register as services
from habeas.cases.models import RegisterEntry
from habeas.cases.tests.factories import make_case
from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory, RegionFactory

pytestmark = pytest.mark.django_db
D = dt.date


def create(actor, **data) -> RegisterEntry:
    return services.register_entry_create(actor=actor, data=data)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# Creating ---------------------------------------------------------------------------


def test_it_numbers_entries_by_year_and_audits_each_once(personas):
    year = timezone.localdate().year

    first = create(personas["monitor"], complaint_on=D(2024, 1, 1))
    second = create(personas["data_officer"])

    assert (first.reference, second.reference) == (f"R-{year}-0001", f"R-{year}-0002")
    assert [event.object_id for event in events("cases.register.create")] == [
        str(first.pk),
        str(second.pk),
    ]
    assert first.created_by == personas["monitor"]


def test_it_numbers_past_ten_thousand_in_order(personas):
    year = timezone.localdate().year
    RegisterEntry.objects.create(reference=f"R-{year}-9999", created_by=personas["head"])
    RegisterEntry.objects.create(reference=f"R-{year}-10000", created_by=personas["head"])

    assert create(personas["head"]).reference == f"R-{year}-10001"


def test_it_takes_category_and_region_from_the_place_unless_given(personas):
    place = PlaceFactory()
    elsewhere = RegionFactory()

    taken = create(personas["head"], place=place)
    given = create(personas["head"], place=place, region=elsewhere)

    assert (taken.category, taken.region) == (place.category, place.region)
    assert (given.category, given.region) == (place.category, elsewhere)


@pytest.mark.parametrize("who", ["doctor", "comms", "expert", "admin", "auditor", "outsider"])
def test_it_refuses_those_who_may_not_change_the_register(personas, who):
    with pytest.raises(PermissionDenied):
        create(personas[who], complaint_on=D(2024, 1, 1))

    assert not RegisterEntry.objects.exists()


def test_it_writes_only_the_whitelisted_fields(personas):
    entry = create(
        personas["monitor"],
        complaint_on=D(2024, 1, 1),
        reference="R-1999-0001",
        created_by=personas["head"],
        version=99,
        id=424242,
    )

    assert entry.reference != "R-1999-0001"
    assert (entry.created_by, entry.version) == (personas["monitor"], 1)
    assert entry.pk != 424242


# The order of the steps -------------------------------------------------------------


def test_it_refuses_a_decision_before_the_complaint_and_says_why(personas):
    with pytest.raises(ValidationError) as refused:
        create(personas["head"], complaint_on=D(2024, 3, 1), decision_on=D(2024, 2, 1))

    assert refused.value.message_dict == {
        "decision_on": ["The decision cannot come before the complaint (2024-03-01)."]
    }
    assert not RegisterEntry.objects.exists()


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"alleged_on": D(2024, 2, 1), "complaint_on": D(2024, 1, 1)}, "complaint_on"),
        ({"complaint_on": D(2024, 2, 1), "investigation_on": D(2024, 1, 1)}, "investigation_on"),
        ({"investigation_on": D(2024, 2, 1), "prosecution_on": D(2024, 1, 1)}, "prosecution_on"),
        ({"complaint_on": D(2024, 2, 1), "prosecution_on": D(2024, 1, 1)}, "prosecution_on"),
        ({"prosecution_on": D(2024, 2, 1), "decision_on": D(2024, 1, 31)}, "decision_on"),
    ],
)
def test_it_refuses_any_step_before_an_earlier_one(personas, dates, field):
    with pytest.raises(ValidationError) as refused:
        create(personas["head"], **dates)

    assert list(refused.value.message_dict) == [field]


def test_it_refuses_a_step_in_the_future(personas):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        create(personas["head"], complaint_on=tomorrow)

    assert refused.value.message_dict == {
        "complaint_on": ["The date of the complaint cannot be in the future."]
    }


def test_it_accepts_skipped_steps_and_steps_on_the_same_day(personas):
    entry = create(
        personas["head"],
        complaint_on=D(2024, 1, 1),
        prosecution_on=D(2024, 1, 1),
        decision_on=D(2024, 1, 5),
    )

    assert entry.investigation_on is None and entry.decision_on == D(2024, 1, 5)


def test_it_checks_the_order_against_what_is_already_recorded(personas):
    entry = create(personas["head"], complaint_on=D(2024, 3, 1))

    with pytest.raises(ValidationError) as refused:
        services.register_entry_update(
            actor=personas["head"],
            entry=entry,
            data={"decision_on": D(2024, 1, 1)},
            expected_version=1,
        )

    assert "decision_on" in refused.value.message_dict
    entry.refresh_from_db()
    assert (entry.decision_on, entry.version) == (None, 1)


# Editing ------------------------------------------------------------------------------


def test_it_edits_with_the_version_and_audits_the_fields_changed(personas):
    entry = create(personas["head"], complaint_on=D(2024, 1, 1))
    agency = AuthorityFactory()

    services.register_entry_update(
        actor=personas["monitor"],
        entry=entry,
        data={"agency": agency, "outcome": RegisterEntry.Outcome.CONVICTED, "version": 50},
        expected_version=1,
    )

    entry.refresh_from_db()
    assert (entry.agency, entry.outcome, entry.version) == (agency, "convicted", 2)
    (event,) = events("cases.register.update")
    assert sorted(event.detail["fields"]) == ["agency", "outcome"]


def test_it_refuses_a_stale_edit_and_audits_the_refusal(personas):
    entry = create(personas["head"], legislation_ref="Penal code art. 1")
    services.register_entry_update(
        actor=personas["head"], entry=entry, data={"legislation_ref": "First"}, expected_version=1
    )

    with pytest.raises(StaleEdit):
        services.register_entry_update(
            actor=personas["monitor"],
            entry=entry,
            data={"legislation_ref": "Second"},
            expected_version=1,
        )

    entry.refresh_from_db()
    assert (entry.legislation_ref, entry.version) == ("First", 2)
    assert len(events("cases.register.update_stale")) == 1


def test_it_refuses_an_edit_by_a_reader(personas):
    entry = create(personas["head"])

    with pytest.raises(PermissionDenied):
        services.register_entry_update(
            actor=personas["doctor"], entry=entry, data={"legislation_ref": "x"}, expected_version=1
        )


def test_a_new_place_brings_its_category_and_region(personas):
    entry = create(personas["head"], place=PlaceFactory())
    moved = PlaceFactory()

    services.register_entry_update(
        actor=personas["head"], entry=entry, data={"place": moved}, expected_version=1
    )

    entry.refresh_from_db()
    assert (entry.category, entry.region) == (moved.category, moved.region)


# Links to case files ----------------------------------------------------------------------


def test_it_links_a_case_its_author_can_see(personas):
    case = make_case(personas["monitor"])

    entry = create(personas["monitor"], case=case)

    assert entry.case == case


def test_it_refuses_a_case_its_author_cannot_see(personas):
    hidden = make_case(personas["doctor"])

    with pytest.raises(ValidationError) as refused:
        create(personas["monitor"], case=hidden)

    assert list(refused.value.message_dict) == ["case"]
    assert not RegisterEntry.objects.exists()


def test_it_keeps_a_link_the_editor_cannot_see(personas):
    case = make_case(personas["monitor"])
    entry = create(personas["monitor"], case=case)
    mine = make_case(personas["head"])

    for data in ({"case": None}, {"case": mine}):
        services.register_entry_update(
            actor=personas["head"],
            entry=entry,
            data={**data, "legislation_ref": "Law 12"},
            expected_version=entry.version,
        )

    entry.refresh_from_db()
    assert (entry.case, entry.legislation_ref) == (case, "Law 12")


def test_a_grantee_can_unlink_the_case(personas):
    case = make_case(personas["monitor"])
    entry = create(personas["monitor"], case=case)

    services.register_entry_update(
        actor=personas["monitor"], entry=entry, data={"case": None}, expected_version=1
    )

    entry.refresh_from_db()
    assert entry.case is None
