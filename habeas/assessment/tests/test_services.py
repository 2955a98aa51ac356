"""Assessments: starting one, rating, the state machine, the freeze, revisions, sharing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from habeas.assessment import indicators, services
from habeas.assessment.models import (
    ActionItem,
    Assessment,
    AssessmentShare,
    Evidence,
    IndicatorValue,
    Membership,
    Organisation,
    Rating,
)
from habeas.assessment.tests.factories import (
    FrameworkVersionFactory,
    HomeOrganisationFactory,
    OrganisationFactory,
)
from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent

pytestmark = pytest.mark.django_db


# Helpers shared by the assessment tests ------------------------------------------------


def member(make_user, organisation: Organisation, role: str = "monitor", email: str = ""):
    """A user who works for an organisation other than this NPM."""
    user = make_user(role, email or None)
    Membership.objects.create(user=user, organisation=organisation)
    return user


def start(actor, *, subject=None, version=None, assessors=None, **fields) -> Assessment:
    """An assessment started through the service, against a small test framework."""
    return services.assessment_create(
        actor=actor,
        framework_version=version or FrameworkVersionFactory(),
        subject=subject or HomeOrganisationFactory(),
        title=fields.pop("title", "Self-assessment 2024"),
        period_start=fields.pop("period_start", dt.date(2024, 1, 1)),
        period_end=fields.pop("period_end", dt.date(2024, 12, 31)),
        assessors=assessors if assessors is not None else [actor],
    )


def rating_of(assessment: Assessment, ref: str) -> Rating:
    return assessment.ratings.select_related("assessment").get(criterion__ref=ref)


def rate(actor, assessment: Assessment, ref: str, level: str, reason: str = "", narrative=""):
    rating = rating_of(assessment, ref)
    return services.rating_save(
        actor=actor,
        rating=rating,
        level=level,
        reason=reason,
        narrative=narrative,
        expected_version=rating.version,
    )


def finalised(head, assessment: Assessment) -> Assessment:
    services.assessment_submit_for_review(actor=head, assessment=assessment)
    return services.assessment_finalise(actor=head, assessment=assessment)


def actions(**lookups) -> list[str]:
    return list(AuditEvent.objects.filter(**lookups).values_list("action", flat=True))


def spt() -> Organisation:
    return OrganisationFactory(name="UN SPT", kind=Organisation.Kind.SPT)


# Starting an assessment ------------------------------------------------


def test_it_starts_a_self_assessment_with_one_empty_rating_per_criterion(personas):
    assessment = start(personas["monitor"])

    assert assessment.made_by == HomeOrganisationFactory() == assessment.subject
    assert assessment.state == Assessment.State.DRAFT and assessment.revision == 1
    refs = sorted(assessment.ratings.values_list("criterion__ref", flat=True))
    assert refs == ["1", "2", "2.1", "2.2", "3"]
    assert not assessment.ratings.exclude(level="").exists()
    assert actions(object_type="assessment.assessment") == ["assessment.create"]


def test_it_makes_the_actor_the_assessor_when_nobody_is_chosen(personas):
    assessment = start(personas["head"], assessors=[])

    assert list(assessment.assessors.all()) == [personas["head"]]


def test_it_refuses_an_npm_user_assessing_another_npm(personas):
    with pytest.raises(PermissionDenied):
        start(personas["head"], subject=OrganisationFactory())

    assert not Assessment.objects.exists() and not AuditEvent.objects.exists()


def test_it_lets_an_assessing_body_member_assess_another_npm(make_user):
    body = spt()
    assessor = member(make_user, body, "head")
    ruritania = OrganisationFactory(name="NPM of Ruritania")

    assessment = start(assessor, subject=ruritania)

    assert assessment.made_by == body and assessment.subject == ruritania
    assert not assessment.is_self_assessment


def test_it_refuses_an_assessing_body_assessing_something_other_than_an_npm(make_user):
    body = spt()
    assessor = member(make_user, body, "head")

    with pytest.raises(ValidationError) as refused:
        start(assessor, subject=OrganisationFactory(kind=Organisation.Kind.REGIONAL))

    assert "subject" in refused.value.message_dict


@pytest.mark.parametrize("role", ["comms", "auditor", "doctor", ""])
def test_it_refuses_to_start_an_assessment_without_the_right(make_user, role):
    with pytest.raises(PermissionDenied):
        start(make_user(role))

    assert not Assessment.objects.exists()


def test_it_refuses_an_assessor_from_another_organisation(personas, make_user):
    outsider = member(make_user, spt(), "monitor")

    with pytest.raises(ValidationError) as refused:
        start(personas["head"], assessors=[personas["head"], outsider])

    assert "assessors" in refused.value.message_dict
    assert not Assessment.objects.exists()


def test_it_refuses_a_period_that_ends_before_it_starts(personas):
    with pytest.raises(ValidationError) as refused:
        start(personas["head"], period_start=dt.date(2024, 6, 1), period_end=dt.date(2024, 1, 1))

    assert "period_end" in refused.value.message_dict


def test_it_refuses_a_framework_version_without_criteria(personas):
    with pytest.raises(ValidationError):
        start(personas["head"], version=FrameworkVersionFactory(outline=False))


# Ratings ------------------------------------------------


def test_it_saves_a_rating_and_audits_it_without_its_text(personas):
    monitor = personas["monitor"]
    assessment = start(monitor)

    rating = rate(monitor, assessment, "1", "largely", narrative="Budget line exists.")

    assert rating.level == "largely" and rating.version == 2 and rating.updated_by == monitor
    event = AuditEvent.objects.get(action="rating.save")
    assert event.detail["fields"] == ["level", "narrative"]
    assert "Budget line" not in str(event.detail)


def test_it_requires_a_reason_for_not_applicable(personas):
    monitor = personas["monitor"]
    assessment = start(monitor)

    with pytest.raises(ValidationError) as refused:
        rate(monitor, assessment, "3", "not_applicable")

    assert "reason" in refused.value.message_dict
    assert rating_of(assessment, "3").level == ""
    rate(monitor, assessment, "3", "not_applicable", reason="No such places in our country.")
    assert rating_of(assessment, "3").reason == "No such places in our country."


def test_it_drops_the_reason_when_the_criterion_applies_after_all(personas):
    monitor = personas["monitor"]
    assessment = start(monitor)
    rate(monitor, assessment, "3", "not_applicable", reason="None here.")

    rate(monitor, assessment, "3", "fully", reason="None here.")

    assert rating_of(assessment, "3").reason == ""


def test_it_refuses_a_level_off_the_scale(personas):
    monitor = personas["monitor"]
    assessment = start(monitor)

    with pytest.raises(ValidationError):
        rate(monitor, assessment, "1", "excellent")


def test_it_refuses_a_stale_rating_and_keeps_the_first(personas):
    monitor, head = personas["monitor"], personas["head"]
    assessment = start(monitor)
    rating = rating_of(assessment, "1")
    stale_copy = rating_of(assessment, "1")
    rate(head, assessment, "1", "fully", narrative="Head's view")

    with pytest.raises(StaleEdit):
        services.rating_save(
            actor=monitor,
            rating=stale_copy,
            level="not_in_place",
            reason="",
            narrative="Monitor's view",
            expected_version=rating.version,
        )

    assert rating_of(assessment, "1").narrative == "Head's view"
    assert actions(object_type="assessment.rating", object_id=str(rating.pk)) == [
        "rating.save",
        "rating.save_stale",
    ]


def test_it_lets_only_assessors_and_the_head_rate(personas):
    monitor, doctor, head = personas["monitor"], personas["doctor"], personas["head"]
    assessment = start(monitor)

    with pytest.raises(PermissionDenied):
        rate(doctor, assessment, "1", "fully")
    with pytest.raises(PermissionDenied):
        rate(personas["comms"], assessment, "1", "fully")
    rate(head, assessment, "1", "fully")

    assert rating_of(assessment, "1").updated_by == head


# The state machine and the freeze ------------------------------------------------


def test_it_moves_a_draft_to_review_then_final(personas):
    head = personas["head"]
    assessment = start(personas["monitor"], assessors=[personas["monitor"]])

    services.assessment_submit_for_review(actor=personas["monitor"], assessment=assessment)
    assert assessment.state == Assessment.State.IN_REVIEW
    services.assessment_finalise(actor=head, assessment=assessment)

    assert assessment.state == Assessment.State.FINAL
    assert assessment.finalised_by == head and assessment.finalised_at is not None
    assert actions(object_type="assessment.assessment") == [
        "assessment.create",
        "assessment.submit_for_review",
        "assessment.finalise",
    ]


def test_it_refuses_to_finalise_a_draft(personas):
    assessment = start(personas["head"])

    with pytest.raises(ValidationError):
        services.assessment_finalise(actor=personas["head"], assessment=assessment)

    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.DRAFT


def test_it_refuses_to_submit_twice(personas):
    assessment = start(personas["head"])
    services.assessment_submit_for_review(actor=personas["head"], assessment=assessment)

    with pytest.raises(ValidationError):
        services.assessment_submit_for_review(actor=personas["head"], assessment=assessment)


def test_it_lets_only_the_head_finalise(personas):
    monitor = personas["monitor"]
    assessment = start(monitor)
    services.assessment_submit_for_review(actor=monitor, assessment=assessment)

    with pytest.raises(PermissionDenied):
        services.assessment_finalise(actor=monitor, assessment=assessment)

    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.IN_REVIEW


@pytest.fixture
def budget_indicator():
    """Fill the test framework's slot with a figure, as another part of Habeas would."""
    key = "test-budget-share"
    indicators._discover()
    indicators._registry[key] = lambda assessment: 87
    yield key
    indicators._registry.pop(key, None)


