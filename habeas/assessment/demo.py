"""The demo NPM's self-assessments against the SPT's tool, and an assessing body (¶3).

`demo_load_assessments(seed=...)` runs after the places demo (`manage.py demo`), in the
same transaction and under one audit event of its own. It builds:

- two self-assessments of this NPM a year apart: 2024, final and shared with the SPT,
  and 2025, in review; 2025 is better on planning, reprisals and the annual report and
  worse on budget and training;
- ratings with narratives for every criterion, a few pieces of evidence (public sources
  and places of the inventory), and an action plan partly done: some items done, some
  open, one overdue;
- the SPT as an assessing body with one demo account (`spt@demo.habeas.test`, monitor)
  and its assessments of two other fictional NPMs.

Rows are written in bulk rather than through the services, which would write one audit
event per rating; this function is itself the audited service for the demo. The same
seed builds the same data; deadlines still open are set after today so that only the
one meant to be overdue is. Nothing here names a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from habeas.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_email
from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.assessment import indicators
from habeas.assessment.framework_io import SPT_CODE, SPT_VERSION
from habeas.assessment.models import (
    ActionItem,
    Assessment,
    AssessmentShare,
    Criterion,
    Evidence,
    FrameworkVersion,
    IndicatorValue,
    Membership,
    Organisation,
    Rating,
)
from habeas.core import audit
from habeas.places.demo import REFERENCE_DATE, DemoRefused
from habeas.places.models import Place, Region

SPT_EMAIL = f"spt@{DEMO_DOMAIN}"
SPT_NAME = "UN Subcommittee on Prevention of Torture (demo)"
OTHER_COUNTRIES = ("Arvenia", "Belmora", "Calderra", "Dunmark", "Estovia", "Fennmoor", "Galvania")
LEVELS = ("not_in_place", "partially", "largely", "fully")

# Where the 2025 self-assessment moved, by section; elsewhere a few criteria gain a level.
IMPROVED_SECTIONS = ("IV.A", "IV.E", "V.E")
SLIPPED_SECTIONS = ("V.C", "V.D")

# ref: (2024 level, 2025 level, 2024 narrative, 2025 narrative)
# fmt: off
STORY: dict[str, tuple[str, str, str, str]] = {
    "1": ("not_applicable", "not_applicable", "", ""),
    "9": ("partially", "fully",
          "The inventory lists prisons and psychiatric hospitals; police cells and care homes "
          "are missing.",
          "Every category is in the inventory, police cells and care homes included, with "
          "quarterly population figures."),
    "10": ("partially", "largely",
           "Places are chosen from habit and complaints; no written criteria.",
           "Written selection criteria with a risk score adopted in March; two regions still "
           "under-visited."),
    "16": ("largely", "largely",
           "Debriefings held at most visits, not always recorded.",
           "Debriefings held at most visits, not always recorded."),
    "25": ("not_in_place", "largely",
           "No policy on reprisals; follow-up of interviewees left to each team.",
           "Reprisals policy adopted in September; follow-up checks planned after sensitive "
           "visits."),
    "33": ("partially", "partially",
           "The website explains the mandate; no material for detainees.",
           "Leaflet for detainees drafted, not yet printed."),
    "35": ("largely", "partially",
           "Own budget line, agreed with parliament; spending follows the visit programme.",
           "The budget line was cut by 12 %; follow-up visits were postponed."),
    "37": ("partially", "not_in_place",
           "Induction for new staff, no plan for experts.",
           "No training took place this year; the induction course was cancelled."),
    "38": ("partially", "fully",
           "The annual report came out in September, without a table of recommendations.",
           "Published on 28 March with a follow-up table of every recommendation."),
}
# fmt: on
NOT_APPLICABLE_REASON = "Introductory paragraph: it describes the Optional Protocol, not our work."
NARRATIVES = {
    "not_in_place": "Not done yet; no written rule or practice to point to.",
    "partially": "Done in part: practice varies between teams and is not written down.",
    "largely": "In place and applied at most visits; a few gaps remain.",
    "fully": "In place, written down and applied throughout the period.",
}
PUBLIC_SOURCES = (
    ("1", "The SPT's analytical self-assessment tool (CAT/OP/1)", "https://undocs.org/CAT/OP/1"),
    ("3", "The SPT's pages at OHCHR", "https://www.ohchr.org/en/treaty-bodies/spt"),
    ("38", "Annual report 2024", "https://npm.demo.habeas.test/reports/annual-report-2024.pdf"),
)


class Step(NamedTuple):
    """An action-plan item of the 2024 self-assessment.

    `done_after`: days after the 2024 report (14 February 2025) it was completed, if done.
    `due_in`: days after today it is due, for an item still ahead; None for one whose
    deadline passed (a month after it was done, or, if never done, in January 2026).
    """

    ref: str
    title: str
    owner: str
    status: str
    done_after: int | None = None
    due_in: int | None = None


ACTIONS = (
    Step("9", "Add police cells and care homes to the inventory", Role.DATA_OFFICER, "done", 95),
    Step("10", "Adopt written criteria for choosing places to visit", Role.HEAD, "done", 38),
    Step("25", "Adopt a policy on preventing reprisals, with checks", Role.MONITOR, "done", 220),
    Step("37", "Write a training plan for staff and external experts", Role.HEAD, "open"),
    Step("38", "Publish the annual report by 31 March", Role.COMMS, "in_progress", due_in=120),
    Step(
        "33", "Print an easy-read leaflet on how to reach the NPM", Role.COMMS, "open", due_in=200
    ),
)


@dataclass(frozen=True)
class AssessmentDemoSummary:
    assessments: int
    ratings: int
    evidence: int
    action_items: int
    organisations: int
    spt_account_created: bool

    def counts(self) -> dict[str, Any]:
        return {
            "assessments": self.assessments,
            "ratings": self.ratings,
            "evidence": self.evidence,
            "action_items": self.action_items,
            "organisations": self.organisations,
            "accounts": int(self.spt_account_created),
        }


def demo_load_assessments(*, seed: int) -> AssessmentDemoSummary:
    """Build the demo's assessments into a tool that holds none; refuse in production."""
    if settings.HABEAS_ENV == "production":
        raise DemoRefused("The demo never loads in production.")
    with transaction.atomic():
        if Assessment.objects.exists():
            raise DemoRefused("The assessment tool already holds assessments.")
        builder = _Builder(random.Random(seed))  # noqa: S311 - fiction, not secrets
        summary = builder.build()
        audit.record(actor=None, action="demo.load_assessments", detail=summary.counts())
    return summary


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        version = FrameworkVersion.objects.filter(
            framework__code=SPT_CODE, version=SPT_VERSION
        ).first()
        if version is None:
            raise DemoRefused("The SPT's tool is missing: run the migrations first.")
        self.version: FrameworkVersion = version
        self.criteria = list(
            Criterion.objects.filter(framework_version=self.version)
            .select_related("section__parent")
            .order_by("position")
        )
        self.staff = {
            user.role: user
            for user in User.objects.filter(email__in=[demo_email(r) for r in Role.values])
        }
        self.ratings = self.evidence = self.items = 0
        self.today = timezone.localdate()

    def build(self) -> AssessmentDemoSummary:
        home = self._home()
        spt, created = self._spt()
        earlier = self._self_assessment(home, 2024, Assessment.State.FINAL)
        later = self._self_assessment(home, 2025, Assessment.State.IN_REVIEW)
        AssessmentShare.objects.create(
            assessment=earlier, organisation=spt, shared_by=self._person(Role.HEAD)
        )
        self._rate_self(earlier, later)
        self._evidence(earlier, later)
        self._action_plan(earlier, later)
        others = self._other_npms(spt)
        self._freeze(Assessment.objects.filter(state=Assessment.State.FINAL))
        return AssessmentDemoSummary(
            assessments=Assessment.objects.count(),
            ratings=self.ratings,
            evidence=self.evidence,
            action_items=self.items,
            organisations=1 + len(others),
            spt_account_created=created,
        )

    # -- organisations and people -----------------------------------------------------------

    def _home(self) -> Organisation:
        home = Organisation.objects.get(is_home=True)
        country = Region.objects.filter(code="DEMO", parent__isnull=True).first()
        if country is not None and home.name == "This NPM":
            home.name = f"National Preventive Mechanism of the {country.name}"
            home.country = country.name
            home.version += 1
            home.save(update_fields=["name", "country", "version", "updated_at"])
        return home

    def _spt(self) -> tuple[Organisation, bool]:
        spt = Organisation.objects.create(name=SPT_NAME, kind=Organisation.Kind.SPT)
        account = User.objects.filter(email=SPT_EMAIL).first()
        created = account is None
        if account is None:
            account = User.objects.create(
                email=SPT_EMAIL,
                full_name="SPT member (demo)",
                role=Role.MONITOR,
                password=make_password(DEMO_PASSWORD),
            )
        Membership.objects.update_or_create(user=account, defaults={"organisation": spt})
        self.spt_member = account
        return spt, created

    def _person(self, role: str) -> User:
        """A demo account of this NPM; any head will do if the demo accounts were removed."""
        person = self.staff.get(role) or self.staff.get(Role.HEAD)
        if person is None:
            raise DemoRefused("The demo accounts are missing: load the places demo first.")
        return person

    # -- this NPM's self-assessments ----------------------------------------------------------

    def _self_assessment(self, home: Organisation, year: int, state: str) -> Assessment:
        head = self._person(Role.HEAD)
        final = state == Assessment.State.FINAL
        assessment = Assessment.objects.create(
            title=f"Self-assessment {year}",
            framework_version=self.version,
            subject=home,
            made_by=home,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            state=state,
            summary=(
                f"Our yearly self-assessment against the SPT's tool, period {year}. "
                "Worked through by the head and two monitors over three sessions."
            ),
            finalised_at=at(date(year + 1, 2, 14)) if final else None,
            finalised_by=head if final else None,
        )
        assessment.assessors.set([head, self._person(Role.MONITOR)])
        return assessment

    def _rate_self(self, earlier: Assessment, later: Assessment) -> None:
        rng, rows = self.rng, []
        for criterion in self.criteria:
            story = STORY.get(criterion.ref)
            if story:
                before, after, said_before, said_after = story
            else:
                before = rng.choices(LEVELS, weights=(1, 4, 5, 2))[0]
                after = self._moved(before, _section_ref(criterion))
                said_before, said_after = NARRATIVES[before], NARRATIVES[after]
            rows.append(self._rating(earlier, criterion, before, said_before))
            rows.append(self._rating(later, criterion, after, said_after))
        Rating.objects.bulk_create(rows, batch_size=500)
        self.ratings += len(rows)

    def _moved(self, level: str, section: str) -> str:
        index = LEVELS.index(level)
        if section in IMPROVED_SECTIONS and self.rng.random() < 0.7:
            index = min(index + 1, 3)
        elif section in SLIPPED_SECTIONS and self.rng.random() < 0.7:
            index = max(index - 1, 0)
        elif self.rng.random() < 0.06:
            index = min(index + 1, 3)  # elsewhere, small gains from a year's work
        return LEVELS[index]

    def _rating(self, assessment: Assessment, criterion: Criterion, level: str, said: str) -> Any:
        reason = NOT_APPLICABLE_REASON if level == "not_applicable" else ""
        return Rating(
            assessment=assessment,
            criterion=criterion,
            level=level,
            reason=reason,
            narrative=said or "",
            updated_by=self._person(Role.MONITOR),
        )

    def _evidence(self, earlier: Assessment, later: Assessment) -> None:
        by_ref = {criterion.ref: criterion for criterion in self.criteria}
        head = self._person(Role.HEAD)
        rows = [
            Evidence(
                assessment=assessment,
                criterion=by_ref[ref],
                kind=Evidence.Kind.LINK,
                title=title,
                url=url,
                added_by=head,
            )
            for assessment in (earlier, later)
            for ref, title, url in PUBLIC_SOURCES
        ]
        for ref, place in zip(("9", "10"), self._places_to_cite(), strict=False):
            rows.append(
                Evidence(
                    assessment=later,
                    criterion=by_ref[ref],
                    kind=Evidence.Kind.RECORD,
                    title=f"Place of detention: {place.name}",
                    record_type="places.place",
                    record_id=str(place.pk),
                    added_by=self._person(Role.DATA_OFFICER),
                )
            )
        Evidence.objects.bulk_create(rows)
        self.evidence += len(rows)

    def _places_to_cite(self) -> list[Place]:
        """A police station newly in the inventory and a prison visited in the period."""
        places = Place.objects.order_by("external_ref")
        found = [
            places.filter(category__code="police-custody").first(),
            places.filter(category__code="prison-sentenced", last_visit_on__year=2025).first()
            or places.filter(category__code="prison-sentenced").first(),
        ]
        return [place for place in found if place is not None]

    def _action_plan(self, earlier: Assessment, later: Assessment) -> None:
        by_ref = {criterion.ref: criterion for criterion in self.criteria}
        report_day = date(2025, 2, 14)
        ahead_from = max(self.today, REFERENCE_DATE)
        rows = []
        for step in ACTIONS:
            done_on = report_day + timedelta(days=step.done_after) if step.done_after else None
            if step.due_in is not None:
                due = ahead_from + timedelta(days=step.due_in)
            else:
                due = done_on + timedelta(days=30) if done_on else date(2026, 1, 10)
            overdue = step.status == "open" and due < self.today
            rows.append(
                ActionItem(
                    assessment=earlier,
                    criterion=by_ref[step.ref],
                    title=step.title,
                    owner=self._person(step.owner),
                    deadline=due,
                    status=step.status,
                    completed_on=done_on,
                    last_reminded_on=self.today if overdue else None,
                )
            )
        rows.append(
            ActionItem(
                assessment=later,
                criterion=by_ref["35"],
                title="Ask parliament's budget committee to restore the NPM's budget line",
                owner=self._person(Role.HEAD),
                deadline=ahead_from + timedelta(days=90),
                status=ActionItem.Status.IN_PROGRESS,
            )
        )
        ActionItem.objects.bulk_create(rows)
        self.items += len(rows)

    # -- the SPT and the NPMs it assesses ---------------------------------------------------------

    def _other_npms(self, spt: Organisation) -> list[Organisation]:
        countries = self.rng.sample(OTHER_COUNTRIES, k=2)
        others = []
        for number, country in enumerate(countries):
            npm = Organisation.objects.create(
                name=f"National Preventive Mechanism of {country}",
                kind=Organisation.Kind.NPM,
                country=country,
            )
            state = Assessment.State.FINAL if number == 0 else Assessment.State.DRAFT
            self._spt_assessment(spt, npm, state, bias=(3, 4, 3, 1) if number else (1, 3, 5, 3))
            others.append(npm)
        return others

    def _spt_assessment(
        self, spt: Organisation, npm: Organisation, state: str, bias: tuple[int, ...]
    ) -> None:
        final = state == Assessment.State.FINAL
        assessment = Assessment.objects.create(
            title=f"SPT advisory assessment of the NPM of {npm.country}",
            framework_version=self.version,
            subject=npm,
            made_by=spt,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            state=state,
            summary=f"Prepared after the SPT's advisory visit to {npm.country}.",
            finalised_at=at(date(2026, 3, 2)) if final else None,
            finalised_by=self.spt_member if final else None,
        )
        assessment.assessors.set([self.spt_member])
        rows = []
        for criterion in self.criteria:
            rated = final or self.rng.random() < 0.6
            level = self.rng.choices(LEVELS, weights=bias)[0] if rated else ""
            said = f"Seen during the advisory visit: {NARRATIVES[level].lower()}" if level else ""
            rows.append(
                Rating(
                    assessment=assessment,
                    criterion=criterion,
                    level=level,
                    narrative=said,
                    updated_by=self.spt_member if level else None,
                )
            )
        Rating.objects.bulk_create(rows, batch_size=500)
        self.ratings += len(rows)

    def _freeze(self, assessments: Any) -> None:
        """Keep the indicator figures of final assessments, as finalising does."""
        figures: list[IndicatorValue] = []
        for assessment in assessments.select_related("subject"):
            figures.extend(indicators.indicator_snapshot(assessment=assessment))
        IndicatorValue.objects.bulk_create(figures)


def _section_ref(criterion: Criterion) -> str:
    return criterion.section.ref if criterion.section else ""
