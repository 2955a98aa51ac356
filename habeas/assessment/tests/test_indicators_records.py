"""Figures from recommendations, legislation, submissions, the strategy, the budget and
training, each on a small world built by hand with the count written beside it
(¶5, 12, 20, 22, 24, 28, 33, 35, 37). The period is 2024 unless a test says otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from habeas.assessment import framework_io
from habeas.assessment.indicators import indicator_values
from habeas.assessment.models import FrameworkVersion
from habeas.assessment.tests.factories import AssessmentFactory
from habeas.intake.models import Message, ReplyBy, Submission
from habeas.intake.tests.factories import make_submission
from habeas.legislation.models import ItemKind, LegislationItem, Opinion
from habeas.places.models import Category
from habeas.places.tests.factories import PlaceFactory
from habeas.recommendations.models import (
    Origin,
    Recommendation,
    Response,
    ResponseStatus,
    Verification,
)
from habeas.strategy.models import Activity, ActivityKind, BudgetLine, Objective
from habeas.visits.models import TeamAssignment, Training, TrainingRecord, Visit

D = dt.date


@pytest.fixture
def spt(db):
    return FrameworkVersion.objects.get(framework__code=framework_io.SPT_CODE)


@pytest.fixture
def assessment(spt):
    return AssessmentFactory(framework_version=spt)


def value(assessment, key: str) -> Decimal | None:
    return next(r.value for r in indicator_values(assessment=assessment) if r.slot.key == key)


def test_every_figure_is_no_data_when_habeas_holds_no_records(assessment):
    filled = [r.slot.key for r in indicator_values(assessment=assessment) if r.filled]
    assert filled == []


# Recommendations (¶20, 22, 24) -----------------------------------------------------------


def recommendation(actor, ref, *, sent_on, due=None, origin=Origin.OWN_VISIT, state="sent"):
    return Recommendation.objects.create(
        reference=ref,
        text=f"Recommendation {ref}",
        origin=origin,
        state=state,
        sent_on=sent_on,
        response_due=due,
        created_by=actor,
    )


def respond(actor, rec, status, on) -> Response:
    return Response.objects.create(
        recommendation=rec, status=status, responded_on=on, recorded_by=actor
    )


def verify(actor, rec, status, on, response) -> None:
    Verification.objects.create(
        recommendation=rec,
        status=status,
        verified_on=on,
        evidence=Verification.Evidence.RESPONSE,
        response=response,
        recorded_by=actor,
    )


def test_it_counts_recommendations_issued_answered_on_time_and_implemented(assessment, personas):
    """Own recommendations sent in 2024: R1, R2, R3, R4, R8 → issued 5 (R5 is the SPT's,
    R6 was sent in 2023, R7 is a draft). With a response: R1, R2, R8 (R3's "no reply"
    is none) → 3 of 5 = 60 %. Due in 2024: R1 on time, R2 late, R3 no reply, R6 late,
    R8 on time → 2 of 5 = 40 %. Verified in 2024: R1 (partly, then achieved), R5
    achieved, R2 not achieved (its achieved was in 2023) → 2 of 3 = 66.67 %, and 2
    verified as achieved; R6's verification of 2025 is outside."""
    head = personas["head"]
    r1 = recommendation(head, "R1", sent_on=D(2024, 2, 1), due=D(2024, 4, 1))
    r2 = recommendation(head, "R2", sent_on=D(2024, 3, 1), due=D(2024, 5, 1))
    r3 = recommendation(head, "R3", sent_on=D(2024, 7, 1), due=D(2024, 9, 1))
    recommendation(head, "R4", sent_on=D(2024, 10, 1), due=D(2025, 1, 15))
    r5 = recommendation(head, "R5", sent_on=D(2024, 5, 1), origin=Origin.SPT)
    r6 = recommendation(head, "R6", sent_on=D(2023, 11, 1), due=D(2024, 1, 10))
    recommendation(head, "R7", sent_on=None, state="draft")
    r8 = recommendation(head, "R8", sent_on=D(2024, 8, 1), due=D(2024, 12, 31))
    a1 = respond(head, r1, ResponseStatus.ACCEPTED, D(2024, 3, 15))
    a2 = respond(head, r2, ResponseStatus.PARTIALLY_ACCEPTED, D(2024, 6, 1))
    respond(head, r3, ResponseStatus.NO_REPLY, D(2024, 9, 2))
    a5 = respond(head, r5, ResponseStatus.ACCEPTED, D(2024, 5, 10))
    a6 = respond(head, r6, ResponseStatus.REJECTED, D(2024, 1, 20))
    respond(head, r8, ResponseStatus.ACCEPTED, D(2024, 8, 20))
    verify(head, r1, "partially_achieved", D(2024, 5, 1), a1)
    verify(head, r1, "achieved", D(2024, 10, 1), a1)
    verify(head, r5, "achieved", D(2024, 6, 1), a5)
    verify(head, r2, "achieved", D(2023, 12, 1), a2)
    verify(head, r2, "not_achieved", D(2024, 8, 1), a2)
    verify(head, r6, "achieved", D(2025, 1, 5), a6)

    assert value(assessment, "recommendations-issued") == Decimal(5)
    assert value(assessment, "recommendations-with-response") == Decimal("60.00")
    assert value(assessment, "responses-on-time") == Decimal("40.00")
    assert value(assessment, "recommendations-implemented-share") == Decimal("66.67")
    assert value(assessment, "recommendations-verified-achieved") == Decimal(2)


