"""What the API fuzzing test (SECURITY.md, test 19) needs: the app, tokens, a small world.

The app is Django's own WSGI handler, called in-process by schemathesis; no server runs.
The world holds records each persona may see and records no one here may see (another
organisation's assessment), each marked with a canary that must never come back to
someone outside its scope.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from habeas.accounts.models import ApiToken, User
from habeas.assessment.models import ActionItem, Assessment, Evidence, Rating
from habeas.assessment.tests.factories import (
    ActionItemFactory,
    AssessmentFactory,
    EvidenceFactory,
    OrganisationFactory,
    RatingFactory,
)
from habeas.core.models import AuditEvent
from habeas.intake import services as intake
from habeas.intake.models import Submission
from habeas.legislation import services as legislation
from habeas.legislation.models import AdvocacyStep, Benchmark, LegislationItem, Opinion
from habeas.partners import services as partners
from habeas.partners.models import (
    Agreement,
    AwarenessActivity,
    Communication,
    Contact,
    Partner,
)
from habeas.places.models import Authority, Place, Region
from habeas.places.tests.factories import PlaceFactory
from habeas.recommendations import services as recommendation_services
from habeas.recommendations import services_dialogue
from habeas.recommendations.models import (
    ActionPlan,
    Commitment,
    Exchange,
    Recommendation,
    Response,
    Verification,
)

# Every record the API can write; a snapshot of their versions shows any change.
WRITABLE = (
    Place,
    Authority,
    Region,
    Assessment,
    Rating,
    Evidence,
    ActionItem,
    Recommendation,
    Response,
    Verification,
    Exchange,
    ActionPlan,
    Commitment,
    LegislationItem,
    Opinion,
    Benchmark,
    AdvocacyStep,
    Submission,
    Partner,
    Contact,
    Agreement,
    Communication,
    AwarenessActivity,
)


@contextmanager
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, inside the test's transaction.

    At the end of a request Django closes a connection that is not in autocommit, which
    inside a test's transaction would throw the whole test's data away; Django's test
    client keeps the connection the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def bearer(user: User, scope: str = ApiToken.Scope.WRITE) -> dict[str, str]:
    """The Authorization header of a real personal token, as a user's script sends it."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name="fuzzing",
        prefix=key[:8],
        key_hash=ApiToken.hash_key(key),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"Authorization": f"Bearer {key}"}


@dataclass
class World:
    """Seeded records by API resource, the canaries, and what no one here may see."""

    visible: dict[str, list[int]] = field(default_factory=dict)
    hidden: dict[str, list[int]] = field(default_factory=dict)
    # Valid bodies to create a record of each resource, some naming hidden records.
    creations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    staff_canary: str = ""
    hidden_canary: str = ""
    # Resources only some personas may see (all the staff fuzzed here see the others):
    # for anyone else their records are hidden.
    audience: dict[str, frozenset[str]] = field(default_factory=dict)
    # Resources anyone may read, credentials or not (published reports), by id.
    public: dict[str, list[int]] = field(default_factory=dict)

    def ids(self, resource: str) -> list[int]:
        return self.visible.get(resource, []) + self.hidden.get(resource, [])


def seed(personas: dict[str, User], make_user: Any) -> World:
    """Three places; this NPM's assessment with a rating, evidence and an action item; the
    same under another organisation's assessment, which no one here may see."""
    world = World(
        staff_canary=f"staff-canary-{secrets.token_hex(6)}",
        hidden_canary=f"hidden-canary-{secrets.token_hex(6)}",
    )
    places = [PlaceFactory(name=f"{world.staff_canary} {n}") for n in range(3)]
    world.visible.update(
        places=[place.pk for place in places],
        authorities=[place.authority_id for place in places],
        regions=[place.region_id for place in places],
    )
    own = _assessment(
        personas, title=world.staff_canary, place=places[0], assessors=("head", "data_officer")
    )
    other = OrganisationFactory()
    hidden = _assessment(
        personas, title=world.hidden_canary, place=places[0], subject=other, made_by=other
    )
    world.visible.update(own)
    world.hidden.update(hidden)
    # Frameworks are reference texts every role with the assessment right may read.
    world.visible["frameworks"] = sorted(
        Assessment.objects.filter(pk__in=own["assessments"] + hidden["assessments"])
        .values_list("framework_version_id", flat=True)
        .distinct()
    )
    world.visible.update(_recommendations(personas["head"], places[0], world.staff_canary))
    world.visible.update(_outward(personas["head"], places[0], world.staff_canary))
    world.visible.update(_planning(personas["head"], places[0], world.staff_canary))
    planners = frozenset({"head", "monitor"})
    world.audience.update({"programmes": planners, "planned-visits": planners})
    reports, published = _reports(personas, make_user, world.staff_canary)
    world.visible.update(reports)
    world.public["public-reports"] = published
    # Reports drawn from the visit: those who see it with `reports.view`; the PDF of a
    # draft is its requester's alone.
    readers = frozenset({"head", "data_officer"})
    world.audience.update({resource: readers for resource in reports})
    world.audience["renderings"] = frozenset({"head"})
    world.visible.update(_strategy(personas, world.staff_canary))
    # A training plan entry and record are their person's (the data officer's) and of
    # whoever manages training; a saved view that is not shared is its owner's.
    theirs = frozenset({"head", "data_officer"})
    world.audience.update({"training-plan": theirs, "training-records": theirs})
    world.audience["saved-views"] = frozenset({"head"})
    world.creations = _creations(world, owner=personas["head"])
    return world


