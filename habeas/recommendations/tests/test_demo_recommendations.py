"""The demo's recommendations (`manage.py demo`): years of recommendations, answers and
verifications with the pattern real NPMs report (many accepted, few achieved), written
in bulk exactly as the services would write them."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter, defaultdict

from django.db.models import Count
from django.utils import timezone

from habeas.core import audit
from habeas.core.models import AuditEvent
from habeas.core.tests import shared_demo
from habeas.places.models import Authority
from habeas.recommendations import services
from habeas.recommendations.models import (
    SETTLED,
    ActionPlan,
    Commitment,
    Exchange,
    Level,
    Origin,
    Recommendation,
    Response,
    Verification,
)
from habeas.visits.models import Visit

SEED = "5"
S = Visit.State
AFTER_DEBRIEF = (S.DEBRIEFED, S.REPORT_DRAFTED, S.REPORT_SENT, S.RESPONSE_RECEIVED, S.CLOSED)
WRITTEN_UP = (S.DEBRIEFED, S.REPORT_DRAFTED)
REFERENCE = re.compile(r"R-(\d{4})-\d{5}")
VAGUE = re.compile(r"\b(consider|improv|take the necessary|continue to|make efforts)", re.I)
SENT = Recommendation.State.SENT
DRAFT = Recommendation.State.DRAFT


# The demo the command loads, shared with the other demo tests.
pytestmark = shared_demo.MARKS


def shares(values: list[str]) -> dict[str, float]:
    counts = Counter(values)
    return {key: count / len(values) for key, count in counts.items()}


def test_it_builds_thousands_of_recommendations(demo):
    # That the same seed builds them again: core's test_demo.
    assert 2000 <= Recommendation.objects.count() <= 5000


def test_the_demo_command_reports_them_under_one_audit_event(demo):
    assert re.search(r"Recommendations: \d+ \(\d+ sent, \d+ drafts", demo)
    assert "places proposed for follow-up" in demo
    assert AuditEvent.objects.filter(action="demo.load_recommendations").count() == 1
    assert not AuditEvent.objects.filter(action__startswith="recommendation.").exists()
    assert audit.verify() is None


def test_every_visit_past_its_debrief_has_two_to_six_recommendations_from_its_findings(demo):
    visits = Visit.objects.filter(state__in=AFTER_DEBRIEF)
    assert visits.count() >= 25
    linked = 0
    for visit in visits:
        recs = Recommendation.objects.filter(visit=visit)
        assert 2 <= recs.count() <= 6, visit.reference
        expected = DRAFT if visit.state in WRITTEN_UP else SENT
        assert set(recs.values_list("state", flat=True)) == {expected}, visit.reference
        for rec in recs.prefetch_related("findings"):
            assert rec.place_id == visit.place_id
            assert rec.origin == Origin.OWN_VISIT
            for finding in rec.findings.all():
                linked += 1
                assert finding.visit_id == visit.pk
                assert finding.theme == rec.theme
    assert linked >= 100


def test_drafts_on_the_latest_visits_give_the_quality_check_something_to_show(demo):
    drafts = Recommendation.objects.filter(state=DRAFT)

    assert 3 <= drafts.count() <= 20
    assert not drafts.filter(visit__isnull=True).exists()
    assert set(drafts.values_list("visit__state", flat=True)) <= set(WRITTEN_UP)
    assert not drafts.exclude(sent_on=None, response_due=None, response="").exists()
    assert not Response.objects.filter(recommendation__in=drafts).exists()
    flawed = [d for d in drafts if VAGUE.search(d.text)]
    assert flawed
    assert all(d.deadline is None and not d.root_cause for d in flawed)
    assert drafts.exclude(pk__in=[d.pk for d in flawed]).filter(deadline__isnull=False).exists()


def test_every_row_is_what_the_services_would_have_written(demo):
    today = timezone.localdate()
    references = list(Recommendation.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))
    assert all(REFERENCE.fullmatch(ref) for ref in references)
    sent = Recommendation.objects.filter(state=SENT).select_related("addressee")
    for rec in sent:
        assert rec.addressee is not None and rec.sent_on is not None
        assert rec.sent_on <= today
        assert rec.reference.startswith(f"R-{rec.sent_on.year}-")
        assert rec.response_due == services.response_due_on(rec, rec.sent_on), rec.reference
        latest = rec.responses.order_by("-responded_on", "-id").first()
        assert rec.response == (latest.status if latest else "")
        assert rec.responded_on == (latest.responded_on if latest else None)
        check = rec.verifications.order_by("-verified_on", "-id").first()
        assert rec.implementation == (check.status if check else "")
        assert rec.implementation_on == (check.verified_on if check else None)
        if rec.implementation == "achieved":
            assert rec.days_to_implement == (check.verified_on - rec.sent_on).days
        else:
            assert rec.days_to_implement is None
        if rec.deadline is not None and rec.origin == Origin.OWN_VISIT:
            assert 14 <= (rec.deadline - rec.sent_on).days <= 370, rec.reference
        if rec.priority == "urgent":
            assert rec.liaison == rec.addressee.urgent_contact


def test_responses_follow_the_pattern_of_real_npms_many_accepted_few_achieved(demo):
    sent = Recommendation.objects.filter(state=SENT)
    responses = shares(list(sent.values_list("response", flat=True)))
    priorities = shares(list(sent.values_list("priority", flat=True)))

    assert responses["accepted"] + responses["partially_accepted"] > 0.6
    assert 0.45 <= responses["accepted"] <= 0.7
    assert 0.1 <= responses["partially_accepted"] <= 0.3
    assert 0.05 <= responses["rejected"] <= 0.15
    assert 0.08 <= responses.get("no_reply", 0) + responses.get("", 0) <= 0.25
    assert 0.05 <= priorities["urgent"] <= 0.15
    assert 0.25 <= priorities["key"] <= 0.42
    verified = shares(
        list(
            sent.filter(response="accepted")
            .exclude(implementation="")
            .values_list("implementation", flat=True)
        )
    )
    assert verified["achieved"] < 0.35
    assert verified["achieved"] < verified["not_achieved"]
    assert verified["partially_achieved"] > 0.15
    assert verified["no_longer_relevant"] > 0
    assert sent.exclude(root_cause="").count() > 0.75 * sent.count()
    levels = set(sent.values_list("level", flat=True))
    assert levels == set(Level.values)
    assert sent.filter(level=Level.LEGISLATIVE, addressee__kind=Authority.Kind.PARLIAMENT).exists()
    assert sent.filter(level=Level.NATIONAL, addressee__kind=Authority.Kind.MINISTRY).exists()


def test_authorities_answer_one_to_four_months_after_sending_several_in_one_letter(demo):
    today = timezone.localdate()
    assert Response.objects.filter(recommendation__origin=Origin.OWN_VISIT).count() > 1000
    for answer in Response.objects.filter(recommendation__origin=Origin.OWN_VISIT).select_related(
        "recommendation", "exchange"
    ):
        delay = (answer.responded_on - answer.recommendation.sent_on).days
        assert delay >= 30 and answer.responded_on <= today, answer.recommendation.reference
        assert answer.passage.strip()
        if answer.exchange is not None:
            assert answer.exchange.authority_id == answer.recommendation.addressee_id
    letters = Exchange.objects.filter(
        kind=Exchange.Kind.LETTER, direction=Exchange.Direction.INCOMING
    ).annotate(n=Count("responses"))
    assert letters.filter(n__gte=3).count() >= 50
    assert not letters.filter(their_reference="").exists()
    assert not letters.filter(subject="").exists()
    shared = (
        Response.objects.filter(passage__startswith="Recommendations R-")
        .values("exchange", "passage")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
    )
    assert shared.exists()
    kinds = set(Exchange.objects.values_list("kind", flat=True))
    assert {Exchange.Kind.LETTER, Exchange.Kind.MEETING, Exchange.Kind.ROUNDTABLE} <= kinds
    passages = list(Response.objects.values_list("passage", flat=True))
    assert len(set(passages)) > 0.5 * len(passages)
    assert ActionPlan.objects.count() >= 3
    assert not ActionPlan.objects.annotate(n=Count("commitments")).filter(n=0).exists()
    assert Commitment.objects.filter(done_on__isnull=False).exists()


def test_every_verification_rests_on_its_evidence_and_follows_the_sending(demo):
    checks = Verification.objects.select_related(
        "recommendation", "finding__visit", "response", "exchange"
    )
    evidence = Counter(checks.values_list("evidence", flat=True))

    assert evidence["finding"] >= 30 and evidence["document"] and evidence["response"]
    today = timezone.localdate()
    for check in checks:
        rec = check.recommendation
        assert rec.sent_on <= check.verified_on <= today, rec.reference
        if check.evidence == Verification.Evidence.FINDING:
            assert check.finding.visit.place_id == rec.place_id
            assert check.finding.visit.starts_on > rec.sent_on
        elif check.evidence == Verification.Evidence.RESPONSE:
            assert check.response.recommendation_id == rec.pk
        else:
            assert check.exchange is not None or check.document_id is not None
    at_demo_visits = checks.filter(evidence="finding", finding__visit__kind="follow_up")
    assert at_demo_visits.exists()
    assert Recommendation.objects.annotate(n=Count("verifications")).filter(n__gte=2).exists()


def test_some_places_but_not_most_are_proposed_for_follow_up(demo):
    today = timezone.localdate()
    sent = Recommendation.objects.filter(state=SENT, place__isnull=False)
    counted = (
        sent.filter(priority="key", deadline__lt=today)
        .exclude(implementation__in=SETTLED)
        .values("place")
        .annotate(n=Count("pk"))
    )
    proposed = counted.filter(n__gte=3).count()
    places = sent.values("place").distinct().count()

    assert 1 <= proposed < places / 3
    stuck = (
        sent.filter(priority="key", deadline__lt=today, implementation="not_achieved")
        .values("place")
        .annotate(n=Count("pk"))
        .filter(n__gte=3)
    )
    assert stuck.exists()
    visited = Visit.objects.values("place")
    assert counted.filter(n__gte=3, place__in=visited).exists()
    assert f"{proposed} places proposed for follow-up" in demo


def test_unresolved_recommendations_are_repeated_at_the_same_place_in_similar_words(demo):
    repeats = Recommendation.objects.filter(repeat_of__isnull=False).select_related("repeat_of")
    total = Recommendation.objects.count()

    assert 0.02 * total <= repeats.count() <= 0.2 * total
    for rec in repeats:
        earlier = rec.repeat_of
        assert rec.place_id == earlier.place_id and rec.theme == earlier.theme
        assert earlier.sent_on < rec.sent_on
        ratio = difflib.SequenceMatcher(None, rec.text, earlier.text, autojunk=False).ratio()
        assert ratio > 0.6, (rec.reference, earlier.reference)
        assert earlier.reference in rec.text
    assert repeats.filter(visit__isnull=False).exists()


def test_recommendations_of_the_spt_cpt_and_treaty_bodies_are_tracked_with_the_npms_own(demo):
    external = Recommendation.objects.filter(
        origin__in=[Origin.SPT, Origin.CPT, Origin.TREATY_BODY]
    ).select_related("addressee")

    assert 24 <= external.count() <= 60
    assert set(external.values_list("origin", flat=True)) == {"spt", "cpt", "treaty_body"}
    for rec in external:
        assert rec.level == Level.NATIONAL and rec.place_id is None and rec.visit_id is None
        assert rec.addressee.kind == Authority.Kind.MINISTRY
        assert re.fullmatch(r"(CAT/OP/\w+/1|CPT/Inf \(\d{4}\) \d+|CAT/C/\w+/CO/\d), para\. \d+",
                            rec.source_ref), rec.source_ref  # fmt: skip
        own = rec.linked.all()
        assert own.exists(), rec.reference
        assert set(own.values_list("theme", flat=True)) == {rec.theme}
        assert set(own.values_list("origin", flat=True)) == {Origin.OWN_VISIT}
        assert all(rec in other.linked.all() for other in own)


def test_history_spans_twenty_years_at_many_places(demo):
    today = timezone.localdate()
    sent = Recommendation.objects.filter(state=SENT)
    first = sent.order_by("sent_on").values_list("sent_on", flat=True).first()
    per_year: defaultdict[int, int] = defaultdict(int)
    for day in sent.values_list("sent_on", flat=True):
        per_year[day.year] += 1

    assert first < today - dt.timedelta(days=18 * 365)
    assert sent.values("place").distinct().count() >= 80
    assert len(per_year) >= 19
    assert sent.filter(place__status="closed", implementation="no_longer_relevant").exists()