# Legislation (¶12, 28) -------------------------------------------------------------------


def test_it_counts_opinions_sent_and_bills_with_an_opinion(assessment, personas):
    """Draft bills tracked by the end of 2024: B1 (opinion sent 2024-03-01), B2 (opinion
    still a draft), B3 (opinion sent in 2025) → 1 of 3 = 33.33 %; B4 was entered in 2025.
    Opinions sent in 2024: on B1 and on the existing law L1 → 2."""
    head = personas["head"]

    def item(ref, kind=ItemKind.DRAFT, entered=None):
        entered = entered or D(2024, 1, 5)
        row = LegislationItem.objects.create(
            reference=ref, title=ref, kind=kind, subject="Custody", created_by=head
        )
        at = dt.datetime.combine(entered, dt.time(12), tzinfo=dt.UTC)
        LegislationItem.objects.filter(pk=row.pk).update(created_at=at)
        return row

    def opinion(on, sent_on=None):
        Opinion.objects.create(
            item=on,
            title="Opinion",
            text="…",
            state=Opinion.State.SENT if sent_on else Opinion.State.DRAFT,
            sent_on=sent_on,
            author=head,
        )

    opinion(item("B1"), D(2024, 3, 1))
    opinion(item("B2"))
    opinion(item("B3"), D(2025, 2, 1))
    opinion(item("B4", entered=D(2025, 3, 1)), D(2025, 3, 2))
    opinion(item("L1", kind=ItemKind.EXISTING), D(2024, 6, 1))

    assert value(assessment, "legislation-comments-submitted") == Decimal(2)
    assert value(assessment, "bills-with-opinion") == Decimal("33.33")
    paragraph_12 = [
        r for r in indicator_values(assessment=assessment) if r.slot.criterion.ref == "12"
    ]
    assert [(r.slot.key, r.value) for r in paragraph_12] == [
        ("bills-with-opinion", Decimal("33.33"))
    ]


# Submissions (¶33) -----------------------------------------------------------------------


def test_it_counts_submissions_received_and_answered(assessment, personas):
    """Received in 2024: S1 (answered), S2 (not answered), S3 (asked for no reply) → 3;
    answered 1 of the 2 asking for a reply = 50 %. S4 came in 2023."""

    def submission(received_on, reply_by=ReplyBy.RECEIPT, answered=False):
        contact = "sender@example.test" if reply_by == ReplyBy.EMAIL else ""
        row, _receipt = make_submission(reply_by=reply_by, contact=contact)
        Submission.objects.filter(pk=row.pk).update(received_on=received_on)
        if answered:
            message = Message(submission=row, author=Message.Author.NPM, staff=personas["head"])
            message.seal("body", "We will visit the place.")
            message.save()

    submission(D(2024, 2, 1), answered=True)
    submission(D(2024, 3, 1), reply_by=ReplyBy.EMAIL)
    submission(D(2024, 4, 1), reply_by=ReplyBy.NONE)
    submission(D(2023, 12, 20), answered=True)

    assert value(assessment, "public-submissions-received") == Decimal(3)
    assert value(assessment, "submissions-answered") == Decimal("50.00")


