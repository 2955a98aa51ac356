"""The demo NPM's recommendations and its dialogue with the authorities (¶20–24, 31a, 34).

`demo_load_recommendations(scale=..., seed=...)` runs after the visits and cases demos
(`manage.py demo`), in the same transaction. It builds what an NPM's tracker holds after
twenty years, with the pattern real NPMs report: many recommendations accepted, few
achieved.

- Every demo visit past its debrief gets two to six recommendations drawn from its
  findings (linked to them, same theme), addressed to the place's authority, its
  ministry or parliament, sent on the day the visit's report (or letter) went out. The
  visits still being written up hold drafts, some with the faults the quality check
  questions (a vague verb, no deadline, no root cause).
- Before those, twenty years of historical recommendations at the places the NPM visited,
  generated in bulk so that the `large` scale holds over 200,000.
- The authorities answer by letter, one letter answering several recommendations (some in
  one paragraph), sometimes at a meeting; a few send action plans with dated commitments.
  About 55 % are accepted, 20 % accepted in part, 10 % rejected and 15 % never answered.
- Implementation is verified at later visits to the same place (a finding of that visit
  as evidence, or the NPM's letter on a historical visit), or from the authority's
  progress reports; among accepted ones only about a fifth are achieved. Unresolved
  recommendations are repeated at later visits (`repeat_of`, similar words). A few places
  keep three or more key recommendations not achieved past their deadline, so that the
  follow-up proposal shows some places, not most.
- A few dozen recommendations of the SPT, the CPT and the Committee against Torture,
  addressed to the ministries and tracked together with the NPM's own on the same theme.

The rows are written with `bulk_create` (hundreds of thousands at `large`), exactly as the
services would leave them: state, dates, the response deadline the addressee owes, the
latest response and implementation copied on the row, the days to implement, references
R-<year>-<nnnnn>. The whole load writes one audit event, as the places demo does. The
same seed builds the same recommendations; dates are counted back from today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from habeas.accounts.demo import DEMO_DOMAIN, demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.core import audit
from habeas.core.models import AuditEvent
from habeas.places.demo import DemoRefused
from habeas.places.models import Authority, Place, Region
from habeas.recommendations import demo_text as text
from habeas.recommendations.models import (
    SETTLED,
    ActionPlan,
    Commitment,
    Exchange,
    FollowUpRule,
    Implementation,
    Level,
    Origin,
    Priority,
    Recommendation,
    Response,
    ResponseStatus,
    Verification,
)
from habeas.recommendations.services import LEVEL_OF_AUTHORITY
from habeas.visits.demo import LETTER_KINDS, THEME_WEIGHTS
from habeas.visits.demo_text import SETTING_OF, setting_for
from habeas.visits.models import Finding, Visit

S = Visit.State
RS = ResponseStatus
IM = Implementation
# Recommendations in all at each scale: the demo visits' own, then history up to this.
TARGET = {"small": 3000, "national": 60000, "large": 205000}
HISTORY_YEARS = 20
BATCH = 2000
CHUNK_PLACES = 400
AFTER_DEBRIEF = (S.DEBRIEFED, S.REPORT_DRAFTED, S.REPORT_SENT, S.RESPONSE_RECEIVED, S.CLOSED)
STILL_WRITTEN_UP = (S.DEBRIEFED, S.REPORT_DRAFTED)

# fmt: off
RESPONSE_MIX = ((RS.ACCEPTED, 55), (RS.PARTIALLY_ACCEPTED, 20), (RS.REJECTED, 10),
                (RS.NO_REPLY, 15))
OUTCOMES: dict[str, tuple[tuple[str, int], ...]] = {
    RS.ACCEPTED: ((IM.ACHIEVED, 20), (IM.PARTIALLY_ACHIEVED, 30), (IM.NOT_ACHIEVED, 40),
                  (IM.NO_LONGER_RELEVANT, 10)),
    RS.PARTIALLY_ACCEPTED: ((IM.ACHIEVED, 10), (IM.PARTIALLY_ACHIEVED, 35),
                            (IM.NOT_ACHIEVED, 48), (IM.NO_LONGER_RELEVANT, 7)),
    RS.REJECTED: ((IM.ACHIEVED, 3), (IM.PARTIALLY_ACHIEVED, 7), (IM.NOT_ACHIEVED, 82),
                  (IM.NO_LONGER_RELEVANT, 8)),
    RS.NO_REPLY: ((IM.ACHIEVED, 3), (IM.PARTIALLY_ACHIEVED, 7), (IM.NOT_ACHIEVED, 82),
                  (IM.NO_LONGER_RELEVANT, 8)),
}
# At the places that stay unresolved: the follow-up proposal's examples.
STUCK_OUTCOMES = ((IM.ACHIEVED, 5), (IM.PARTIALLY_ACHIEVED, 20), (IM.NOT_ACHIEVED, 70),
                  (IM.NO_LONGER_RELEVANT, 5))
PRIORITY_MIX = ((Priority.URGENT, 10), (Priority.KEY, 35), (Priority.GENERAL, 55))
STUCK_PRIORITY_MIX = ((Priority.URGENT, 10), (Priority.KEY, 55), (Priority.GENERAL, 35))
# A finding's severity shapes the priority of what is recommended from it.
PRIORITY_BY_SEVERITY: dict[str, tuple[tuple[str, int], ...]] = {
    "urgent": ((Priority.URGENT, 50), (Priority.KEY, 40), (Priority.GENERAL, 10)),
    "key": ((Priority.URGENT, 5), (Priority.KEY, 55), (Priority.GENERAL, 40)),
    "general": ((Priority.URGENT, 2), (Priority.KEY, 20), (Priority.GENERAL, 78)),
}
LEVEL_MIX = ((Level.FACILITY, 62), (Level.SUPERVISORY, 20), (Level.NATIONAL, 13),
             (Level.LEGISLATIVE, 5))
# How much history each kind of place has: prisons are visited far more than police cells.
WEIGHT_BY_SETTING = {"prison": 5.0, "psychiatric": 3.0, "juvenile": 3.0, "immigration": 3.0,
                     "care": 2.0, "police": 1.0}
MINISTRY_BY_THEME = {"health": "Ministry of Health", "treatment": "Ministry of the Interior",
                     "safeguards": "Ministry of the Interior"}
# origin, symbol of the report (cc: the country's code), years ago, recommendations, ministry
EXTERNAL_REPORTS = (
    (Origin.CPT, "CPT/Inf ({year}) 14", 7, 8),
    (Origin.TREATY_BODY, "CAT/C/{cc}/CO/3", 8, 6),
    (Origin.SPT, "CAT/OP/{cc}/1", 6, 10),
    (Origin.CPT, "CPT/Inf ({year}) 31", 3, 7),
    (Origin.TREATY_BODY, "CAT/C/{cc}/CO/4", 2, 7),
)
OFFICERS = ("monitor", "monitor-ash", "monitor-birch", "head", "data_officer")
# fmt: on
STUCK_SHARE = 0.1
REPEAT_CHANCE = 0.2
MEETING_CHANCE = 0.12
STUCK_LIVE_PLACES = 2
FLAWED_DRAFTS = 0.45
ROUNDTABLE_YEARS = 6


@dataclass
class RecommendationsDemoSummary:
    recommendations: int
    sent: int
    drafts: int
    external: int
    responses: int
    exchanges: int
    verifications: int
    action_plans: int
    places_for_follow_up: int
    seconds: float = 0.0

    def counts(self) -> dict[str, Any]:
        return {
            "recommendations": self.recommendations,
            "sent": self.sent,
            "drafts": self.drafts,
            "external": self.external,
            "responses": self.responses,
            "exchanges": self.exchanges,
            "verifications": self.verifications,
            "action_plans": self.action_plans,
        }


def demo_load_recommendations(*, scale: str, seed: int) -> RecommendationsDemoSummary:
    """Build the demo's recommendations and dialogue; refuse in production."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    if Recommendation.objects.exists():
        raise DemoRefused("Recommendations exist already; the demo loads only into none.")
    started = time.perf_counter()
    with transaction.atomic():
        rng = random.Random(seed * 15485863 + 29)  # noqa: S311 - fiction, not secrets
        summary = _Builder(rng, scale, today=timezone.localdate()).build()
        audit.record(actor=None, action="demo.load_recommendations", detail=summary.counts())
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