def _recommendations(head: User, place: Place, canary: str) -> dict[str, list[int]]:
    """A recommendation sent about the first place, answered by a letter and verified on
    the strength of that answer, and an action plan with a commitment to it."""
    today = timezone.localdate()
    recommendation = recommendation_services.recommendation_draft(
        actor=head,
        data={
            "text": f"Open the yard every day ({canary}).",
            "place": place,
            "addressee": place.authority,
            "priority": "key",
        },
    )
    recommendation_services.recommendation_send(
        actor=head, recommendations=[recommendation], sent_on=today - dt.timedelta(days=30)
    )
    recommendation.refresh_from_db()
    letter = services_dialogue.exchange_create(
        actor=head,
        data={
            "authority": place.authority,
            "kind": "letter",
            "direction": "incoming",
            "occurred_on": today,
            "subject": f"Reply ({canary})",
        },
    )
    response = recommendation_services.response_record(
        actor=head,
        recommendation=recommendation,
        status="accepted",
        responded_on=today,
        passage=canary,
        exchange=letter,
    )
    verification = recommendation_services.verification_record(
        actor=head,
        recommendation=recommendation,
        status="partially_achieved",
        verified_on=today,
        evidence="response",
        response=response,
        note=canary,
    )
    plan = services_dialogue.action_plan_create(
        actor=head, data={"authority": place.authority, "title": f"Plan ({canary})"}
    )
    services_dialogue.commitment_add(
        actor=head,
        plan=plan,
        data={
            "recommendation": recommendation,
            "text": canary,
            "due_on": today + dt.timedelta(days=60),
        },
    )
    return {
        "recommendations": [recommendation.pk],
        "responses": [response.pk],
        "verifications": [verification.pk],
        "letters": [letter.pk],
        "action-plans": [plan.pk],
    }


def _outward(head: User, place: Place, canary: str) -> dict[str, list[int]]:
    """A draft bill with an opinion; an NGO with a communication about the place and an
    awareness activity; a submission from the public about the place. Submissions and
    communications (random ids) are listed and fuzzed, not aimed at by id."""
    today = timezone.localdate()
    bill = legislation.item_create(
        actor=head,
        title=canary,
        kind="draft",
        subject="Extends police custody before access to a lawyer.",
        procedure="consultation",
        deadline=today + dt.timedelta(days=20),
    )
    opinion = legislation.opinion_create(actor=head, item=bill, title=canary, text=canary)
    ngo = partners.partner_create(actor=head, name=canary, kind="ngo")
    partners.communication_record(
        actor=head,
        kind="meeting",
        occurred_on=today,
        subject=canary,
        partners=[ngo],
        details=canary,
        places=[place],
    )
    activity = partners.activity_record(
        actor=head, kind="talk", title=canary, held_on=today, audience="public", reached=30
    )
    intake.submission_create(
        sender_kind="relative", urgency="soon", body=canary, consent="anonymous", place=place
    )
    return {
        "legislation-items": [bill.pk],
        "legislation-opinions": [opinion.pk],
        "partners": [ngo.pk],
        "awareness-activities": [activity.pk],
    }