# Strategy and budget (¶5, 35) ------------------------------------------------------------


def test_it_computes_activities_completed_and_budget_execution(assessment, personas):
    """Activities of 2024: done, done, dropped, under way → 2 of 4 = 50 % (2023's done
    one is outside). Budget 2024: planned 1,000 + 500, spent 800 + 400 → 80 %."""
    head = personas["head"]
    objective = Objective.objects.create(
        code="SO1", title="Cover every region", first_year=2023, last_year=2025, created_by=head
    )
    for year, status in [(2024, "done"), (2024, "done"), (2024, "dropped"),
                         (2024, "under_way"), (2023, "done")]:  # fmt: skip
        Activity.objects.create(
            objective=objective,
            kind=ActivityKind.VISITS,
            title="Visits",
            year=year,
            status=status,
            created_by=head,
        )
    for year, planned, spent in [(2024, "1000", "800"), (2024, "500", "400"), (2023, "100", "100")]:
        BudgetLine.objects.create(
            year=year,
            kind=ActivityKind.VISITS,
            label="Travel",
            planned=Decimal(planned),
            spent=Decimal(spent),
            created_by=head,
        )

    assert value(assessment, "strategy-activities-completed-share") == Decimal("50.00")
    assert value(assessment, "budget-spent-share") == Decimal("80.00")


def test_budget_execution_is_no_data_when_nothing_was_planned(assessment, personas):
    BudgetLine.objects.create(
        year=2024, kind=ActivityKind.AWARENESS, label="Leaflets", created_by=personas["head"]
    )
    assert value(assessment, "budget-spent-share") is None


# Training (¶37) --------------------------------------------------------------------------


@pytest.fixture
def trained_teams(personas, make_user):
    """A visit on 1 May 2024 to a juvenile centre needs "Children's rights": P1 took it in
    2023 (covered), P2 never (not), P3 only on 1 June 2024, after the visit (not); the
    interpreter P4 is not counted. P5 went on 1 July 2024 to a prison, which needs no
    training (covered). Year 2024: 2 of 4 = 50 %. Period April–June 2024: P1, P2, P3 →
    1 of 3 = 33.33 %."""
    head = personas["head"]
    juvenile = Category.objects.create(code="juvenile-test", name="Juvenile centre")
    adult = Category.objects.create(code="adult-test", name="Prison")
    course = Training.objects.create(code="children", name="Children's rights")
    course.needed_for = ["juvenile-test"]
    course.save()
    p1, p2, p3, p4, p5 = (make_user("monitor") for _ in range(5))
    TrainingRecord.objects.create(
        user=p1, training=course, completed_on=D(2023, 1, 1), recorded_by=head
    )
    TrainingRecord.objects.create(
        user=p3, training=course, completed_on=D(2024, 6, 1), recorded_by=head
    )

    def visit(category, day, members, interpreter=None):
        row = Visit.objects.create(
            reference=f"V-{category.code}",
            place=PlaceFactory(category=category),
            kind=Visit.Kind.IN_DEPTH,
            starts_on=day,
            ends_on=day,
            lead=head,
            created_by=head,
            state=Visit.State.CLOSED,
        )
        for user in members:
            TeamAssignment.objects.create(visit=row, user=user, assigned_by=head)
        if interpreter:
            TeamAssignment.objects.create(
                visit=row, user=interpreter, role="interpreter", assigned_by=head
            )

    visit(juvenile, D(2024, 5, 1), [p1, p2, p3], interpreter=p4)
    visit(adult, D(2024, 7, 1), [p5])


def test_it_computes_training_coverage_over_the_year(trained_teams, assessment):
    assert value(assessment, "training-coverage") == Decimal("50.00")


def test_it_computes_training_coverage_over_a_shorter_period(trained_teams, spt):
    quarter = AssessmentFactory(
        framework_version=spt, period_start=D(2024, 4, 1), period_end=D(2024, 6, 30)
    )
    assert value(quarter, "training-coverage") == Decimal("33.33")