def places_for_follow_up(today: dt.date) -> int:
    """Places with at least the rule's number of counted recommendations sent, past their
    deadline and not settled: those the follow-up proposal lists."""
    rule = FollowUpRule.current()
    return (
        Recommendation.objects.filter(
            state=Recommendation.State.SENT,
            priority__in=rule.counted_priorities,
            deadline__lt=today,
            place__isnull=False,
        )
        .exclude(implementation__in=SETTLED)
        .values("place")
        .annotate(n=Count("pk"))
        .filter(n__gte=rule.threshold)
        .count()
    )


# -- what is planned in memory before it is written ------------------------------------------


@dataclass(eq=False)
class _Exchange:
    authority: Authority
    kind: str
    direction: str
    occurred_on: dt.date
    subject: str
    their_reference: str = ""
    participants: str = ""
    summary: str = ""
    by: User | None = None
    row: Exchange | None = None


@dataclass(eq=False)
class _Response:
    status: str
    passage: str
    responded_on: dt.date
    exchange: _Exchange | None
    row: Response | None = None


@dataclass(eq=False)
class _Verification:
    status: str
    verified_on: dt.date
    evidence: str
    note: str
    by: User
    finding_id: int | None = None
    exchange: _Exchange | None = None
    response: _Response | None = None


@dataclass(eq=False)
class _Rec:
    reference: str
    text: str
    theme: str
    level: str
    priority: str
    addressee: Authority | None
    place_id: int | None
    visit_id: int | None
    origin: str
    owner: User
    created_by: User
    state: str = Recommendation.State.SENT
    source_ref: str = ""
    root_cause: str = ""
    deadline: dt.date | None = None
    liaison: str = ""
    sent_on: dt.date | None = None
    response_due: dt.date | None = None
    finding_ids: list[int] = field(default_factory=list)
    repeat_of: _Rec | None = None
    # The words without "recommended again": what a repetition repeats.
    core: str = ""
    responses: list[_Response] = field(default_factory=list)
    verifications: list[_Verification] = field(default_factory=list)
    # The planned answer and the implementation steps still to be verified.
    fate: str = RS.NO_REPLY
    steps: list[str] = field(default_factory=list)
    row: Recommendation | None = None

    def latest_response(self) -> _Response | None:
        return max(
            reversed(self.responses), key=lambda r: r.responded_on, default=None
        )  # the later-written wins a tie, as `-responded_on, -id` does

    def latest_verification(self) -> _Verification | None:
        return max(reversed(self.verifications), key=lambda v: v.verified_on, default=None)

    def implementation(self) -> str:
        latest = self.latest_verification()
        return latest.status if latest else ""

    @property
    def depth(self) -> int:
        depth, node = 0, self.repeat_of
        while node is not None and node.row is None:
            depth, node = depth + 1, node.repeat_of
        return depth


@dataclass(eq=False)
class _Plan:
    authority: Authority
    title: str
    adopted_on: dt.date
    exchange: _Exchange
    commitments: list[tuple[_Rec, str, dt.date, dt.date | None]]


@dataclass(eq=False)
class _Occasion:
    """A visit to a place: a demo visit, or one of the NPM's earlier visits (history)."""

    on: dt.date
    report_on: dt.date
    visit: Visit | None = None
    findings: list[Finding] = field(default_factory=list)
    answer_on: dt.date | None = None
    unanswered: bool = False
    draft: bool = False
    letter: _Exchange | None = None


def _weighted(rng: random.Random, pairs: Iterable[tuple[Any, float]]) -> Any:
    items = list(pairs)
    return rng.choices([item for item, _w in items], weights=[w for _i, w in items])[0]


def response_due(
    addressee: Authority | None,
    priority: str,
    deadline: dt.date | None,
    sent_on: dt.date,
    default_days: int,
) -> dt.date:
    """`services.response_due_on`, without its query per row (same rule, same result)."""
    days = (addressee.response_days if addressee else None) or default_days
    due = sent_on + dt.timedelta(days=days)
    if priority == Priority.URGENT and deadline:
        due = min(due, deadline)
    return due


# -- the builder --------------------------------------------------------------------------------