def test_it_freezes_the_indicator_figures_when_finalising(personas, budget_indicator):
    head = personas["head"]
    assessment = start(head)

    finalised(head, assessment)

    value = IndicatorValue.objects.get(assessment=assessment)
    assert value.slot.key == budget_indicator and value.value == 87
    indicators._registry[budget_indicator] = lambda assessment: 12
    reading = indicators.indicator_values(assessment=assessment)[0]
    assert reading.value == 87


def test_it_refuses_every_content_write_once_final(personas, settings, tmp_path):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    evidence = services.evidence_add(
        actor=head,
        assessment=assessment,
        criterion=rating_of(assessment, "1").criterion,
        kind="link",
        url="https://npm.example/report",
    )
    finalised(head, assessment)
    before = AuditEvent.objects.count()
    criterion = rating_of(assessment, "1").criterion

    writes = [
        lambda: rate(head, assessment, "1", "fully"),
        lambda: services.evidence_add(
            actor=head,
            assessment=assessment,
            criterion=criterion,
            kind="link",
            url="https://npm.example/other",
        ),
        lambda: services.evidence_remove(actor=head, evidence=evidence),
        lambda: services.assessment_update(
            actor=head,
            assessment=assessment,
            title="Changed",
            summary="",
            period_start=assessment.period_start,
            period_end=assessment.period_end,
            assessors=[head],
            expected_version=assessment.version,
        ),
        lambda: services.assessment_submit_for_review(actor=head, assessment=assessment),
        lambda: services.assessment_finalise(actor=head, assessment=assessment),
    ]
    for write in writes:
        with pytest.raises(services.AssessmentFrozen) as refused:
            write()
        assert "final" in refused.value.messages[0]

    assert AuditEvent.objects.count() == before
    assert rating_of(assessment, "1").level == "partially"
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assessment.refresh_from_db()
    assert assessment.title == "Self-assessment 2024"