def _planning(head: User, place: Place, canary: str) -> dict[str, list[int]]:
    """A programme for a coming quarter with capacity in the place's region, built in one
    second, with a visit the NPM added and the team proposed for it."""
    from habeas.planning import services as planning
    from habeas.planning import services_teams as planning_teams

    programme = planning.programme_create(actor=head, data={"period": "2027-Q1", "title": canary})
    programme = planning.programme_update(
        actor=head,
        programme=programme,
        data={"time_limit_seconds": 1},
        expected_version=programme.version,
    )
    programme = planning.capacity_save(
        actor=head,
        programme=programme,
        regions={place.region.pk: (20, 0)},
        professions={},
        categories={},
        expected_version=programme.version,
    )
    planned = planning.visit_add(
        actor=head,
        programme=programme,
        place=place,
        week_starts_on=dt.date(2027, 1, 4),
        kind="follow_up",
    )
    planning.programme_build(actor=head, programme=programme, enqueue=False)
    planning.programme_solve(programme_id=programme.pk, time_limit=1)
    planning_teams.teams_build(actor=head, programme=programme, time_limit=1)
    return {"programmes": [programme.pk], "planned-visits": [planned.pk]}


def _strategy(personas: dict[str, User], canary: str) -> dict[str, list[int]]:
    """An objective with an activity, a budget line, a policy, the data officer's training
    plan entry and record, and the head's saved view."""
    from habeas.assessment.models_analytics import SavedView
    from habeas.strategy import services as strategy
    from habeas.strategy import services_people as people
    from habeas.strategy.models import TrainingPlanEntry
    from habeas.visits.models import Training, TrainingRecord

    head, officer = personas["head"], personas["data_officer"]
    objective = strategy.objective_create(
        actor=head, code="SO1", title=canary, first_year=2026, last_year=2028
    )
    activity = strategy.activity_create(
        actor=head, objective=objective, kind="awareness", title=canary, year=2026
    )
    line = strategy.line_create(actor=head, year=2026, kind="awareness", label=canary, planned=900)
    policy = people.policy_create(
        actor=head,
        area="communication",
        title=canary,
        text="The head speaks for the NPM.",
        effective_on=dt.date(2026, 1, 1),
    )
    training = Training.objects.order_by("position", "pk").first()
    assert training is not None, "the trainings are seeded by a migration"
    entry = TrainingPlanEntry.objects.create(
        year=2026, user=officer, training=training, reason=canary, created_by=head
    )
    record = TrainingRecord.objects.create(
        user=officer, training=training, completed_on=dt.date(2025, 5, 2), recorded_by=head
    )
    saved = SavedView.objects.create(owner=head, name=canary, kind="heatmap")
    return {
        "objectives": [objective.pk],
        "activities": [activity.pk],
        "budget-lines": [line.pk],
        "policies": [policy.pk],
        "training-plan": [entry.pk],
        "training-records": [record.pk],
        "saved-views": [saved.pk],
    }


def _reports(
    personas: dict[str, User], make_user: Any, canary: str
) -> tuple[dict[str, list[int]], list[int]]:
    """A draft visit report with a comment, a check whose hit is a pseudonym, a redaction
    and the head's PDF request; and a signed, published report sent to the ministry (its
    public text carries no canary: anyone may read it)."""
    from habeas.reports import services as reports
    from habeas.reports import services_publication as publication
    from habeas.reports import services_render as rendering
    from habeas.reports.tasks import render_report
    from habeas.reports.tests.factories import report_factory, report_world

    head, monitor = personas["head"], personas["monitor"]
    w = report_world(personas, make_user)
    draft = report_factory(kind="visit", actor=head, visit=w.visit, title=canary)
    version = reports.latest_version(draft)
    version = reports.version_edit(
        actor=head,
        version=version,
        sections={"summary": f"{canary}: the wings were overcrowded, P-02 said."},
        public_omit=None,
        expected_version=version.version,
    )
    redaction = publication.redaction_add(
        actor=head, version=version, section="summary", passage="overcrowded"
    )
    version.refresh_from_db()
    hits = publication.check_run(actor=head, version=version).hits.all()
    comment = reports.comment_add(actor=head, version=version, section="", text=canary)
    pdf = rendering.rendering_request(
        actor=head, version=version, variant="confidential", fmt="pdf"
    )
    render_report.call(rendering_id=pdf.pk)  # ready to download
    signed = report_factory(kind="visit", actor=head, visit=w.police_visit)
    signed_version = reports.version_submit(actor=head, version=reports.latest_version(signed))
    signed_version = reports.version_approve(actor=monitor, version=signed_version)
    signed_version = reports.version_sign(actor=head, version=signed_version)
    for hit in publication.check_run(actor=head, version=signed_version).hits.all():
        publication.hit_override(actor=head, hit=hit, reason="Read by the head: no person.")
    publication.report_publish(actor=head, report=signed)
    sent = publication.dissemination_add(
        actor=head,
        report=signed,
        data={
            "version": signed_version.pk,
            "variant": "confidential",
            "authority": w.ministry.pk,
            "tier": "national",
            "channel": "post",
            "sent_on": dt.date(2026, 7, 1),
        },
    )
    return {
        "reports": [draft.pk, signed.pk],
        "report-versions": [version.pk, signed_version.pk],
        "report-comments": [comment.pk],
        "report-hits": [hit.pk for hit in hits],
        "report-redactions": [redaction.pk],
        "disseminations": [sent.pk],
        "renderings": [pdf.pk],
    }, [signed.pk]


