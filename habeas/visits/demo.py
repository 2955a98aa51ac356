"""The demo NPM's visits: five years of field work at a dozen places (¶11, 13–17, 25, 31b).

`demo_load_visits(scale=..., seed=...)` runs after the places demo (`manage.py demo`), in
the same transaction. It builds, through the visits services as a team would:

- extra visiting staff (two monitors, a psychologist, a lawyer) made by the accounts
  service, and a team profile with trainings for every visiting member; the external
  expert (the demo's expert account, a psychiatrist) has terms of reference and a signed
  undertaking on file, and the lawyer has declared a conflict of interest with a police
  directorate (overridden once, with a reason, by the head);
- visits of every type at places of several categories, announced and not, each walked
  through its life: team, code of conduct, unit coverage, register checks with sealed
  discrepancies, private, group, staff and management interviews with sealed notes,
  photographs, findings with their evidence (triangulation computed by the services),
  good practices, difficulties, checklist answers and a debrief that passes the source
  check; past visits are closed or waiting for a report or a response, one recently
  debriefed visit carries urgent drafts, one is in progress today and two are planned
  (one of them unannounced) besides one prepared.

Every write goes through a service, so each writes its own audit event, as the real
application does; the one exception is the published demo password of the added
accounts, hashed once and set on them as `habeas.accounts.demo` sets it (an Argon2 hash
per account would cost a quarter of a second each). Short visits (ad hoc, urgent,
follow-up) are closed after their debrief, their findings going by letter; in-depth and
thematic ones go through their report. The same seed builds the same visits; dates are
counted back from today so that the visit in progress is today's and planned visits
lie ahead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from habeas.accounts import services as account_services
from habeas.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.places.demo import DemoRefused
from habeas.places.models import Place, Unit
from habeas.visits import demo_text as text
from habeas.visits import guidelines, photos, services, services_field
from habeas.visits.models import (
    Evidence,
    Finding,
    Interview,
    RegisterCheck,
    TeamAssignment,
    Theme,
    Training,
    TrainingRecord,
    Visit,
)
from habeas.visits.source_check import check_text, knowledge_of

S = Visit.State
K = Visit.Kind
EXPERT_DAYS = 365

# -- the visiting staff ---------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A person who visits: an existing demo account (key = role) or an extra one."""

    key: str
    role: str
    full_name: str
    profession: str
    gender: str
    languages: tuple[str, ...]
    trainings: tuple[str, ...]
    external: bool = False

    @property
    def email(self) -> str:
        return demo_email(self.key) if self.key in Role.values else f"{self.key}@{DEMO_DOMAIN}"


# fmt: off
STAFF: tuple[Member, ...] = (
    Member("head", Role.HEAD, "", "lawyer", "woman", ("English", "French"),
           ("interviewing", "reprisals", "gender-sensitive")),
    Member("monitor", Role.MONITOR, "", "social_worker", "man", ("English", "Spanish", "Arabic"),
           ("interviewing", "police-custody", "reprisals", "istanbul-protocol")),
    Member("doctor", Role.DOCTOR, "", "doctor", "woman", ("English", "Romanian"),
           ("interviewing", "istanbul-protocol", "mental-health")),
    Member("expert", Role.EXPERT, "", "psychiatrist", "man", ("English", "Russian", "Tigrinya"),
           ("interviewing", "mental-health", "childrens-rights"), external=True),
    Member("monitor-ash", Role.MONITOR, "Monitor Ash (demo)", "other", "woman",
           ("English", "Turkish"), ("interviewing", "childrens-rights", "gender-sensitive")),
    Member("monitor-birch", Role.MONITOR, "Monitor Birch (demo)", "nurse", "man",
           ("English", "Dari", "Pashto"), ("interviewing", "immigration", "police-custody")),
    Member("psychologist-linden", Role.MONITOR, "Psychologist Linden (demo)", "psychologist",
           "woman", ("English", "French"), ("interviewing", "mental-health", "childrens-rights")),
    Member("lawyer-rowan", Role.MONITOR, "Lawyer Rowan (demo)", "lawyer", "man",
           ("English", "Arabic"), ("interviewing", "immigration", "reprisals")),
)
# Who leads visits, and how often.
LEADS = (("monitor", 6), ("monitor-ash", 4), ("monitor-birch", 4), ("head", 2),
         ("lawyer-rowan", 1), ("psychologist-linden", 1))
CONFLICTED = "lawyer-rowan"

# (category, places at the small scale, past visits to each over five years)
PLAN: tuple[tuple[str, int, int], ...] = (
    ("prison-remand", 1, 4), ("prison-sentenced", 2, 3), ("police-custody", 3, 2),
    ("psychiatric", 1, 4), ("juvenile", 1, 3), ("immigration-detention", 1, 4),
    ("social-care", 1, 2), ("waiting-zone", 1, 2), ("court-cells", 1, 1),
)
# Short visits whose findings go by letter: closed after the debrief, without a report.
LETTER_KINDS = (K.AD_HOC, K.URGENT, K.FOLLOW_UP)
SCALE_FACTOR = {"small": 1, "national": 6, "large": 6}
YEARS = 5
MODEST_UNITS = 6

KIND_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "prison": ((K.FOLLOW_UP, 4), (K.THEMATIC, 3), (K.IN_DEPTH, 2), (K.AD_HOC, 1), (K.URGENT, 1)),
    "police": ((K.AD_HOC, 6), (K.FOLLOW_UP, 3), (K.URGENT, 1)),
    "other": ((K.FOLLOW_UP, 4), (K.THEMATIC, 3), (K.AD_HOC, 2), (K.URGENT, 1)),
}
# By type of visit (in-depth, thematic, follow-up, ad hoc, urgent): the chance it is
# announced, its days, its team, its private interviews and the concerns it finds.
KINDS = (K.IN_DEPTH, K.THEMATIC, K.FOLLOW_UP, K.AD_HOC, K.URGENT)
ANNOUNCED: dict[str, float] = dict(zip(KINDS, (0.5, 0.6, 0.3, 0.1, 0.0), strict=True))
DAYS: dict[str, tuple[int, int]] = dict(
    zip(KINDS, ((2, 3), (2, 2), (1, 1), (1, 1), (1, 2)), strict=True))