def test_it_follows_the_action_plan_of_a_final_assessment(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially")
    finalised(head, assessment)

    item = services.action_item_create(
        actor=head,
        assessment=assessment,
        criterion=rating_of(assessment, "1").criterion,
        title="Ask for a budget line",
        owner=head,
        deadline=dt.date(2025, 6, 30),
    )
    services.action_item_update(actor=head, item=item, status="done", expected_version=1)

    assert ActionItem.objects.get(pk=item.pk).status == "done"


# Revisions ------------------------------------------------


def test_it_revises_a_final_assessment_into_a_new_draft(personas):
    head = personas["head"]
    assessment = start(head)
    rate(head, assessment, "1", "partially", narrative="Half of it.")
    rate(head, assessment, "3", "not_applicable", reason="None here.")
    services.evidence_add(
        actor=head,
        assessment=assessment,
        criterion=rating_of(assessment, "1").criterion,
        kind="link",
        url="https://npm.example/report",
        title="Annual report",
    )
    finalised(head, assessment)

    revision = services.assessment_revise(actor=head, assessment=assessment)

    assert revision.revision == 2 and revision.supersedes == assessment
    assert revision.state == Assessment.State.DRAFT
    assert rating_of(revision, "1").narrative == "Half of it."
    assert rating_of(revision, "3").reason == "None here."
    assert revision.evidence.get().title == "Annual report"
    assert revision.ratings.count() == 5
    assert actions(action="assessment.revise") == ["assessment.revise"]
    rate(head, revision, "1", "fully")
    assert rating_of(assessment, "1").level == "partially"


def test_it_refuses_to_revise_a_draft_or_to_revise_twice(personas):
    head = personas["head"]
    assessment = start(head)
    with pytest.raises(ValidationError):
        services.assessment_revise(actor=head, assessment=assessment)
    finalised(head, assessment)
    services.assessment_revise(actor=head, assessment=assessment)

    with pytest.raises(ValidationError):
        services.assessment_revise(actor=head, assessment=assessment)

    assert Assessment.objects.count() == 2


# Sharing ------------------------------------------------


def test_it_lets_the_head_share_and_unshare_a_self_assessment(personas):
    head = personas["head"]
    assessment = start(head)
    body = spt()

    services.assessment_share(actor=head, assessment=assessment, organisation=body)
    assert AssessmentShare.objects.filter(assessment=assessment, organisation=body).exists()
    services.assessment_unshare(actor=head, assessment=assessment, organisation=body)

    assert not AssessmentShare.objects.exists()
    events = AuditEvent.objects.filter(action__startswith="assessment.").exclude(
        action="assessment.create"
    )
    assert [(e.action, e.detail) for e in events] == [
        ("assessment.share", {"organisation": body.pk}),
        ("assessment.unshare", {"organisation": body.pk}),
    ]


def test_it_lets_only_the_head_of_the_npm_assessed_share(personas, make_user):
    assessment = start(personas["monitor"])
    body = spt()
    spt_head = member(make_user, body, "head")

    for actor in (personas["monitor"], personas["data_officer"], spt_head):
        with pytest.raises(PermissionDenied):
            services.assessment_share(actor=actor, assessment=assessment, organisation=body)

    assert not AssessmentShare.objects.exists()


def test_it_does_not_share_an_assessing_bodys_assessment(make_user):
    body = spt()
    spt_head = member(make_user, body, "head")
    assessment = start(spt_head, subject=OrganisationFactory())

    with pytest.raises(PermissionDenied):
        services.assessment_share(
            actor=spt_head,
            assessment=assessment,
            organisation=OrganisationFactory(kind=Organisation.Kind.PEER_NETWORK),
        )


def test_it_refuses_to_share_twice_or_with_the_npm_itself(personas):
    head = personas["head"]
    assessment = start(head)
    body = spt()
    services.assessment_share(actor=head, assessment=assessment, organisation=body)

    with pytest.raises(ValidationError):
        services.assessment_share(actor=head, assessment=assessment, organisation=body)
    with pytest.raises(ValidationError):
        services.assessment_share(
            actor=head, assessment=assessment, organisation=HomeOrganisationFactory()
        )
    with pytest.raises(ValidationError):
        services.assessment_unshare(
            actor=head, assessment=assessment, organisation=OrganisationFactory()
        )


# Editing the assessment itself ------------------------------------------------


def test_it_updates_title_summary_and_assessors_with_optimistic_locking(personas):
    head, monitor = personas["head"], personas["monitor"]
    assessment = start(head)
    stale_version = assessment.version

    services.assessment_update(
        actor=head,
        assessment=assessment,
        title="Self-assessment 2024 (final draft)",
        summary="Strong on visits, weak on follow-up.",
        period_start=assessment.period_start,
        period_end=assessment.period_end,
        assessors=[head, monitor],
        expected_version=stale_version,
    )
    with pytest.raises(StaleEdit):
        services.assessment_update(
            actor=monitor,
            assessment=Assessment.objects.get(pk=assessment.pk),
            title="Mine",
            summary="",
            period_start=assessment.period_start,
            period_end=assessment.period_end,
            assessors=[monitor],
            expected_version=stale_version,
        )

    assessment.refresh_from_db()
    assert assessment.title == "Self-assessment 2024 (final draft)"
    assert set(assessment.assessors.all()) == {head, monitor}
    assert actions(action__startswith="assessment.update") == [
        "assessment.update",
        "assessment.update_stale",
    ]