class _Builder:
    def __init__(self, rng: random.Random, scale: str, *, today: dt.date) -> None:
        self.rng = rng
        self.scale = scale
        self.today = today
        self.rule = FollowUpRule.current()
        self.people = _staff()
        self.clerk = self.people["data_officer"]
        self.head = self.people["head"]
        self.authorities = {a.pk: a for a in Authority.objects.order_by("name", "pk")}
        ministries = [a for a in self.authorities.values() if a.kind == Authority.Kind.MINISTRY]
        if not ministries:
            raise DemoRefused("The demo inventory holds no ministry to address.")
        self.ministries = {a.name: a for a in ministries}
        self.parliament = next(
            (a for a in self.authorities.values() if a.kind == Authority.Kind.PARLIAMENT),
            ministries[0],
        )
        self.numbers: Counter[int] = Counter()
        self.their_numbers: Counter[tuple[int, int]] = Counter()
        self.counts: Counter[str] = Counter()
        self.recs: list[_Rec] = []
        self.exchanges: list[_Exchange] = []
        self.plans: list[_Plan] = []
        self.external: list[_Rec] = []

    # -- whole build ---------------------------------------------------------------------

    def build(self) -> RecommendationsDemoSummary:
        live = self._live_occasions()
        places = {p.pk: p for p in self._places()}
        live_ids = [pk for pk in places if pk in live]
        stuck_live = set(self._stuck_live(live_ids, places))
        history = self._history_plan(places, live)
        self._roundtables()
        self._externals()
        ordered = live_ids + [pk for pk in places if pk not in live]
        for start in range(0, len(ordered), CHUNK_PLACES):
            for pk in ordered[start : start + CHUNK_PLACES]:
                stuck = pk in stuck_live if pk in live else self.rng.random() < STUCK_SHARE
                self._place(places[pk], live.get(pk, []), history.get(pk, []), stuck=stuck)
            self._flush()
        self._link_externals()
        sent = Recommendation.objects.filter(state=Recommendation.State.SENT).count()
        total = Recommendation.objects.count()
        return RecommendationsDemoSummary(
            recommendations=total,
            sent=sent,
            drafts=total - sent,
            external=len(self.external),
            responses=self.counts["responses"],
            exchanges=self.counts["exchanges"],
            verifications=self.counts["verifications"],
            action_plans=self.counts["plans"],
            places_for_follow_up=places_for_follow_up(self.today),
        )

    # -- who writes ----------------------------------------------------------------------

    def _officer(self) -> User:
        return self.people[self.rng.choice(OFFICERS)]

    def _reference(self, year: int) -> str:
        self.numbers[year] += 1
        return f"R-{year}-{self.numbers[year]:05d}"

    def _their_reference(self, authority: Authority, on: dt.date) -> str:
        self.their_numbers[(authority.pk, on.year)] += 1
        number = self.their_numbers[(authority.pk, on.year)]
        return f"{text.initials(authority.name)}/{on.year}/{number:04d}"

    def _exchange(self, authority: Authority, kind: str, direction: str, on: dt.date,
                  subject: str, **extra: Any) -> _Exchange:  # fmt: skip
        by = self.clerk if direction == Exchange.Direction.INCOMING else self.head
        exchange = _Exchange(authority, kind, direction, on, subject[:300], by=by, **extra)
        self.exchanges.append(exchange)
        return exchange

    # -- the demo visits ------------------------------------------------------------------

    def _live_occasions(self) -> dict[int, list[_Occasion]]:
        visits = list(
            Visit.objects.filter(state__in=AFTER_DEBRIEF)
            .select_related("place", "lead")
            .order_by("starts_on", "reference")
        )
        findings: dict[int, list[Finding]] = defaultdict(list)
        for finding in Finding.objects.filter(visit__in=[v.pk for v in visits]).order_by("id"):
            findings[finding.visit_id].append(finding)
        moves: dict[str, dict[str, dt.date]] = defaultdict(dict)
        events = AuditEvent.objects.filter(action="visit.move", object_type="visits.visit")
        for object_id, detail in events.order_by("id").values_list("object_id", "detail"):
            if isinstance(detail, dict) and detail.get("on"):
                moves[object_id][detail["to"]] = dt.date.fromisoformat(detail["on"])
        by_place: dict[int, list[_Occasion]] = defaultdict(list)
        for visit in visits:
            by_place[visit.place_id].append(self._live_occasion(visit, findings, moves))
        return dict(by_place)

    def _live_occasion(
        self,
        visit: Visit,
        findings: dict[int, list[Finding]],
        moves: dict[str, dict[str, dt.date]],
    ) -> _Occasion:
        dates = moves.get(str(visit.pk), {})
        occasion = _Occasion(
            on=visit.ends_on, report_on=self.today, visit=visit, findings=findings[visit.pk]
        )
        if visit.state in STILL_WRITTEN_UP:
            occasion.draft = True  # not sent yet: its recommendations are drafts
        elif visit.kind in LETTER_KINDS:
            letter_on = visit.ends_on + dt.timedelta(days=self.rng.randint(14, 35))
            occasion.report_on = min(letter_on, self.today)
        else:
            sent = dates.get(S.REPORT_SENT)
            occasion.report_on = sent or min(visit.ends_on + dt.timedelta(days=42), self.today)
            occasion.answer_on = dates.get(S.RESPONSE_RECEIVED)
            occasion.unanswered = occasion.answer_on is None
        return occasion

    def _places(self) -> list[Place]:
        return list(
            Place.objects.filter(authority__isnull=False)
            .select_related("category")
            .order_by("external_ref", "pk")
        )

    def _stuck_live(self, live_ids: list[int], places: dict[int, Place]) -> list[int]:
        """The demo visits' places that stay unresolved: prisons first, for the story."""
        ranked = sorted(
            live_ids,
            key=lambda pk: (SETTING_OF.get(places[pk].category.code) != "prison", pk),
        )
        return ranked[:STUCK_LIVE_PLACES]

    # -- history -----------------------------------------------------------------------

    def _history_plan(
        self, places: dict[int, Place], live: dict[int, list[_Occasion]]
    ) -> dict[int, list[_Occasion]]:
        """Earlier visits to the places the NPM knows, over twenty years, enough of them
        to reach the scale's number of recommendations."""
        live_count = sum(4 for occasions in live.values() for _o in occasions)
        wanted = max(0, TARGET.get(self.scale, TARGET["small"]) - live_count - 40)
        visits_needed = wanted / 4.0
        eligible: list[tuple[Place, float, dt.date]] = []
        start = self.today - dt.timedelta(days=HISTORY_YEARS * 365)
        for place in places.values():
            end = self._history_end(place, live.get(place.pk))
            if end is None or end < start + dt.timedelta(days=90):
                continue
            setting = SETTING_OF.get(place.category.code, "prison")
            eligible.append((place, WEIGHT_BY_SETTING.get(setting, 1.0), end))
        total_weight = sum(weight for _p, weight, _e in eligible) or 1.0
        plan: dict[int, list[_Occasion]] = {}
        for place, weight, end in eligible:
            expected = visits_needed * weight / total_weight
            count = int(expected) + (self.rng.random() < expected - int(expected))
            if count:
                plan[place.pk] = self._history_dates(start, end, count)
        return plan

    def _history_end(self, place: Place, live: list[_Occasion] | None) -> dt.date | None:
        latest = self.today - dt.timedelta(days=75)
        if live:
            return min(latest, live[0].on - dt.timedelta(days=200))
        if place.last_visit_on is None:
            return None
        end = min(place.last_visit_on, latest)
        if place.closed_on is not None:
            end = min(end, place.closed_on - dt.timedelta(days=30))
        return end

    def _history_dates(self, start: dt.date, end: dt.date, count: int) -> list[_Occasion]:
        gap = max(1, (end - start).days // count)
        dates = []
        for index in range(count):
            jitter = self.rng.randint(0, gap // 3) if index else 0
            dates.append(max(start, end - dt.timedelta(days=index * gap + jitter)))
        occasions = []
        for day in sorted(dates):
            report = day + dt.timedelta(days=self.rng.randint(21, 70))
            occasions.append(_Occasion(on=day, report_on=min(report, self.today)))
        return occasions

    # -- one place's story ---------------------------------------------------------------

    def _place(
        self, place: Place, live: list[_Occasion], history: list[_Occasion], *, stuck: bool
    ) -> None:
        setting_key = SETTING_OF.get(place.category.code, "prison")
        occasions = history + live
        if not occasions:
            return
        authority = self.authorities.get(place.authority_id or 0)
        if authority is None:
            return
        story = _Story(self, place, authority, setting_key, stuck=stuck)
        for occasion in occasions:
            story.occasion(occasion)
        story.afterwards()
        story.settle_the_proposal()
        self.recs.extend(story.recs)

    # -- national dialogue and external bodies ---------------------------------------------

    def _roundtables(self) -> None:
        justice = self.ministries.get("Ministry of Justice") or next(iter(self.ministries.values()))
        for years_ago in range(ROUNDTABLE_YEARS, 0, -1):
            year = self.today.year - years_ago
            self._exchange(
                justice,
                Exchange.Kind.ROUNDTABLE,
                Exchange.Direction.MUTUAL,
                dt.date(year, 11, 14),
                text.ROUNDTABLE_SUBJECT.format(year=year),
                participants=text.ROUNDTABLE_PARTICIPANTS,
                summary=text.ROUNDTABLE_SUMMARY,
            )

    def _country_code(self) -> str:
        country = Region.objects.filter(parent__isnull=True).order_by("code").first()
        name = country.name.split()[-1] if country else "Demo"
        return name[:3].upper()

    def _externals(self) -> None:
        """Recommendations of the SPT, the CPT and the Committee against Torture to the
        State, as the data officer imports them (¶20, 30)."""
        rng, code = self.rng, self._country_code()
        themes = list(text.EXTERNAL_ACTIONS)
        for origin, symbol, years_ago, count in EXTERNAL_REPORTS:
            issued = self.today - dt.timedelta(days=years_ago * 365 + rng.randint(0, 120))
            report = symbol.format(cc=code, year=issued.year)
            body = text.EXTERNAL_BODIES[origin][1]
            paragraph = rng.randint(12, 30)
            reply: _Exchange | None = None
            for _index in range(count):
                paragraph += rng.randint(2, 6)
                theme = rng.choice(themes)
                ministry = self._ministry_for_theme(theme)
                rec = _Rec(
                    reference=self._reference(issued.year),
                    text=text.external_text(rng, origin, theme),
                    theme=theme,
                    level=Level.NATIONAL,
                    priority=_weighted(rng, ((Priority.KEY, 6), (Priority.GENERAL, 4))),
                    addressee=ministry,
                    place_id=None,
                    visit_id=None,
                    origin=origin,
                    owner=self.clerk,
                    created_by=self.clerk,
                    source_ref=f"{report}, para. {paragraph}",
                    deadline=issued + dt.timedelta(days=365),
                    sent_on=issued,
                )
                rec.response_due = self._due(rec, issued)
                rec.fate = _weighted(rng, RESPONSE_MIX)
                answered_on = issued + dt.timedelta(days=rng.randint(150, 330))
                if rec.fate != RS.NO_REPLY and answered_on <= self.today:
                    if reply is None or reply.authority != ministry:
                        reply = self._exchange(
                            ministry,
                            Exchange.Kind.LETTER,
                            Exchange.Direction.INCOMING,
                            answered_on,
                            text.EXTERNAL_REPLY_SUBJECT.format(body=body),
                            their_reference=self._their_reference(ministry, answered_on),
                        )
                    self._respond(rec, rec.fate, reply.occurred_on, reply)
                    outcome = _weighted(rng, OUTCOMES[rec.fate])
                    if outcome != IM.NO_LONGER_RELEVANT and rng.random() < 0.6:
                        self._verify_by_document(rec, outcome, reply)
                self.external.append(rec)
                self.recs.append(rec)

    def _ministry_for_theme(self, theme: str) -> Authority:
        name = MINISTRY_BY_THEME.get(theme, "Ministry of Justice")
        return self.ministries.get(name) or next(iter(self.ministries.values()))

    def _link_externals(self) -> None:
        """Each external recommendation is tracked with two to four of the NPM's own on the
        same theme, addressed at national or legislative level."""
        through = Recommendation.linked.through
        rows = []
        for rec in self.external:
            own = _row(rec).pk
            candidates = list(
                Recommendation.objects.filter(
                    origin=Origin.OWN_VISIT,
                    state=Recommendation.State.SENT,
                    theme=rec.theme,
                    level__in=[Level.NATIONAL, Level.LEGISLATIVE],
                )
                .order_by("reference")
                .values_list("pk", flat=True)[:300]
            )
            count = min(len(candidates), self.rng.randint(2, 4))
            for other in self.rng.sample(candidates, k=count):
                rows.append(through(from_recommendation_id=own, to_recommendation_id=other))
                rows.append(through(from_recommendation_id=other, to_recommendation_id=own))
        through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)

    # -- shared steps -------------------------------------------------------------------

    def _due(self, rec: _Rec, sent_on: dt.date) -> dt.date:
        return response_due(
            rec.addressee, rec.priority, rec.deadline, sent_on, self.rule.default_response_days
        )

    def _respond(
        self, rec: _Rec, status: str, on: dt.date, exchange: _Exchange | None, passage: str = ""
    ) -> _Response:
        answer = _Response(
            status=status,
            passage=passage or text.passage(self.rng, status, rec.theme, on),
            responded_on=on,
            exchange=exchange,
        )
        rec.responses.append(answer)
        return answer

    def _verify_by_document(
        self, rec: _Rec, status: str, exchange: _Exchange, on: dt.date | None = None
    ) -> None:
        on = on or exchange.occurred_on
        rec.verifications.append(
            _Verification(
                status=status,
                verified_on=on,
                evidence=Verification.Evidence.DOCUMENT,
                note=text.verification_note(self.rng, status, rec.theme, on),
                by=self._officer(),
                exchange=exchange,
            )
        )

    # -- writing --------------------------------------------------------------------------

    def _flush(self) -> None:
        """Write what was planned, parents first, in batches; the rows get their keys."""
        fresh = [e for e in self.exchanges if e.row is None]
        rows = Exchange.objects.bulk_create(
            [
                Exchange(
                    authority_id=e.authority.pk,
                    kind=e.kind,
                    direction=e.direction,
                    occurred_on=e.occurred_on,
                    subject=e.subject,
                    their_reference=e.their_reference,
                    participants=e.participants,
                    summary=e.summary,
                    created_by_id=e.by.pk if e.by else self.clerk.pk,
                )
                for e in fresh
            ],
            batch_size=BATCH,
        )
        for planned, row in zip(fresh, rows, strict=True):
            planned.row = row
        self.counts["exchanges"] += len(rows)
        self.exchanges = [e for e in self.exchanges if e.row is None]
        self._write_recommendations(self.recs)
        self._write_children(self.recs)
        self._write_plans(self.plans)
        self.recs, self.plans = [], []

    def _write_recommendations(self, recs: Sequence[_Rec]) -> None:
        by_depth: dict[int, list[_Rec]] = defaultdict(list)
        for rec in recs:
            by_depth[rec.depth].append(rec)
        for depth in sorted(by_depth):
            batch = by_depth[depth]
            rows = Recommendation.objects.bulk_create(
                [_recommendation_row(rec) for rec in batch], batch_size=BATCH
            )
            for rec, row in zip(batch, rows, strict=True):
                rec.row = row
        through = Recommendation.findings.through
        links = [
            through(recommendation_id=_row(rec).pk, finding_id=finding_id)
            for rec in recs
            for finding_id in rec.finding_ids
        ]
        through.objects.bulk_create(links, batch_size=BATCH)

    def _write_children(self, recs: Sequence[_Rec]) -> None:
        answers = [(rec, answer) for rec in recs for answer in rec.responses]
        rows = Response.objects.bulk_create(
            [
                Response(
                    recommendation_id=_row(rec).pk,
                    exchange_id=_exchange_pk(answer.exchange),
                    status=answer.status,
                    passage=answer.passage,
                    responded_on=answer.responded_on,
                    recorded_by_id=self.clerk.pk,
                )
                for rec, answer in answers
            ],
            batch_size=BATCH,
        )
        for (_rec, answer), row in zip(answers, rows, strict=True):
            answer.row = row
        self.counts["responses"] += len(rows)
        checks = [
            Verification(
                recommendation_id=_row(rec).pk,
                status=check.status,
                verified_on=check.verified_on,
                evidence=check.evidence,
                finding_id=check.finding_id,
                exchange_id=_exchange_pk(check.exchange),
                response_id=check.response.row.pk
                if check.response and check.response.row
                else None,
                note=check.note,
                recorded_by_id=check.by.pk,
            )
            for rec in recs
            for check in rec.verifications
        ]
        Verification.objects.bulk_create(checks, batch_size=BATCH)
        self.counts["verifications"] += len(checks)

    def _write_plans(self, plans: Sequence[_Plan]) -> None:
        rows = ActionPlan.objects.bulk_create(
            [
                ActionPlan(
                    authority_id=plan.authority.pk,
                    title=plan.title[:300],
                    adopted_on=plan.adopted_on,
                    exchange_id=_exchange_pk(plan.exchange),
                    created_by_id=self.clerk.pk,
                )
                for plan in plans
            ],
            batch_size=BATCH,
        )
        self.counts["plans"] += len(rows)
        Commitment.objects.bulk_create(
            [
                Commitment(
                    plan_id=row.pk,
                    recommendation_id=_row(rec).pk,
                    text=wording,
                    due_on=due_on,
                    done_on=done_on,
                )
                for plan, row in zip(plans, rows, strict=True)
                for rec, wording, due_on, done_on in plan.commitments
            ],
            batch_size=BATCH,
        )


def _recommendation_row(rec: _Rec) -> Recommendation:
    """The row as the services leave it: the latest response and verification copied."""
    answer = rec.latest_response()
    check = rec.latest_verification()
    days = None
    if check is not None and check.status == IM.ACHIEVED and rec.sent_on:
        days = max((check.verified_on - rec.sent_on).days, 0)
    return Recommendation(
        reference=rec.reference,
        text=rec.text,
        origin=rec.origin,
        source_ref=rec.source_ref,
        visit_id=rec.visit_id,
        place_id=rec.place_id,
        addressee_id=rec.addressee.pk if rec.addressee else None,
        level=rec.level,
        theme=rec.theme,
        root_cause=rec.root_cause,
        priority=rec.priority,
        deadline=rec.deadline,
        liaison=rec.liaison,
        state=rec.state,
        sent_on=rec.sent_on,
        response_due=rec.response_due,
        response=answer.status if answer else "",
        responded_on=answer.responded_on if answer else None,
        implementation=check.status if check else "",
        implementation_on=check.verified_on if check else None,
        days_to_implement=days,
        repeat_of_id=_row(rec.repeat_of).pk if rec.repeat_of else None,
        owner_id=rec.owner.pk,
        created_by_id=rec.created_by.pk,
    )


def _exchange_pk(exchange: _Exchange | None) -> int | None:
    if exchange is None:
        return None
    if exchange.row is None:
        raise RuntimeError(f"The exchange {exchange.subject!r} is written after its replies.")
    return exchange.row.pk


def _row(rec: _Rec) -> Recommendation:
    if rec.row is None:
        raise RuntimeError(f"{rec.reference} is written after what refers to it.")
    return rec.row


def _staff() -> dict[str, User]:
    """The demo's staff by key (the visits demo's visiting staff, else the role's account)."""
    people: dict[str, User] = {}
    for role in (Role.HEAD, Role.MONITOR, Role.DATA_OFFICER):
        user = User.objects.filter(email=demo_email(role)).first()
        if user is None:
            raise DemoRefused(f"The demo account {demo_email(role)} is missing.")
        people[str(role)] = user
    for extra in ("monitor-ash", "monitor-birch"):
        found = User.objects.filter(email=f"{extra}@{DEMO_DOMAIN}").first()
        people[extra] = found or people[Role.MONITOR]
    return people


# -- one place over the years ------------------------------------------------------------------


class _Story:
    """The recommendations made at one place, visit after visit: sent, answered, verified
    at the next visit, repeated when nothing changed."""

    def __init__(
        self,
        builder: _Builder,
        place: Place,
        authority: Authority,
        setting_key: str,
        *,
        stuck: bool,
    ):
        self.b = builder
        self.rng = builder.rng
        self.today = builder.today
        self.place = place
        self.setting_key = setting_key
        self.setting = setting_for(place.category.code)
        self.stuck = stuck
        self.recs: list[_Rec] = []
        self.open: list[_Rec] = []
        self.authority = authority

    # one visit -----------------------------------------------------------------------

    def occasion(self, occasion: _Occasion) -> None:
        repeatable = [] if occasion.draft else self._verify_at(occasion)
        new = self._recommend(occasion, repeatable)
        self.recs.extend(new)
        if not occasion.draft:
            self._dialogue(occasion, new)
            self.open.extend(new)

    def _verify_at(self, occasion: _Occasion) -> list[_Rec]:
        """Check the open recommendations at this visit; return those still not done."""
        rng = self.rng
        unresolved = []
        for rec in list(self.open):
            if rec.sent_on is None or not rec.steps:
                continue
            if rec.sent_on + dt.timedelta(days=60) > occasion.on:
                continue
            status = rec.steps.pop(0)
            if not rec.steps:
                self.open.remove(rec)
            check = _Verification(
                status=status,
                verified_on=occasion.on,
                evidence=Verification.Evidence.FINDING,
                note=text.verification_note(rng, status, rec.theme, occasion.on),
                by=occasion.visit.lead if occasion.visit else self.b._officer(),
            )
            if occasion.visit is not None and occasion.findings:
                same = [f for f in occasion.findings if f.theme == rec.theme]
                check.finding_id = rng.choice(same or occasion.findings).pk
            else:
                check.evidence = Verification.Evidence.DOCUMENT
                check.exchange = self._visit_letter(occasion)
            rec.verifications.append(check)
            if status in (IM.NOT_ACHIEVED, IM.PARTIALLY_ACHIEVED):
                unresolved.append(rec)
        return unresolved

    def _visit_letter(self, occasion: _Occasion) -> _Exchange:
        """The NPM's letter with the findings of a (historical) follow-up visit."""
        if occasion.letter is None:
            on = occasion.report_on
            occasion.letter = self.b._exchange(
                self.authority,
                Exchange.Kind.LETTER,
                Exchange.Direction.OUTGOING,
                on,
                text.FOLLOW_UP_LETTER_SUBJECT.format(
                    place=self.place.name, date=text.long_date(occasion.on)
                ),
            )
        return occasion.letter

    # the recommendations of one visit --------------------------------------------------

    def _recommend(self, occasion: _Occasion, repeatable: list[_Rec]) -> list[_Rec]:
        rng = self.rng
        count = rng.randint(2, 6)
        sources = self._sources(occasion, count)
        repeats = [r for r in repeatable if rng.random() < REPEAT_CHANCE][:1]
        new: list[_Rec] = []
        for index, (theme, finding) in enumerate(sources):
            earlier = next((r for r in repeats if r.theme == theme), None)
            if earlier is None and repeats and index >= count - len(repeats):
                earlier = repeats[0]
                theme, finding = earlier.theme, self._finding_on(occasion, earlier.theme)
            if earlier is not None:
                repeats.remove(earlier)
            new.append(self._rec(occasion, theme, finding, earlier, paragraph=index + 1))
        return new

    def _sources(self, occasion: _Occasion, count: int) -> list[tuple[str, Finding | None]]:
        concerns = [f for f in occasion.findings if f.kind == Finding.Kind.CONCERN]
        if concerns:
            chosen = [concerns[i % len(concerns)] for i in range(count)]
            return [(finding.theme, finding) for finding in chosen]
        weights = THEME_WEIGHTS.get(self.setting_key, THEME_WEIGHTS["prison"])
        themes = [_weighted(self.rng, weights.items()) for _ in range(count)]
        if occasion.visit is not None and occasion.visit.themes:
            themes = [self.rng.choice(occasion.visit.themes) for _ in range(count)]
        return [(theme, None) for theme in themes]

    def _finding_on(self, occasion: _Occasion, theme: str) -> Finding | None:
        return next((f for f in occasion.findings if f.theme == theme), None)

    def _priority(self, finding: Finding | None) -> str:
        if self.stuck:
            return _weighted(self.rng, STUCK_PRIORITY_MIX)
        if finding is not None and finding.severity in PRIORITY_BY_SEVERITY:
            return _weighted(self.rng, PRIORITY_BY_SEVERITY[finding.severity])
        return _weighted(self.rng, PRIORITY_MIX)

    def _addressee(self, level: str) -> Authority:
        if level == Level.LEGISLATIVE:
            return self.b.parliament
        if level == Level.NATIONAL:
            node: Authority | None = self.authority
            seen: set[int] = set()
            while node is not None and node.pk not in seen:
                if node.kind == Authority.Kind.MINISTRY:
                    return node
                seen.add(node.pk)
                node = self.b.authorities.get(node.parent_id) if node.parent_id else None
            return self.authority
        return self.authority

    def _rec(
        self,
        occasion: _Occasion,
        theme: str,
        finding: Finding | None,
        earlier: _Rec | None,
        *,
        paragraph: int,
    ) -> _Rec:
        rng, b = self.rng, self.b
        priority = self._priority(finding)
        level = Level.FACILITY if priority == Priority.URGENT else _weighted(rng, LEVEL_MIX)
        if earlier is not None:
            level = earlier.level
        addressee = earlier.addressee if earlier is not None else self._addressee(level)
        if addressee is not None and level in (Level.FACILITY, Level.SUPERVISORY):
            # The level says what the addressee is: a police directorate is no facility.
            level = str(LEVEL_OF_AUTHORITY.get(addressee.kind, level))  # type: ignore[call-overload]
        visit = occasion.visit
        author = visit.lead if visit is not None else b._officer()
        rec = _Rec(
            reference="",
            text="",
            theme=theme,
            level=level,
            priority=priority,
            addressee=addressee,
            place_id=self.place.pk,
            visit_id=visit.pk if visit is not None else None,
            origin=Origin.OWN_VISIT,
            owner=author,
            created_by=author,
            finding_ids=[finding.pk] if finding is not None else [],
            repeat_of=earlier,
        )
        if occasion.draft:
            self._as_draft(rec)
        else:
            self._as_sent(rec, occasion, paragraph)
        if earlier is not None:
            rec.core = earlier.core
            rec.text = text.repeat_text(rng, earlier.core, earlier.reference)
        elif not rec.text:
            rec.core = text.recommendation_text(rng, self.setting, theme, level, rec.deadline)
            rec.text = rec.core
        if rec.priority == Priority.URGENT and addressee is not None:
            rec.liaison = addressee.urgent_contact
        return rec

    def _as_draft(self, rec: _Rec) -> None:
        rng = self.rng
        rec.state = Recommendation.State.DRAFT
        rec.reference = self.b._reference(self.today.year)
        if rng.random() < FLAWED_DRAFTS:
            rec.text = text.vague_text(rng, rec.theme)
            rec.priority = Priority.GENERAL if rec.priority == Priority.URGENT else rec.priority
            rec.finding_ids = rec.finding_ids if rng.random() < 0.5 else []
            if rng.random() < 0.2:
                rec.addressee, rec.level = None, ""
            return
        rec.deadline = self._deadline(self.today, rec.priority)
        rec.root_cause = text.root_cause(rng, rec.theme)

    def _as_sent(self, rec: _Rec, occasion: _Occasion, paragraph: int) -> None:
        rng = self.rng
        sent_on = occasion.report_on
        rec.sent_on = sent_on
        rec.reference = self.b._reference(sent_on.year)
        rec.deadline = self._deadline(sent_on, rec.priority)
        rec.response_due = self.b._due(rec, sent_on)
        if rng.random() < 0.88:
            rec.root_cause = text.root_cause(rng, rec.theme)
        if occasion.visit is None:
            visited = text.long_date(occasion.on)
            rec.source_ref = f"Report on the visit of {visited}, para. {paragraph}"
        rec.fate = _weighted(rng, RESPONSE_MIX)
        outcome = _weighted(rng, STUCK_OUTCOMES if self.stuck else OUTCOMES[rec.fate])
        rec.steps = [outcome]
        if outcome in (IM.ACHIEVED, IM.PARTIALLY_ACHIEVED) and rng.random() < 0.3:
            first = IM.NOT_ACHIEVED if outcome == IM.PARTIALLY_ACHIEVED else IM.PARTIALLY_ACHIEVED
            rec.steps = [first, outcome]

    def _deadline(self, start: dt.date, priority: str) -> dt.date:
        if priority == Priority.URGENT:
            shortest = self.b.rule.urgent_days
            days = self.rng.randint(shortest, max(shortest, 30))
        else:
            days = self.rng.randint(1, 12) * 30 + self.rng.randint(-4, 4)
        return start + dt.timedelta(days=days)

    # the answers -------------------------------------------------------------------------

    def _dialogue(self, occasion: _Occasion, new: list[_Rec]) -> None:
        groups: dict[int, list[_Rec]] = {}
        addressees: dict[int, Authority] = {}
        for rec in new:
            if rec.addressee is not None:
                addressees[rec.addressee.pk] = rec.addressee
                groups.setdefault(rec.addressee.pk, []).append(rec)
        for pk, recs in groups.items():
            addressee = addressees[pk]
            if occasion.visit is not None:
                self._report_letter(occasion, occasion.visit, addressee)
                self._urgent_call(occasion, addressee, recs)
            self._answer(occasion, addressee, recs)

    def _report_letter(self, occasion: _Occasion, visit: Visit, addressee: Authority) -> None:
        subject = self.rng.choice(text.REPORT_SUBJECTS).format(
            place=self.place.name, visit=visit.reference, date=text.long_date(visit.starts_on)
        )
        self.b._exchange(
            addressee,
            Exchange.Kind.LETTER,
            Exchange.Direction.OUTGOING,
            occasion.report_on,
            subject,
            summary=f"Sent with the recommendations of {visit.reference}.",
        )

    def _urgent_call(self, occasion: _Occasion, addressee: Authority, recs: list[_Rec]) -> None:
        urgent = [r for r in recs if r.priority == Priority.URGENT]
        if not urgent:
            return
        on = min(occasion.report_on + dt.timedelta(days=self.rng.randint(2, 7)), self.today)
        self.b._exchange(
            addressee,
            Exchange.Kind.CALL,
            Exchange.Direction.MUTUAL,
            on,
            text.CALL_SUBJECT.format(place=self.place.name),
            participants=addressee.urgent_contact or "Duty officer",
            summary=f"Urgent recommendations {', '.join(r.reference for r in urgent)} discussed.",
        )

    def _answer_date(self, occasion: _Occasion, addressee: Authority) -> dt.date | None:
        if occasion.visit is not None and addressee.pk == self.authority.pk:
            if occasion.unanswered:
                return None
            if occasion.answer_on is not None:
                return occasion.answer_on
        if occasion.visit is not None and occasion.visit.state == S.REPORT_SENT:
            return None
        return occasion.report_on + dt.timedelta(days=self.rng.randint(30, 120))

    def _answer(self, occasion: _Occasion, addressee: Authority, recs: list[_Rec]) -> None:
        rng = self.rng
        on = self._answer_date(occasion, addressee)
        if on is None or on > self.today:
            return
        answered = [r for r in recs if r.fate != RS.NO_REPLY]
        noted = [r for r in recs if r.fate == RS.NO_REPLY and rng.random() < 0.4]
        if not answered and not noted:
            return
        letter = self.b._exchange(
            addressee,
            Exchange.Kind.LETTER,
            Exchange.Direction.INCOMING,
            on,
            rng.choice(text.REPLY_SUBJECTS).format(
                place=self.place.name,
                date=text.long_date(occasion.on),
                visit=occasion.visit.reference if occasion.visit else text.long_date(occasion.on),
            ),
            their_reference=self.b._their_reference(addressee, on),
            summary=rng.choice(text.REPLY_SUMMARIES),
        )
        later = [r for r in answered if rng.random() < 0.12]
        for rec in noted + later:
            self.b._respond(rec, RS.NO_REPLY, on, letter)
        self._passages([r for r in answered if r not in later], on, letter)
        if later:
            self._second_letter(addressee, later, on)
        self._meeting(addressee, [r for r in answered if r.fate == RS.PARTIALLY_ACCEPTED], on)
        self._action_plan(occasion, addressee, answered, letter)

    def _passages(self, recs: list[_Rec], on: dt.date, letter: _Exchange) -> None:
        """One paragraph per recommendation, or one for several on the same theme."""
        rng = self.rng
        bundles: dict[tuple[str, str], list[_Rec]] = defaultdict(list)
        for rec in recs:
            bundles[(rec.fate, rec.theme)].append(rec)
        for (status, theme), bundle in bundles.items():
            if len(bundle) >= 2 and rng.random() < 0.6:
                refs = [r.reference for r in bundle]
                shared = text.group_passage(rng, status, theme, on, refs)
                for rec in bundle:
                    self.b._respond(rec, status, on, letter, shared)
            else:
                for rec in bundle:
                    self.b._respond(rec, status, on, letter)

    def _second_letter(self, addressee: Authority, recs: list[_Rec], first_on: dt.date) -> None:
        on = first_on + dt.timedelta(days=self.rng.randint(30, 90))
        if on > self.today:
            return
        letter = self.b._exchange(
            addressee,
            Exchange.Kind.LETTER,
            Exchange.Direction.INCOMING,
            on,
            text.SECOND_REPLY_SUBJECT.format(place=self.place.name),
            their_reference=self.b._their_reference(addressee, on),
        )
        self._passages(recs, on, letter)

    def _meeting(self, addressee: Authority, partial: list[_Rec], after: dt.date) -> None:
        rng = self.rng
        if not partial or rng.random() >= MEETING_CHANCE:
            return
        on = after + dt.timedelta(days=rng.randint(20, 80))
        if on > self.today:
            return
        meeting = self.b._exchange(
            addressee,
            Exchange.Kind.MEETING,
            Exchange.Direction.MUTUAL,
            on,
            text.MEETING_SUBJECT.format(place=self.place.name),
            participants=rng.choice(text.MEETING_PARTICIPANTS),
            summary="Open recommendations reviewed one by one.",
        )
        for rec in partial[:2]:
            self.b._respond(rec, RS.ACCEPTED, on, meeting, text.upgrade_passage(rng, rec.theme))

    def _action_plan(
        self, occasion: _Occasion, addressee: Authority, answered: list[_Rec], letter: _Exchange
    ) -> None:
        rng = self.rng
        accepted = [r for r in answered if r.fate == RS.ACCEPTED]
        chance = 0.3 if occasion.visit is not None else 0.03
        if len(accepted) < 2 or rng.random() >= chance:
            return
        adopted = min(letter.occurred_on + dt.timedelta(days=rng.randint(0, 30)), self.today)
        commitments = []
        for rec in accepted:
            due_on = rec.deadline or adopted + dt.timedelta(days=180)
            done_on = None
            if rec.steps and rec.steps[-1] == IM.ACHIEVED:
                done_on = due_on + dt.timedelta(days=rng.randint(-30, 120))
                done_on = max(adopted, min(done_on, self.today))
            wording = rng.choice(text.COMMITMENTS[rec.theme])
            commitments.append((rec, wording, due_on, done_on))
        title = rng.choice(text.ACTION_PLAN_TITLES).format(place=self.place.name)
        self.b.plans.append(_Plan(addressee, title, adopted, letter, commitments))

    # after the last visit ----------------------------------------------------------------

    def afterwards(self) -> None:
        """What is known without a later visit: the authority's progress reports, and the
        closure of the place."""
        rng = self.rng
        progress: dict[tuple[int, dt.date], _Exchange] = {}
        for rec in list(self.open):
            if not rec.steps or rec.fate not in (RS.ACCEPTED, RS.PARTIALLY_ACCEPTED):
                continue
            if rng.random() >= 0.5:
                continue
            if rec.sent_on is None or rec.addressee is None:
                continue
            on = rec.sent_on + dt.timedelta(days=rng.randint(150, 540))
            if on > self.today:
                continue
            key = (rec.addressee.pk, rec.sent_on)
            if key not in progress:
                progress[key] = self.b._exchange(
                    rec.addressee,
                    Exchange.Kind.LETTER,
                    Exchange.Direction.INCOMING,
                    on,
                    text.PROGRESS_SUBJECT.format(place=self.place.name),
                    their_reference=self.b._their_reference(rec.addressee, on),
                )
            self._reported(rec, rec.steps[-1], progress[key])
        self._closure()

    def _reported(self, rec: _Rec, status: str, letter: _Exchange) -> None:
        """Verified from the authority's progress report: its passage when it reports the
        work done, the report itself otherwise."""
        rec.steps = []
        self.open.remove(rec)
        said = rec.latest_response()
        on = max(letter.occurred_on, said.responded_on) if said else letter.occurred_on
        if status in (IM.ACHIEVED, IM.PARTIALLY_ACHIEVED) and said is not None:
            report = text.progress_passage(self.rng, status, rec.theme, on)
            answer = self.b._respond(rec, said.status, on, letter, report)
            rec.verifications.append(
                _Verification(
                    status=status,
                    verified_on=on,
                    evidence=Verification.Evidence.RESPONSE,
                    note="As reported by the authority.",
                    by=self.b._officer(),
                    response=answer,
                )
            )
            return
        self.b._verify_by_document(rec, status, letter, on)

    def _closure(self) -> None:
        closed_on = self.place.closed_on
        if closed_on is None or closed_on > self.today:
            return
        pending = [
            r
            for r in self.recs
            if r.state == Recommendation.State.SENT
            and r.sent_on is not None
            and r.sent_on <= closed_on
            and r.implementation() not in SETTLED
        ]
        if not pending:
            return
        letter = self.b._exchange(
            self.authority,
            Exchange.Kind.LETTER,
            Exchange.Direction.INCOMING,
            closed_on,
            text.CLOSURE_SUBJECT.format(place=self.place.name),
            their_reference=self.b._their_reference(self.authority, closed_on),
        )
        for rec in pending:
            latest = rec.latest_verification()
            on = max(closed_on, latest.verified_on) if latest else closed_on
            rec.verifications.append(
                _Verification(
                    status=IM.NO_LONGER_RELEVANT,
                    verified_on=on,
                    evidence=Verification.Evidence.DOCUMENT,
                    note=text.CLOSURE_NOTE,
                    by=self.b._officer(),
                    exchange=letter,
                )
            )
            rec.steps = []

    # the follow-up proposal --------------------------------------------------------------

    def _resolve(self, rec: _Rec) -> None:
        """A key recommendation that must not count towards a proposal here: the last
        check found it done (if the authority had accepted it) or overtaken, else it was
        not key after all."""
        rng = self.rng
        latest = rec.latest_verification()
        accepted = rec.fate in (RS.ACCEPTED, RS.PARTIALLY_ACCEPTED)
        if latest is not None and accepted and rng.random() < 0.5:
            latest.status = IM.ACHIEVED
        elif latest is not None and rng.random() < 0.3:
            latest.status = IM.NO_LONGER_RELEVANT
        else:
            rec.priority = Priority.GENERAL
            return
        latest.note = text.verification_note(rng, latest.status, rec.theme, latest.verified_on)

    def _overdue_key(self) -> list[_Rec]:
        return [
            r
            for r in self.recs
            if r.state == Recommendation.State.SENT
            and r.priority == Priority.KEY
            and r.deadline is not None
            and r.deadline < self.today
            and r.implementation() not in SETTLED
        ]

    def settle_the_proposal(self) -> None:
        """Only the places meant to stay unresolved reach the follow-up threshold; those
        places reach it with recommendations verified as not achieved."""
        threshold = self.b.rule.threshold
        overdue = self._overdue_key()
        if not self.stuck:
            keep = set(self.rng.sample(overdue, k=min(len(overdue), threshold - 1)))
            for rec in overdue:
                if rec not in keep:
                    self._resolve(rec)
            return
        explicit = [r for r in overdue if r.implementation() == IM.NOT_ACHIEVED]
        spare = [
            r
            for r in self.recs
            if r.state == Recommendation.State.SENT
            and r.priority == Priority.GENERAL
            and r.deadline is not None
            and r.deadline < self.today
            and r.implementation() == IM.NOT_ACHIEVED
        ]
        for rec in spare[: max(0, threshold - len(explicit))]:
            rec.priority = Priority.KEY