TEAM: dict[str, tuple[int, int]] = dict(
    zip(KINDS, ((3, 4), (3, 3), (2, 2), (2, 3), (3, 3)), strict=True))
PRIVATE: dict[str, tuple[int, int]] = dict(
    zip(KINDS, ((6, 8), (4, 6), (2, 3), (2, 3), (3, 4)), strict=True))
CONCERN_THEMES: dict[str, tuple[int, int]] = dict(
    zip(KINDS, ((3, 3), (2, 2), (1, 2), (1, 2), (2, 2)), strict=True))
# Visits long enough to protect a sensitive interview with the cover of ¶25.
COVERED_KINDS = (K.IN_DEPTH, K.THEMATIC, K.URGENT)
# The themes each kind of place raises most, by weight.
THEME_WEIGHTS: dict[str, dict[str, int]] = {
    "prison": {"conditions": 5, "regime": 4, "security": 4, "treatment": 3, "health": 3,
               "contact": 3, "staff": 2, "safeguards": 1},
    "police": {"safeguards": 6, "treatment": 4, "conditions": 3, "health": 2, "security": 1},
    "psychiatric": {"security": 5, "health": 4, "treatment": 2, "contact": 2, "regime": 2,
                    "staff": 2, "safeguards": 2},
    "juvenile": {"security": 4, "regime": 4, "contact": 3, "treatment": 2, "staff": 2,
                 "health": 2},
    "immigration": {"safeguards": 4, "contact": 4, "conditions": 3, "health": 3,
                    "treatment": 2, "security": 2},
    "care": {"security": 4, "health": 4, "regime": 3, "staff": 3, "conditions": 2},
}
STANDARD_NOTES: dict[str, str] = {
    "treatment": "Rule 1", "safeguards": "Rules 54–57", "security": "Rules 43–45",
    "contact": "Rules 58–63", "conditions": "Rules 12–17", "regime": "Rules 23, 104–105",
    "health": "Rules 24–35", "staff": "Rules 74–76",
}
UNSEEN_REASONS = (
    "Empty on the day of the visit.",
    "Closed for refurbishment since the spring.",
    "Not seen for lack of time; to be seen first at the next visit.",
)
DIFFICULTY_CHANCE = {"police": 0.45, "prison": 0.35, "immigration": 0.35}
INTERPRETERS = ("Interpreter Sorrel (NPM roster)", "Interpreter Yarrow (NPM roster)",
                "Interpreter Tansy (NPM roster)")
CODE_NAMES = ("Cedar", "Juniper", "Hazel", "Aspen", "Willow", "Spruce", "Maple", "Elm",
              "Larch", "Poplar", "Sycamore", "Hawthorn", "Holly", "Ivy", "Fern", "Sage")
# fmt: on


@dataclass
class VisitsDemoSummary:
    visits: int
    states: dict[str, int]
    interviews: int
    findings: int
    places: int
    staff_created: tuple[str, ...]
    seconds: float = 0.0

    def counts(self) -> dict[str, Any]:
        return {
            "visits": self.visits,
            "interviews": self.interviews,
            "findings": self.findings,
            "places": self.places,
            "staff_created": len(self.staff_created),
        }


