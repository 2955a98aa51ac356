"""Builders shared by the reports app's tests: a small world of records made through the
services of the other apps, so every report is drafted from rows the application itself
could have written, and `report_factory` that creates a report through
`habeas.reports.services.report_create`.

The world (`report_world`):

- a region North with "Northgate Remand Prison" (category prison-sentenced, capacity
  120, units Wing A 40, Wing B 40, Wing C 3; population 100 in Feb 2024, 130 in Mar 2026),
  supervised by the Prison Administration, which reports to the Ministry of Justice;
- an earlier in-depth visit there (Feb 2024, closed) with one finding and two
  recommendations: one partially accepted and verified partially achieved, one not
  answered and verified not achieved;
- the visit (10–12 March 2026, in-depth, unannounced, debriefed) led by the head, with
  the monitor and an external expert on its team (the `expert` persona and the doctor
  are not on it): four private interviews (sealed identities and notes carry canaries;
  P-01 consents to publication), a group, a staff and a management interview; Wings A
  and B seen, Wing C not seen; findings: a corroborated, established key concern on
  conditions, a single-source urgent allegation on treatment, a single-source general
  concern on conditions, a good practice on health care; an access delay; a debrief;
  two recommendations sent (one to the administration, answered "accepted"; one urgent
  to the ministry);
- region South with a police station visited in June 2026 (closed): two private
  interviews and a single-source concern on conditions;
- one public submission about the prison (received today) and one communication with
  an NGO (in 2026).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.models import Authority, Place, Region, Unit
from habeas.places.tests.factories import (
    AuthorityFactory,
    CategoryFactory,
    PlaceFactory,
    PopulationRecordFactory,
    RegionFactory,
    UnitFactory,
)
from habeas.recommendations import services as rec_services
from habeas.recommendations.models import Priority, Recommendation, ResponseStatus
from habeas.recommendations.tests.factories import make_recommendation
from habeas.visits import services as visit_services
from habeas.visits import services_field as visit_field
from habeas.visits.models import Difficulty, Evidence, Finding, Interview, Visit
from habeas.visits.tests.factories import add_member, make_visit

# Canaries planted in confidential fields: no public text may ever contain them.
IDENTITY_CANARY = "Zoltan Canaryman"
NOTES_CANARY = "NOTES-CANARY-7731"

VISIT_STARTS = dt.date(2026, 3, 10)
VISIT_ENDS = dt.date(2026, 3, 12)
EARLIER_STARTS = dt.date(2024, 2, 5)
YEAR = 2026


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class ReportWorld:
    personas: dict[str, User]
    expert_on_team: User
    ministry: Authority
    administration: Authority
    north: Region
    south: Region
    place: Place
    units: list[Unit]
    earlier_visit: Visit
    visit: Visit
    interviews: list[Interview]
    established: Finding  # corroborated key concern, stated as fact (conditions)
    allegation: Finding  # single-source urgent concern (treatment)
    single_general: Finding  # single-source general concern (conditions)
    good_practice: Finding  # health care
    recommendations: list[Recommendation]  # of the visit: [to administration, urgent to ministry]
    earlier_recommendations: list[Recommendation]
    police: Place
    police_visit: Visit
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def head(self) -> User:
        return self.personas["head"]

    @property
    def monitor(self) -> User:
        return self.personas["monitor"]

    def unit(self, name: str) -> Unit:
        return next(u for u in self.units if u.name == name)


def interview_at(
    visit: Visit,
    actor: User,
    *,
    kind: str = Interview.Kind.PRIVATE,
    unit: Unit | None = None,
    day: dt.date | None = None,
    **data: Any,
) -> Interview:
    """An interview through `interview_create`, held on `day` (the visit's first by default)."""
    values: dict[str, Any] = {
        "kind": kind,
        "unit": unit.pk if unit else None,
        "pseudonym": data.pop("pseudonym", None) or visit_field.suggest_pseudonym(visit, kind),
        "held_at": _at(day or visit.starts_on, data.pop("hour", 10)),
        "interviewer": actor,
        "participants": 1 if kind == Interview.Kind.PRIVATE else data.pop("participants", 5),
        "consent_use": True,
        **data,
    }
    return visit_field.interview_create(actor=actor, visit=visit, data=values)


def finding_at(
    visit: Visit,
    actor: User,
    statement: str,
    *,
    evidence: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
    **data: Any,
) -> Finding:
    """A finding through `finding_create`, with its evidence through `evidence_add`;
    `established=True` is applied afterwards (only a corroborated finding may be)."""
    established = data.pop("established", False)
    values = {"theme": "conditions", "kind": "concern", "severity": "key", **data}
    finding = visit_field.finding_create(
        actor=actor, visit=visit, data={**values, "statement": statement}
    )
    for item in evidence:
        visit_field.evidence_add(actor=actor, finding=finding, data=item)
    finding.refresh_from_db()
    if established:
        finding = visit_field.finding_update(
            actor=actor,
            finding=finding,
            data={"established": True},
            expected_version=finding.version,
        )
    return finding


def _close(visit: Visit, state: str = Visit.State.CLOSED) -> Visit:
    """Move a visit past its field work directly, as the visits tests' `make_visit` does
    for a visit further along its life."""
    Visit.objects.filter(pk=visit.pk).update(state=state)
    visit.refresh_from_db()
    return visit


def _earlier_visit(head: User, place: Place, world: dict[str, Any]) -> tuple[Visit, list]:
    earlier = make_visit(
        head,
        place=place,
        starts_on=EARLIER_STARTS,
        ends_on=EARLIER_STARTS + dt.timedelta(days=1),
        state=Visit.State.IN_PROGRESS,
        themes=["conditions"],
    )
    finding = finding_at(
        earlier,
        head,
        "Cells in Wing B lack ventilation.",
        evidence=[{"source": Evidence.Source.OBSERVATION, "note": "Seen in Wing B."}],
    )
    first = make_recommendation(
        head,
        visit=earlier,
        addressee=world["administration"],
        theme="conditions",
        text="Install mechanical ventilation in every cell of Wing B.",
        deadline=dt.date(2024, 12, 31),
        findings=[finding],
    )
    second = make_recommendation(
        head,
        visit=earlier,
        addressee=world["ministry"],
        theme="safeguards",
        priority=Priority.GENERAL,
        text="Inform every detainee of their rights in a language they understand.",
        deadline=dt.date(2024, 9, 30),
    )
    rec_services.recommendation_send(
        actor=head, recommendations=[first, second], sent_on=dt.date(2024, 3, 1)
    )
    first.refresh_from_db()
    second.refresh_from_db()
    response = rec_services.response_record(
        actor=head,
        recommendation=first,
        status=ResponseStatus.PARTIALLY_ACCEPTED,
        responded_on=dt.date(2024, 4, 15),
        passage="Ventilation will be installed in half of the cells.",
    )
    rec_services.verification_record(
        actor=head,
        recommendation=first,
        status="partially_achieved",
        verified_on=dt.date(2024, 6, 1),
        evidence="response",
        response=response,
        note="Work done in half of the cells.",
    )
    _close(earlier)
    first.refresh_from_db()
    return earlier, [first, second]


def report_world(personas: dict[str, User], make_user: Any) -> ReportWorld:
    head, monitor = personas["head"], personas["monitor"]
    ministry = AuthorityFactory(name="Ministry of Justice", kind=Authority.Kind.MINISTRY)
    administration = AuthorityFactory(
        name="Prison Administration", kind=Authority.Kind.SUPERVISORY, parent=ministry
    )
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    prison = CategoryFactory(code="prison-sentenced")
    police_category = CategoryFactory(code="police-custody")
    place = PlaceFactory(
        name="Northgate Remand Prison",
        category=prison,
        region=north,
        authority=administration,
        capacity=120,
    )
    units = [
        UnitFactory(place=place, name="Wing A", capacity=40),
        UnitFactory(place=place, name="Wing B", capacity=40),
        UnitFactory(place=place, name="Wing C", capacity=3),
    ]
    PopulationRecordFactory(place=place, recorded_on=dt.date(2024, 2, 1), population=100)
    PopulationRecordFactory(place=place, recorded_on=dt.date(2026, 3, 1), population=130)
    earlier, earlier_recs = _earlier_visit(
        head, place, {"administration": administration, "ministry": ministry}
    )

    visit = make_visit(
        head,
        place=place,
        kind=Visit.Kind.IN_DEPTH,
        announced=False,
        starts_on=VISIT_STARTS,
        ends_on=VISIT_ENDS,
        themes=["conditions", "treatment"],
        objectives="Check the conditions in the remand wings.",
        state=Visit.State.IN_PROGRESS,
    )
    add_member(visit, head, head)
    add_member(visit, monitor, head)
    expert = make_user(Role.EXPERT, "expert-on-team@npm.test", full_name="Eva Expert")
    add_member(visit, expert, head, override_reason="Terms of reference signed on paper.")

    wing_a, wing_b, wing_c = units
    private = [
        interview_at(
            visit,
            monitor,
            unit=wing_a,
            pseudonym="P-01",
            identity=IDENTITY_CANARY,
            notes=f"{NOTES_CANARY} beaten at night",
            consent_publish=True,
            consent_transmit=True,
            allegation=True,
            topics=["treatment"],
        ),
        interview_at(visit, monitor, unit=wing_a, pseudonym="P-02", notes=NOTES_CANARY),
        interview_at(
            visit, monitor, unit=wing_b, pseudonym="P-03", day=VISIT_STARTS + dt.timedelta(days=1)
        ),
        interview_at(
            visit, head, unit=wing_b, pseudonym="P-04", day=VISIT_STARTS + dt.timedelta(days=1)
        ),
    ]
    others = [
        interview_at(
            visit, monitor, kind=Interview.Kind.GROUP, unit=wing_b, pseudonym="G-01", participants=6
        ),
        interview_at(visit, head, kind=Interview.Kind.STAFF, pseudonym="S-01"),
        interview_at(visit, head, kind=Interview.Kind.MANAGEMENT, pseudonym="M-01"),
    ]
    visit_field.coverage_record(actor=monitor, visit=visit, unit=wing_a, seen=True, held=38)
    visit_field.coverage_record(actor=monitor, visit=visit, unit=wing_b, seen=True, held=41)
    visit_field.coverage_record(
        actor=monitor, visit=visit, unit=wing_c, seen=False, reason="Closed for refurbishment."
    )

    established = finding_at(
        visit,
        monitor,
        "Cells in Wing B are overcrowded: three people in cells built for one.",
        unit=wing_b.pk,
        evidence=[
            {"source": Evidence.Source.PRIVATE_INTERVIEW, "interview": private[2].pk},
            {"source": Evidence.Source.OBSERVATION, "note": "Counted in Wing B."},
        ],
        established=True,
    )
    allegation = finding_at(
        visit,
        monitor,
        "detainees in Wing A were beaten during the night search",
        theme="treatment",
        severity="urgent",
        evidence=[{"source": Evidence.Source.PRIVATE_INTERVIEW, "interview": private[0].pk}],
    )
    single_general = finding_at(
        visit,
        monitor,
        "The showers in Wing A have no hot water.",
        severity="general",
        evidence=[{"source": Evidence.Source.OBSERVATION, "note": "Tested by the team."}],
    )
    good_practice = finding_at(
        visit,
        monitor,
        "Every new arrival sees a doctor within 24 hours.",
        theme="health",
        kind="good_practice",
        severity="",
    )
    visit_field.difficulty_create(
        actor=monitor,
        visit=visit,
        data={
            "kind": Difficulty.Kind.ACCESS_DELAYED,
            "occurred_at": _at(VISIT_STARTS, 8),
            "duration_minutes": 45,
            "description": "The team waited at the gate.",
        },
    )
    visit_field.debrief_save(
        actor=monitor,
        visit=visit,
        data={
            "held_at": _at(VISIT_ENDS, 16),
            "participants": "The director and her deputy.",
            "main_concerns": "Overcrowding in Wing B.",
        },
    )
    recs = [
        make_recommendation(
            head,
            visit=visit,
            addressee=administration,
            theme="conditions",
            text="Bring the number of people in each cell of Wing B down to its capacity.",
            deadline=dt.date(2026, 12, 31),
            findings=[established],
        ),
        make_recommendation(
            head,
            visit=visit,
            addressee=ministry,
            theme="treatment",
            priority=Priority.URGENT,
            text="Open an independent inquiry into the night searches of Wing A.",
            deadline=dt.date(2026, 4, 1),
        ),
    ]
    rec_services.recommendation_send(actor=head, recommendations=recs, sent_on=dt.date(2026, 3, 20))
    for rec in recs:
        rec.refresh_from_db()
    rec_services.response_record(
        actor=head,
        recommendation=recs[0],
        status=ResponseStatus.ACCEPTED,
        responded_on=dt.date(2026, 5, 1),
    )
    rec_services.verification_record(
        actor=head,
        recommendation=earlier_recs[1],
        status="not_achieved",
        verified_on=VISIT_ENDS,
        evidence="finding",
        finding=established,
        note="Seen again at the 2026 visit.",
    )
    for rec in (*recs, *earlier_recs):
        rec.refresh_from_db()
    visit = visit_services.visit_move(actor=head, visit=visit, to=Visit.State.DEBRIEFED)

    police = PlaceFactory(
        name="Southport Police Station", category=police_category, region=south, capacity=12
    )
    police_visit = make_visit(
        head,
        place=police,
        starts_on=dt.date(2026, 6, 2),
        ends_on=dt.date(2026, 6, 2),
        themes=["conditions"],
        state=Visit.State.IN_PROGRESS,
    )
    add_member(police_visit, monitor, head)
    interview_at(police_visit, monitor, pseudonym="P-01")
    interview_at(police_visit, monitor, pseudonym="P-02")
    finding_at(
        police_visit, monitor, "The custody cells have no natural light.", severity="general"
    )
    _close(police_visit)

    return ReportWorld(
        personas=personas,
        expert_on_team=expert,
        ministry=ministry,
        administration=administration,
        north=north,
        south=south,
        place=place,
        units=units,
        earlier_visit=earlier,
        visit=visit,
        interviews=[*private, *others],
        established=established,
        allegation=allegation,
        single_general=single_general,
        good_practice=good_practice,
        recommendations=recs,
        earlier_recommendations=earlier_recs,
        police=police,
        police_visit=police_visit,
    )


def add_submission(place: Place) -> Any:
    """A public submission about `place`, received today (through the public service)."""
    from habeas.intake import services as intake_services

    submission, _receipt = intake_services.submission_create(
        sender_kind="relative",
        urgency="routine",
        body="My brother says the cells are overcrowded.",
        consent="none",
        place=place,
    )
    return submission


def add_communication(actor: User, on: dt.date = dt.date(YEAR, 4, 2), **data: Any) -> Any:
    """A meeting with an NGO, through the partners' services."""
    from habeas.partners import services as partner_services

    partner = partner_services.partner_create(
        actor=actor, name=data.pop("partner_name", "Prison Watch"), kind="ngo"
    )
    return partner_services.communication_record(
        actor=actor,
        kind=data.pop("kind", "meeting"),
        occurred_on=on,
        subject=data.pop("subject", "Quarterly meeting on prison conditions"),
        partners=[partner],
        **data,
    )


def report_factory(*, kind: str, actor: User, **scope: Any) -> Any:
    """A report created through `services.report_create`; `scope` holds the kind's scope
    (visit, place, theme, period_start, period_end, year, recommendation, addressee) and
    any other field the service reads (title, language, k)."""
    from habeas.reports import services

    return services.report_create(actor=actor, data={"kind": kind, **scope})