def _creations(world: World, *, owner: User) -> dict[str, list[dict[str, Any]]]:
    gaps = [  # the first criterion of each assessment, rated partially in place
        (rating.assessment_id, rating.criterion_id)
        for rating in Rating.objects.filter(
            pk__in=[world.visible["ratings"][0], world.hidden["ratings"][0]]
        )
    ]
    return {
        "places": [{"name": "A new police station", "category": "police-custody"}],
        "recommendations": [
            {
                "text": "Install a call bell in every cell by June.",
                "addressee": world.visible["authorities"][0],
                "place": world.visible["places"][0],
                "priority": "key",
            }
        ],
        "legislation-items": [
            {"title": "Mental health bill", "kind": "draft", "subject": "Involuntary care."}
        ],
        "partners": [{"name": "Law clinic", "kind": "academia"}],
        "programmes": [{"period": "2028-Q2", "title": "Second quarter 2028"}],
        "reports": [{"kind": "annual", "year": 2026}, {"kind": "thematic", "theme": "health"}],
        "objectives": [
            {"code": "SO7", "title": "Awareness in schools", "first_year": 2027, "last_year": 2028}
        ],
        "budget-lines": [{"year": 2027, "kind": "training", "label": "Trainers", "planned": "800"}],
        "assessments": [
            {
                "framework_version": world.visible["frameworks"][0],
                "title": "Self-assessment 2025",
                "period_start": "2025-01-01",
                "period_end": "2025-12-31",
            }
        ],
        "evidence": [
            {"assessment": assessment, "criterion": criterion, "kind": "link", "url": URL}
            for assessment, criterion in gaps
        ],
        "action-items": [
            {
                "assessment": assessment,
                "criterion": criterion,
                "title": "Publish the budget",
                "owner": owner.pk,
                "deadline": "2030-06-30",
            }
            for assessment, criterion in gaps
        ],
    }


URL = "https://npm.example/annual-report.pdf"


def _assessment(
    personas: dict[str, User],
    *,
    title: str,
    place: Place,
    assessors: tuple[str, ...] = (),
    **made: Any,
) -> dict[str, list[int]]:
    assessment = AssessmentFactory(
        title=title, assessors=[personas[name] for name in assessors], **made
    )
    criteria = list(assessment.framework_version.criteria.order_by("position"))
    ratings = [
        RatingFactory(assessment=assessment, criterion=criterion, narrative=title)
        for criterion in criteria[:2]
    ]
    evidence = [
        EvidenceFactory(assessment=assessment, title=title, added_by=personas["head"]),
        EvidenceFactory(  # no address: only a link has one
            assessment=assessment,
            kind=Evidence.Kind.RECORD,
            url="",
            title=title,
            record_type="places.place",
            record_id=str(place.pk),
            added_by=personas["head"],
        ),
    ]
    item = ActionItemFactory(
        assessment=assessment, criterion=criteria[0], title=title, owner=personas["head"]
    )
    return {
        "assessments": [assessment.pk],
        "ratings": [rating.pk for rating in ratings],
        "evidence": [piece.pk for piece in evidence],
        "action-items": [item.pk],
    }


def snapshot() -> dict[str, Any]:
    """Every writable record with its version, and the length of the audit trail."""
    state: dict[str, Any] = {"audit": AuditEvent.objects.count()}
    for model in WRITABLE:
        versioned = hasattr(model, "version")
        columns = ("pk", "version") if versioned else ("pk",)
        state[model.__name__] = sorted(model.objects.values_list(*columns))
    return state