def demo_load_visits(*, scale: str, seed: int) -> VisitsDemoSummary:
    """Build the demo's visits at places of the demo inventory; refuse in production."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    started = time.perf_counter()
    with transaction.atomic():
        rng = random.Random(seed * 7919 + 3)  # noqa: S311 - fiction, not secrets
        builder = _Visits(rng, scale, today=timezone.localdate())
        summary = builder.build()
    return dataclasses.replace(summary, seconds=time.perf_counter() - started)


# -- the staff --------------------------------------------------------------------------------


def demo_staff(*, actor: Any) -> tuple[dict[str, User], list[str]]:
    """The visiting staff by key, creating the extra accounts that are missing."""
    created = []
    shared_hash = ""
    people: dict[str, User] = {}
    for member in STAFF:
        user = User.objects.filter(email=member.email).first()
        if user is None and member.key in Role.values:
            raise DemoRefused(f"The demo account {member.email} is missing.")
        if user is None:
            expires = (
                timezone.now() + dt.timedelta(days=EXPERT_DAYS)
                if member.role == Role.EXPERT
                else None
            )
            user = account_services.user_create(
                actor=actor,
                email=member.email,
                full_name=member.full_name,
                role=member.role,
                expires_at=expires,
            )
            # The published demo password, hashed once for all (as the demo accounts are):
            # each Argon2 hash costs a quarter of a second here.
            shared_hash = shared_hash or make_password(DEMO_PASSWORD)
            user.password = shared_hash
            user.save(update_fields=["password"])
            created.append(member.email)
        people[member.key] = user
    return people, created


def _profiles(rng: random.Random, people: dict[str, User], today: dt.date, conflict: Any) -> None:
    head = people["head"]
    trainings = {t.code: t for t in Training.objects.all()}
    for member in STAFF:
        person = people[member.key]
        data: dict[str, Any] = {
            "profession": member.profession,
            "gender": member.gender,
            "languages": list(member.languages),
            "is_external": member.external,
        }
        if member.external:
            data["terms_of_reference_on"] = today - dt.timedelta(days=rng.randint(60, 400))
            data["undertaking_signed_on"] = data["terms_of_reference_on"] + dt.timedelta(days=3)
        if member.key == CONFLICTED and conflict is not None:
            data["conflict_authorities"] = [conflict]
            data["conflict_note"] = "Legal adviser to this directorate until four years ago."
        services.profile_save(actor=head, person=person, data=data)
        for code in member.trainings:
            done = TrainingRecord.objects.filter(user=person, training__code=code).exists()
            if code in trainings and not done:
                services.training_record_add(
                    actor=head,
                    person=person,
                    training=trainings[code],
                    completed_on=today - dt.timedelta(days=rng.randint(90, 5 * 365)),
                )


# -- the plan ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    place: Place
    kind: str
    announced: bool
    starts_on: dt.date
    days: int
    moves: list[tuple[str, dt.date | None]] = field(default_factory=list)
    record: str = "full"  # full | partial | none
    team_size: int = 3
    lead: str = "monitor"
    acknowledged: bool = True

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=self.days - 1)


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs)
    return rng.choices([item for item, _w in items], weights=[w for _i, w in items])[0]


@dataclass
class _Interviewed:
    interview: Interview
    unit: Unit | None
    topics: list[str]


class _Visits:
    def __init__(self, rng: random.Random, scale: str, *, today: dt.date) -> None:
        self.rng = rng
        self.scale = scale
        self.today = today
        self.people: dict[str, User] = {}
        self.places: list[Place] = []
        self.picture_cache: dict[int, bytes] = {}
        self.conflict_authority: Any = None
        self.override_plan: _Plan | None = None
        self.counts: Counter[str] = Counter()

    # -- whole build ----------------------------------------------------------------------

    def build(self) -> VisitsDemoSummary:
        admin = User.objects.filter(email=demo_email(Role.ADMIN)).first()
        self.people, created = demo_staff(actor=admin)
        chosen = self._choose_places()
        if not chosen:
            raise DemoRefused("The demo inventory holds no places to visit.")
        police = [p for p, _n in chosen if p.category.code == "police-custody"]
        self.conflict_authority = police[0].authority if police else None
        _profiles(self.rng, self.people, self.today, self.conflict_authority)
        plans = self._past(chosen) + self._current(chosen)
        plans.sort(key=lambda plan: plan.starts_on)
        self._mark_override(plans)
        for plan in plans:
            self._visit(plan)
        states = Counter(Visit.objects.values_list("state", flat=True))
        return VisitsDemoSummary(
            visits=sum(states.values()),
            states=dict(states),
            interviews=self.counts["interviews"],
            findings=self.counts["findings"],
            places=len({plan.place.pk for plan in plans}),
            staff_created=tuple(created),
        )

    def _choose_places(self) -> list[tuple[Place, int]]:
        factor = SCALE_FACTOR.get(self.scale, 1)
        chosen: list[tuple[Place, int]] = []
        for code, count, visits in PLAN:
            candidates = list(
                Place.objects.filter(
                    category__code=code,
                    status=Place.Status.OPEN,
                    official=True,
                    pk__in=Unit.objects.filter(active=True).values("place_id"),
                )
                .select_related("category", "authority")
                .order_by("external_ref", "pk")
            )
            # Smaller establishments first: a demo prison of six wings reads as well as one
            # of twelve and loads faster.
            sizes = dict(
                Unit.objects.filter(place__in=candidates, active=True)
                .values("place_id")
                .annotate(n=Count("pk"))
                .values_list("place_id", "n")
            )
            modest = [p for p in candidates if sizes.get(p.pk, 0) <= MODEST_UNITS]
            pool = modest if len(modest) >= count * factor else candidates
            picked = self.rng.sample(pool, k=min(len(pool), count * factor))
            chosen.extend((place, visits) for place in picked)
        return chosen

    def _setting_key(self, place: Place) -> str:
        return text.SETTING_OF.get(place.category.code, "prison")

    def _past(self, chosen: list[tuple[Place, int]]) -> list[_Plan]:
        rng, today = self.rng, self.today
        first_day = today - dt.timedelta(days=YEARS * 365)
        span = (today - dt.timedelta(days=60) - first_day).days
        plans = []
        for place, count in chosen:
            setting = self._setting_key(place)
            mix = KIND_MIX.get(setting, KIND_MIX["other"])
            for index in range(count):
                slot = first_day + dt.timedelta(days=int((index + 0.5) * span / count))
                jitter = rng.randint(-span // (4 * count), span // (4 * count))
                starts = _weekday(slot + dt.timedelta(days=jitter))
                kind = K.IN_DEPTH if index == 0 and setting != "police" else _weighted(rng, mix)
                plans.append(self._plan(place, kind, starts))
        self._every_kind(plans)
        for plan in plans:
            plan.moves = self._moves(plan.ends_on)
            if plan.kind in LETTER_KINDS:
                plan.moves = [(S.CLOSED, None)]  # findings sent by letter, not a report
        # The latest visits wait for their report, its sending or the authority's response.
        latest = sorted(
            (plan for plan in plans if plan.kind not in LETTER_KINDS),
            key=lambda plan: plan.starts_on,
            reverse=True,
        )
        for plan, keep in zip(latest, (1, 2, 3), strict=False):
            moves = plan.moves[:keep]
            while moves and moves[-1][0] == S.CLOSED:
                moves.pop()
            plan.moves = moves
        return plans

    def _plan(self, place: Place, kind: str, starts: dt.date) -> _Plan:
        rng = self.rng
        days = 1 if self._setting_key(place) == "police" else rng.randint(*DAYS[kind])
        return _Plan(
            place=place,
            kind=kind,
            announced=rng.random() < ANNOUNCED[kind],
            starts_on=starts,
            days=days,
            team_size=rng.randint(*TEAM[kind]),
            lead=_weighted(rng, LEADS),
        )

    def _every_kind(self, plans: list[_Plan]) -> None:
        """Make sure the demo shows every type of visit."""
        present = {plan.kind for plan in plans}
        spare = [plan for plan in plans if plan.kind in (K.FOLLOW_UP, K.AD_HOC)]
        for kind in K.values:
            if kind not in present and spare:
                spare.pop(self.rng.randrange(len(spare))).kind = kind

    def _moves(self, ends: dt.date) -> list[tuple[str, dt.date | None]]:
        """The states after the debrief, each with the day it happened, up to today."""
        rng, today = self.rng, self.today
        drafted = ends + dt.timedelta(days=rng.randint(21, 50))
        sent = drafted + dt.timedelta(days=rng.randint(7, 25))
        answered = sent + dt.timedelta(days=rng.randint(30, 75)) if rng.random() < 0.8 else None
        closed = (answered or sent) + dt.timedelta(days=rng.randint(14, 60))
        moves: list[tuple[str, dt.date | None]] = []
        for state, day in (
            (S.REPORT_DRAFTED, drafted),
            (S.REPORT_SENT, sent),
            (S.RESPONSE_RECEIVED, answered),
            (S.CLOSED, closed),
        ):
            if day is None:
                continue
            if day > today:
                break
            moves.append((state, None if state == S.CLOSED else day))
        return moves

    def _current(self, chosen: list[tuple[Place, int]]) -> list[_Plan]:
        """A visit debriefed three days ago, one in progress, one prepared, two planned."""
        today, rng = self.today, self.rng
        by_setting: dict[str, list[Place]] = {}
        for place, _count in chosen:
            by_setting.setdefault(self._setting_key(place), []).append(place)

        def pick(*settings_: str) -> Place:
            for key in settings_:
                if by_setting.get(key):
                    return rng.choice(by_setting[key])
            return chosen[0][0]

        plans = [
            _Plan(
                pick("immigration", "prison"),
                K.URGENT,
                False,
                today - dt.timedelta(days=3),
                1,
                team_size=3,
                lead="monitor-birch",
            ),
            _Plan(
                pick("prison"),
                K.IN_DEPTH,
                False,
                today - dt.timedelta(days=1),
                3,
                record="partial",
                team_size=4,
                lead="monitor",
            ),
            _Plan(
                pick("juvenile", "prison"),
                K.THEMATIC,
                True,
                _weekday(today + dt.timedelta(days=12)),
                2,
                record="none",
                team_size=3,
                lead="monitor-ash",
                acknowledged=False,
            ),
            _Plan(
                pick("police"),
                K.AD_HOC,
                False,
                _weekday(today + dt.timedelta(days=20)),
                1,
                record="none",
                team_size=2,
                lead="monitor",
            ),
            _Plan(
                pick("prison"),
                K.FOLLOW_UP,
                True,
                _weekday(today + dt.timedelta(days=45)),
                1,
                record="none",
                team_size=1,
                lead="head",
            ),
        ]
        plans[2].moves = [(S.PREPARED, None)]
        plans[3].moves = []  # planned: a team of two, not yet prepared
        plans[4].moves = []  # planned: the head of delegation alone so far
        plans[0].moves = []  # debriefed: the report is being written
        plans[1].moves = []
        return plans

    def _mark_override(self, plans: list[_Plan]) -> None:
        """One visit where the head overrides the lawyer's declared conflict of interest."""
        authority = self.conflict_authority
        for plan in plans:
            if plan.record == "full" and authority and plan.place.authority_id == authority.pk:
                plan.lead = "head"
                plan.team_size = max(plan.team_size, 3)
                self.override_plan = plan
                return

    # -- one visit ------------------------------------------------------------------------

    def _visit(self, plan: _Plan) -> Visit:
        if plan.lead == CONFLICTED and self._conflicted(plan.place):
            plan.lead = "monitor"  # the lawyer declared a conflict with this place's authority
        lead = self.people[plan.lead]
        setting = text.setting_for(plan.place.category.code)
        visit = services.visit_create(actor=lead, data=self._visit_data(plan, lead, setting))
        self._team(visit, plan)
        if plan.record == "none" and not plan.moves:
            return visit
        visit = services.visit_move(actor=lead, visit=visit, to=S.PREPARED)
        if not plan.acknowledged:
            return visit
        for assignment in TeamAssignment.objects.filter(visit=visit).select_related("user"):
            services.conduct_acknowledge(actor=assignment.user, assignment=assignment)
        visit = services.visit_move(actor=lead, visit=visit, to=S.IN_PROGRESS)
        _Field(self, visit, plan, setting).record()
        if plan.record == "partial":
            return visit
        visit = services.visit_move(actor=lead, visit=visit, to=S.DEBRIEFED)
        for state, day in plan.moves:
            visit = services.visit_move(actor=lead, visit=visit, to=state, on=day)
        return visit

    def _visit_data(self, plan: _Plan, lead: User, setting: text.Setting) -> dict[str, Any]:
        rng = self.rng
        weights = THEME_WEIGHTS[self._setting_key(plan.place)]
        themes = sorted(rng.sample(list(weights), k=min(len(weights), rng.randint(2, 4))))
        groups = set(plan.place.groups.values_list("code", flat=True))
        languages = []
        if "foreigners" in groups or self._setting_key(plan.place) == "immigration":
            languages = rng.sample(text.LANGUAGES, k=rng.randint(1, 2))
        return {
            "place": plan.place,
            "kind": plan.kind,
            "announced": plan.announced,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "objectives": self._objectives(plan, themes, setting),
            "themes": themes if plan.kind != K.IN_DEPTH else sorted(Theme.values),
            "languages_needed": languages,
            "lead": lead,
            "anonymity_cover": 4 if rng.random() < 0.1 else 3,
        }

    def _objectives(self, plan: _Plan, themes: list[str], setting: text.Setting) -> str:
        labels = ", ".join(str(Theme(theme).label).lower() for theme in themes)
        objectives: dict[str, str] = {
            K.IN_DEPTH: f"Full review of the treatment of {setting.people} and of their "
            f"conditions, every unit seen; attention to {labels}.",
            K.THEMATIC: f"Thematic visit: {labels}.",
            K.FOLLOW_UP: f"Follow-up of the recommendations of the last visit, notably on "
            f"{labels}.",
            K.AD_HOC: f"Short unannounced visit after information received on {labels}.",
            K.URGENT: f"Reactive visit after reports of ill-treatment and of {labels}.",
        }
        return objectives[plan.kind]

    def _team(self, visit: Visit, plan: _Plan) -> None:
        rng, people = self.rng, self.people
        lead_key = plan.lead
        candidates = [m for m in STAFF if m.key != lead_key]
        conflicted = self._conflicted(plan.place)
        if conflicted:
            candidates = [m for m in candidates if m.key != CONFLICTED]
        setting = self._setting_key(plan.place)
        wanted: list[str] = []
        if setting in ("psychiatric", "care") or plan.kind == K.URGENT:
            wanted.append(rng.choice(["doctor", "monitor-birch"]))
        if setting == "psychiatric" and rng.random() < 0.6:
            wanted.append("expert")
        if setting in ("juvenile", "immigration") and rng.random() < 0.3:
            wanted.append("expert")
        rest = [m.key for m in candidates if m.key not in wanted]
        rng.shuffle(rest)
        team = list(dict.fromkeys([k for k in wanted if k != lead_key] + rest))
        size = max(0, plan.team_size - 1)
        for key in team[:size]:
            services.team_add(actor=people[lead_key], visit=visit, user=people[key])
        if self.override_plan is plan:
            services.team_add(
                actor=people["head"],
                visit=visit,
                user=people[CONFLICTED],
                override_reason="The advisory work ended four years ago; the lawyer will not "
                "interview police officers he may know.",
            )

    def _conflicted(self, place: Place) -> bool:
        authority = self.conflict_authority
        if authority is None:
            return False
        node, seen = place.authority, set()
        while node is not None and node.pk not in seen:
            if node.pk == authority.pk:
                return True
            seen.add(node.pk)
            node = node.parent
        return False

    def picture(self, shade: int) -> bytes:
        """A small drawn picture (a cell: a bed, a barred window) for the demo photographs."""
        if shade not in self.picture_cache:
            from PIL import Image, ImageDraw

            image = Image.new("RGB", (160, 120), (shade, shade, shade - 10))
            draw = ImageDraw.Draw(image)
            draw.rectangle((8, 72, 92, 112), fill=(96, 84, 70))
            draw.rectangle((108, 14, 150, 56), fill=(205, 222, 236))
            for x in range(114, 150, 8):
                draw.line((x, 14, x, 56), fill=(60, 60, 60), width=2)
            out = io.BytesIO()
            image.save(out, format="PNG")
            self.picture_cache[shade] = out.getvalue()
        return self.picture_cache[shade]


# -- what the team records during one visit ----------------------------------------------------


class _Field:
    """Records one visit's field work through the field services."""

    def __init__(self, builder: _Visits, visit: Visit, plan: _Plan, setting: text.Setting):
        self.builder = builder
        self.rng = builder.rng
        self.visit = visit
        self.plan = plan
        self.setting = setting
        self.setting_key = builder._setting_key(plan.place)
        self.lead = builder.people[plan.lead]
        self.team = [
            a.user
            for a in TeamAssignment.objects.filter(visit=visit).select_related("user")
            if a.role != TeamAssignment.Role.INTERPRETER
        ]
        self.partial = plan.record == "partial"
        self.private: list[_Interviewed] = []
        self.groups: list[_Interviewed] = []
        self.staff: list[_Interviewed] = []
        self.registers: list[tuple[RegisterCheck, str]] = []
        self.photos: list[tuple[Any, str]] = []
        self.pseudonyms: Counter[str] = Counter()
        self.place_groups = set(plan.place.groups.values_list("code", flat=True))

    def record(self) -> None:
        seen = self._coverage()
        weights = THEME_WEIGHTS[self.setting_key]
        low, high = CONCERN_THEMES[self.plan.kind]
        themes = self._themes(weights, self.rng.randint(low, high))
        self._interviews(seen, themes)
        self._registers(seen)
        self._photos(seen, themes)
        findings = self._findings(themes)
        self._difficulties()
        self._checklist()
        if not self.partial:
            self._debrief(findings)

    def _themes(self, weights: dict[str, int], count: int) -> list[str]:
        chosen: list[str] = []
        visit_themes = [t for t in self.visit.themes if t in weights]
        if self.plan.kind == K.THEMATIC and visit_themes:
            chosen = list(visit_themes[:count])
        while len(chosen) < count:
            theme = _weighted(self.rng, weights.items())
            if theme not in chosen:
                chosen.append(theme)
        return chosen

    def _day(self) -> dt.date:
        if self.partial:
            return self.visit.starts_on
        return self.visit.starts_on + dt.timedelta(days=self.rng.randrange(self.plan.days))

    def _at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = hour if hour is not None else self.rng.randint(9, 17)
        moment = dt.datetime.combine(day, dt.time(hour, self.rng.choice((0, 10, 20, 30, 45))))
        return timezone.make_aware(moment)

    def _member(self) -> User:
        return self.rng.choice(self.team)

    # coverage ------------------------------------------------------------------------------

    def _coverage(self) -> list[tuple[Unit, int]]:
        """Every unit in use: seen with the people held that day, or not seen with why."""
        rng = self.rng
        units = list(
            Unit.objects.filter(place_id=self.visit.place_id, active=True).order_by("name")
        )
        if self.partial:
            units = units[: max(1, len(units) // 2)]
        seen: list[tuple[Unit, int]] = []
        for index, unit in enumerate(units):
            capacity = unit.capacity or rng.randint(6, 30)
            skip = index > 0 and len(units) > 2 and rng.random() < 0.12
            if skip:
                services_field.coverage_record(
                    actor=self.lead,
                    visit=self.visit,
                    unit=unit,
                    seen=False,
                    reason=rng.choice(UNSEEN_REASONS),
                )
                continue
            held = max(1, round(capacity * rng.uniform(0.7, 1.25)))
            services_field.coverage_record(
                actor=self.lead, visit=self.visit, unit=unit, seen=True, held=held
            )
            seen.append((unit, held))
        return seen

    # interviews ----------------------------------------------------------------------------

    def _pseudonym(self, kind: str) -> str:
        prefix = services_field.PSEUDONYM_PREFIX[kind]  # type: ignore[index]
        self.pseudonyms[prefix] += 1
        return f"{prefix}-{self.pseudonyms[prefix]:02d}"

    def _interviews(self, seen: list[tuple[Unit, int]], themes: list[str]) -> None:
        rng, kind = self.rng, self.plan.kind
        cover = int(self.visit.anonymity_cover)
        focus, held = max(seen, key=lambda pair: pair[1]) if seen else (None, 0)
        sensitive = 0
        coverable = kind in COVERED_KINDS and self.setting_key != "police"
        if focus is not None and coverable and held >= cover + 1:
            sensitive = 1
        required = sensitive * (cover + 1)
        count = max(rng.randint(*PRIVATE[kind]), required)
        if self.partial:
            count, required = 3, 0  # the cover is still being built
        follow_up = kind == K.IN_DEPTH and sensitive > 0 and not self.partial
        groups = 1 if kind == K.IN_DEPTH or self.partial else int(rng.random() < 0.3)
        group_rows = []
        for index in range(groups):
            unit = focus if index == 0 and follow_up else rng.choice(seen)[0] if seen else None
            group_rows.append(self._group(unit, themes, follow_up=index == 0 and follow_up))
        units: list[Unit | None] = [focus] * max(0, required - int(follow_up))
        if self.partial:
            units = [focus, focus]  # one sensitive interview, its cover not yet reached
        others: list[Unit | None] = [unit for unit, _held in seen] or [None]
        units += [rng.choice(others) for _ in range(count - len(units) - int(follow_up))]
        flagged = 1 if self.partial else sensitive - int(follow_up)
        for index, unit in enumerate(units):
            is_sensitive = unit is focus and index < flagged
            self._private(unit, themes, sensitive=is_sensitive)
        if follow_up:
            self._follow_up(group_rows[0], themes)
        for _ in range(2 if kind == K.IN_DEPTH else int(rng.random() < 0.5)):
            self._staff_interview(Interview.Kind.STAFF, rng.choice(others))
        if not self.partial:
            self._staff_interview(Interview.Kind.MANAGEMENT, None)
            if self.setting_key == "prison" and rng.random() < 0.25:
                self._staff_interview(Interview.Kind.OTHER_VISITOR, None)

    def _topics(self, themes: list[str]) -> list[str]:
        rng = self.rng
        topics = rng.sample(themes, k=min(len(themes), rng.randint(1, 2)))
        if rng.random() < 0.25:
            topics.append(rng.choice([t for t in text.PRIVATE if t not in topics]))
        return topics

    def _create(self, actor: User, data: dict[str, Any]) -> Interview:
        self.builder.counts["interviews"] += 1
        return services_field.interview_create(actor=actor, visit=self.visit, data=data)

    def _private(self, unit: Unit | None, themes: list[str], *, sensitive: bool) -> None:
        rng = self.rng
        topics = self._topics(themes)
        allegation = sensitive and rng.random() < 0.6
        transmit = rng.random() < (0.5 if sensitive else 0.4)
        use = sensitive or rng.random() < 0.92 or transmit
        data: dict[str, Any] = {
            "kind": Interview.Kind.PRIVATE,
            "unit": unit,
            "pseudonym": self._pseudonym(Interview.Kind.PRIVATE),
            "held_at": self._at(self._day()),
            "interviewer": self._member(),
            "consent_use": use,
            "consent_transmit": transmit,
            "consent_publish": use and not sensitive and rng.random() < 0.15,
            "sensitive": sensitive,
            "allegation": allegation,
            "topics": topics,
            "notes": text.private_note(rng, self.setting, topics, allegation=allegation),
        }
        if allegation and transmit:
            data["identity"] = self._identity()
        self._interpreter(data)
        interview = self._create(data["interviewer"], data)
        self.private.append(_Interviewed(interview, unit, topics))

    def _identity(self) -> str:
        rng = self.rng
        return f"{rng.choice(CODE_NAMES)} {rng.choice('KLMNRSTV')}-{rng.randint(1000, 9899)}"

    def _interpreter(self, data: dict[str, Any]) -> None:
        needed = self.visit.languages_needed
        if needed and self.rng.random() < 0.4:
            data["interpreter_language"] = self.rng.choice(needed)
            data["interpreter_name"] = self.rng.choice(INTERPRETERS)

    def _group(self, unit: Unit | None, themes: list[str], *, follow_up: bool) -> _Interviewed:
        rng = self.rng
        topics = rng.sample(themes, k=min(len(themes), rng.randint(2, 3)))
        count = rng.randint(3, 8)
        interviewer = self._member()
        data = {
            "kind": Interview.Kind.GROUP,
            "unit": unit,
            "pseudonym": self._pseudonym(Interview.Kind.GROUP),
            "held_at": self._at(self.visit.starts_on, rng.randint(10, 15)),
            "interviewer": interviewer,
            "participants": count,
            "consent_use": True,
            "topics": topics,
            "notes": text.group_note(rng, self.setting, topics, count, follow_up=follow_up),
        }
        interview = self._create(interviewer, data)
        row = _Interviewed(interview, unit, topics)
        self.groups.append(row)
        return row

    def _follow_up(self, group: _Interviewed, themes: list[str]) -> None:
        rng = self.rng
        actor = group.interview.interviewer
        planned = services_field.interview_plan_follow_up(actor=actor, interview=group.interview)
        topics = self._topics(themes)
        transmit = rng.random() < 0.5
        data: dict[str, Any] = {
            "pseudonym": self._pseudonym(Interview.Kind.PRIVATE),
            "held_at": self._at(self.visit.ends_on, 16),
            "consent_use": True,
            "consent_transmit": transmit,
            "sensitive": True,
            "allegation": True,
            "topics": topics,
            "notes": text.follow_up_note(rng, self.setting, topics),
        }
        if transmit:
            data["identity"] = self._identity()
        held = services_field.interview_update(
            actor=actor, interview=planned, data=data, expected_version=planned.version
        )
        self.builder.counts["interviews"] += 1
        self.private.append(_Interviewed(held, group.unit, topics))

    def _staff_interview(self, kind: str, unit: Unit | None) -> None:
        rng = self.rng
        writers: dict[str, Any] = {
            Interview.Kind.STAFF: lambda: text.staff_note(rng, self.setting),
            Interview.Kind.MANAGEMENT: lambda: text.management_note(rng, self.setting),
            Interview.Kind.OTHER_VISITOR: lambda: text.other_visitor_note(rng),
        }
        notes = writers[kind]()
        interviewer = self.lead if kind == Interview.Kind.MANAGEMENT else self._member()
        topics = [rng.choice(list(text.PRIVATE))]
        day = self.visit.starts_on if kind == Interview.Kind.MANAGEMENT else self._day()
        data = {
            "kind": kind,
            "unit": unit,
            "pseudonym": self._pseudonym(kind),
            "held_at": self._at(day, 9 if kind == Interview.Kind.MANAGEMENT else None),
            "interviewer": interviewer,
            "participants": rng.randint(2, 3) if kind == Interview.Kind.MANAGEMENT else 1,
            "consent_use": True,
            "topics": topics,
            "notes": notes,
        }
        interview = self._create(interviewer, data)
        self.staff.append(_Interviewed(interview, unit, topics))

    # registers and photographs -------------------------------------------------------------

    def _registers(self, seen: list[tuple[Unit, int]]) -> None:
        rng = self.rng
        kinds = text.REGISTER_KINDS_BY_SETTING[self.setting_key]
        count = 1 if self.partial else rng.randint(1, min(3, len(kinds)))
        for kind in rng.sample(kinds, k=count):
            found = rng.choice((0, 0, 1, 2, 3, 4))
            sample, verified, discrepancies = text.register_text(rng, self.setting, kind, found)
            unit = rng.choice(seen)[0] if seen and rng.random() < 0.5 else None
            check = services_field.register_check_create(
                actor=self._member(),
                visit=self.visit,
                data={
                    "kind": kind,
                    "unit": unit,
                    "sample": sample,
                    "entries_checked": rng.randint(12, 80),
                    "verified": verified,
                    "discrepancies_found": found,
                    "discrepancies": discrepancies,
                },
            )
            self.registers.append((check, text.THEME_OF_REGISTER[kind]))

    def _photos(self, seen: list[tuple[Unit, int]], themes: list[str]) -> None:
        rng = self.rng
        if self.plan.kind not in (K.IN_DEPTH, K.THEMATIC) or not seen or rng.random() < 0.4:
            return
        pictured = [t for t in themes if t in text.PHOTO_CAPTIONS] or ["conditions"]
        for theme in rng.sample(pictured, k=min(len(pictured), rng.randint(1, 2))):
            unit = rng.choice(seen)[0]
            content = self.builder.picture(rng.choice((150, 165, 180, 195)))
            photo = photos.photo_upload(
                actor=self._member(),
                visit=self.visit,
                upload=SimpleUploadedFile("cell.png", content, content_type="image/png"),
                caption=text.photo_caption(rng, self.setting, theme, str(unit.name)),
                taken_on=self._day(),
            )
            self.photos.append((photo, theme))

    # findings ------------------------------------------------------------------------------

    def _findings(self, themes: list[str]) -> list[Finding]:
        rng = self.rng
        findings = []
        for theme in themes[: 2 if self.partial else len(themes)]:
            findings.append(self._concern(theme))
        practices = [t for t in text.GOOD_PRACTICES if t not in themes]
        if not self.partial and practices and rng.random() < 0.5:
            findings.append(self._good_practice(rng.choice(practices)))
        return findings

    def _with(self, rows: list[_Interviewed], theme: str) -> list[_Interviewed]:
        return [row for row in rows if theme in row.topics]

    def _concern(self, theme: str) -> Finding:
        rng = self.rng
        severity = _weighted(rng, (("urgent", 1), ("key", 5), ("general", 6)))
        heard = self._with(self.private, theme) or self._with(self.groups, theme)
        level = (
            "single"
            if self.partial
            else _weighted(rng, (("single", 3), ("corroborated", 5), ("units", 3)))
        )
        first = heard[:1]
        unit = first[0].unit if first else None
        standards = self._standards()
        finding = services_field.finding_create(
            actor=self.lead,
            visit=self.visit,
            data={
                "theme": theme,
                "kind": Finding.Kind.CONCERN,
                "severity": severity,
                "statement": text.concern(rng, self.setting, theme),
                "unit": unit,
                "standards": standards,
                "standard_note": STANDARD_NOTES[theme] if "mandela" in standards else "",
            },
        )
        self.builder.counts["findings"] += 1
        used = heard[: 1 if rng.random() < 0.7 else 2]
        evidence = [self._testimony(row) for row in used]
        if level in ("corroborated", "units"):
            evidence.append(self._corroboration(theme))
        if level == "units":
            elsewhere = [
                row
                for row in heard
                if row not in used and row.unit is not None and row.unit != unit
            ]
            if elsewhere:
                evidence.append(self._testimony(elsewhere[0]))
        for data in evidence:
            services_field.evidence_add(actor=self.lead, finding=finding, data=data)
        finding.refresh_from_db()
        if finding.triangulation != Finding.Triangulation.SINGLE and rng.random() < 0.6:
            finding = services_field.finding_update(
                actor=self.lead,
                finding=finding,
                data={"established": True},
                expected_version=finding.version,
            )
        return finding

    def _testimony(self, row: _Interviewed) -> dict[str, Any]:
        source = {
            Interview.Kind.PRIVATE: Evidence.Source.PRIVATE_INTERVIEW,
            Interview.Kind.GROUP: Evidence.Source.GROUP_INTERVIEW,
        }.get(row.interview.kind, Evidence.Source.STAFF)  # type: ignore[call-overload]
        return {"source": source, "interview": row.interview, "note": self._note()}

    def _note(self) -> str:
        return self.rng.choice(text.EVIDENCE_NOTES)

    def _corroboration(self, theme: str) -> dict[str, Any]:
        """A source of another kind: a register, a photograph, staff, or what was seen."""
        rng = self.rng
        registers = [check for check, about in self.registers if about == theme]
        pictures = [photo for photo, about in self.photos if about == theme]
        options: list[dict[str, Any]] = [
            {"source": Evidence.Source.OBSERVATION, "note": text.observation(rng, theme)}
        ]
        options += [
            {"source": Evidence.Source.REGISTER, "register_check": c, "note": self._note()}
            for c in registers
        ]
        options += [
            {"source": Evidence.Source.PHOTOGRAPH, "photo": p, "note": self._note()}
            for p in pictures
        ]
        if self.staff and rng.random() < 0.3:
            options.append(self._testimony(rng.choice(self.staff)))
        return rng.choice(options)

    def _good_practice(self, theme: str) -> Finding:
        rng = self.rng
        finding = services_field.finding_create(
            actor=self.lead,
            visit=self.visit,
            data={
                "theme": theme,
                "kind": Finding.Kind.GOOD_PRACTICE,
                "statement": text.good_practice(rng, self.setting, theme),
                "standards": self._standards(),
            },
        )
        self.builder.counts["findings"] += 1
        services_field.evidence_add(
            actor=self.lead,
            finding=finding,
            data={"source": Evidence.Source.OBSERVATION, "note": "Seen by the team on site."},
        )
        if self.staff:
            services_field.evidence_add(
                actor=self.lead, finding=finding, data=self._testimony(self.staff[0])
            )
        finding.refresh_from_db()
        return finding

    def _standards(self) -> list[str]:
        key = self.setting_key
        standards = {
            "prison": ["mandela"],
            "police": ["cpt", "national"],
            "psychiatric": ["crpd", "cpt"],
            "juvenile": ["havana", "beijing"],
            "immigration": ["cpt"],
            "care": ["crpd"],
        }.get(key, ["national"])
        if "women" in self.place_groups and self.rng.random() < 0.3:
            standards.append("bangkok")
        return standards

    # difficulties, checklist, debrief --------------------------------------------------------

    def _difficulties(self) -> None:
        rng = self.rng
        chance = 1.0 if self.partial else DIFFICULTY_CHANCE.get(self.setting_key, 0.2)
        if rng.random() >= chance:
            return
        kinds = ["access_delayed"] if self.partial else list(text.DIFFICULTIES)
        for kind in rng.sample(kinds, k=1 if self.partial else rng.randint(1, 2)):
            description, told = text.difficulty(rng, self.setting, kind)
            occurred = self._at(self.visit.starts_on, 8 if kind == "access_delayed" else None)
            minutes = rng.randint(20, 90) if kind == "access_delayed" else None
            services_field.difficulty_create(
                actor=self.lead,
                visit=self.visit,
                data={
                    "kind": kind,
                    "occurred_at": occurred,
                    "duration_minutes": minutes,
                    "description": description,
                    "told_whom": told,
                    "told_at": occurred + dt.timedelta(minutes=rng.randint(10, 60)),
                },
            )

    def _checklist(self) -> None:
        rng = self.rng
        guideline = guidelines.guideline_for_visit(self.visit)
        if guideline is None:
            return
        choices = (("yes", 5), ("partly", 3), ("no", 3), ("na", 1))
        share = 0.4 if self.partial else 0.85
        answers = {
            item.pk: guidelines.AnswerInput(answer=_weighted(rng, choices))
            for item in guideline.items.all()
            if rng.random() < share
        }
        if answers:
            guidelines.checklist_answers_save(actor=self.lead, visit=self.visit, answers=answers)

    def _debrief(self, findings: list[Finding]) -> None:
        """The debrief, in general terms: every passage the source check would refuse is
        replaced by a plainer one before it is saved (the service checks it again)."""
        rng = self.rng
        concerns = [f for f in findings if f.kind == Finding.Kind.CONCERN]
        themes = list(dict.fromkeys(f.theme for f in concerns))
        knowledge = knowledge_of(self.visit)
        difficult = self.visit.difficulties.exists()
        lines = [("", text.DEBRIEF_OPENING_DIFFICULT if difficult else text.DEBRIEF_OPENING)]
        lines += text.debrief_lines(rng, themes)
        if any(f.kind == Finding.Kind.GOOD_PRACTICE for f in findings):
            lines.append(("", text.DEBRIEF_GOOD))
        urgent = [
            (f.theme, text.URGENT_MATTERS[f.theme])
            for f in concerns
            if f.severity == Finding.Severity.URGENT and f.theme in text.URGENT_MATTERS
        ]
        services_field.debrief_save(
            actor=self.lead,
            visit=self.visit,
            data={
                "held_at": self._at(self.visit.ends_on, 16),
                "participants": _general(
                    [("", text.participants(rng))], knowledge, text.PARTICIPANTS_FALLBACK
                ),
                "main_concerns": _general(lines, knowledge),
                "urgent_matters": _general(list(dict.fromkeys(urgent)), knowledge),
            },
        )
        self._urgent_drafts(themes, knowledge)

    def _urgent_drafts(self, themes: list[str], knowledge: Any) -> None:
        """Urgent recommendations drafted at the debrief, while their deadline is ahead."""
        today, rng = self.builder.today, self.rng
        if self.visit.ends_on + dt.timedelta(days=7) < today:
            return  # older drafts went to the recommendations long ago
        pressing = [t for t in themes if t in text.URGENT_DRAFTS][:2] or ["safeguards"]
        for theme in pressing:
            draft = text.URGENT_DRAFTS[theme]
            if check_text(draft, knowledge):
                continue
            services_field.urgent_draft_create(
                actor=self.lead,
                visit=self.visit,
                data={
                    "text": draft,
                    "addressee": self.visit.place.authority,
                    "deadline": today + dt.timedelta(days=rng.randint(3, 10)),
                },
            )


def _general(lines: list[tuple[str, str]], knowledge: Any, fallback: str = "") -> str:
    """Join the sentences; any that repeats what only an interview could tell (alone or
    with its neighbours) gives way to a plain line on its theme."""
    sentences = [sentence for _theme, sentence in lines]
    for _attempt in range(3):
        joined = " ".join(sentences)
        hits = check_text(joined, knowledge)
        if not hits:
            return joined
        start = 0
        for index, sentence in enumerate(sentences):
            end = start + len(sentence)
            if any(hit.start < end and hit.end > start for hit in hits):
                theme = lines[index][0]
                label = str(Theme(theme).label).lower() if theme in Theme.values else ""
                sentences[index] = text.DEBRIEF_FALLBACK.format(label=label) if label else fallback
            start = end + 1
    kept = [sentence for sentence in sentences if not check_text(sentence, knowledge)]
    return " ".join(kept) or fallback
