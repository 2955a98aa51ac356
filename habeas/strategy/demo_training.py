"""The demo's training histories and this year's training plan (¶37).

Part of `habeas.strategy.demo`. The visits demo gave each visiting member a few trainings;
here the trainings their visits needed (`habeas.visits.team_checks.needed_trainings`)
are completed, through the visits service, by some members before the visits, by others
only after them or not at all, so that the year's training coverage is neither nil nor
complete and training needs remain. A few refresher courses and trainings of the staff
who do not visit are added, and the current year's plan holds entries planned (for open
needs, with the reason), one done (with its record) and one cancelled.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from habeas.accounts.models import User
from habeas.strategy.models import TrainingPlanEntry
from habeas.visits import services as visit_services
from habeas.visits.models import TeamAssignment, Training, TrainingRecord, Visit
from habeas.visits.team_checks import needed_trainings

# Share of the trainings their visits need that each member took (by the local part of
# their demo e-mail); those at 1.0 took them before the visits, the others after.
DILIGENCE = {
    "monitor": 1.0,
    "doctor": 1.0,
    "psychologist-linden": 1.0,
    "lawyer-rowan": 1.0,
    "head": 0.5,
    "monitor-ash": 0.5,
    "monitor-birch": 0.6,
    "expert": 0.3,
}
DEFAULT_DILIGENCE = 0.5
# Staff who do not visit, and the courses they took anyway.
OFFICE_TRAININGS = {"data_officer": ("gender-sensitive",), "comms": ("reprisals",)}
NEEDS_WINDOW = 365
PLANNED_ENTRIES = 4


def _key(user: User) -> str:
    return user.email.split("@", 1)[0]


class TrainingBuilder:
    def __init__(self, rng: random.Random, today: dt.date, head: User, summary: Any) -> None:
        self.rng, self.today, self.head, self.summary = rng, today, head, summary
        self.trainings = {t.code: t for t in Training.objects.all()}
        self.done = {
            (user_id, training_id)
            for user_id, training_id in TrainingRecord.objects.values_list("user", "training")
        }
        self._needed: dict[int, list[Training]] = {}

    def build(self) -> None:
        gaps = self._gaps()
        self._fill(gaps)
        self._refreshers()
        self._office()
        open_needs = self._open_needs()
        self._plan(open_needs)
        self.summary.training_needs = len(self._open_needs())

    # -- what the visits needed ---------------------------------------------------------

    def _needs_of(self, visit: Visit) -> list[Training]:
        if visit.place_id not in self._needed:
            self._needed[visit.place_id] = needed_trainings(visit)
        return self._needed[visit.place_id]

    def _assignments(self, since: dt.date | None = None) -> list[TeamAssignment]:
        rows = (
            TeamAssignment.objects.exclude(role=TeamAssignment.Role.INTERPRETER)
            .select_related("user", "visit__place__category")
            .order_by("visit__starts_on", "visit__reference", "user_id")
        )
        if since is not None:
            rows = rows.filter(visit__ends_on__gte=since)
        return list(rows)

    def _gaps(self, since: dt.date | None = None) -> dict[tuple[User, Training], Visit]:
        """(person, training) their visits needed and they lack → the first such visit."""
        gaps: dict[tuple[User, Training], Visit] = {}
        for assignment in self._assignments(since):
            for training in self._needs_of(assignment.visit):
                if (assignment.user_id, training.pk) in self.done:
                    continue
                gaps.setdefault((assignment.user, training), assignment.visit)
        return gaps

    def _open_needs(self) -> dict[tuple[User, Training], Visit]:
        return self._gaps(self.today - dt.timedelta(days=NEEDS_WINDOW))

    # -- records ------------------------------------------------------------------------

    def _record(self, person: User, training: Training, on: dt.date) -> None:
        on = min(on, self.today - dt.timedelta(days=1))
        if TrainingRecord.objects.filter(user=person, training=training, completed_on=on).exists():
            return
        visit_services.training_record_add(
            actor=self.head, person=person, training=training, completed_on=on
        )
        self.done.add((person.pk, training.pk))
        self.summary.training_records += 1

    def _fill(self, gaps: dict[tuple[User, Training], Visit]) -> None:
        rng = self.rng
        by_person: dict[User, list[tuple[Training, Visit]]] = {}
        for (person, training), visit in gaps.items():
            by_person.setdefault(person, []).append((training, visit))
        for person in sorted(by_person, key=lambda user: user.pk):
            items = sorted(by_person[person], key=lambda item: item[0].position)
            share = DILIGENCE.get(_key(person), DEFAULT_DILIGENCE)
            if share >= 1.0:
                for training, visit in items:
                    self._record(
                        person, training, visit.starts_on - dt.timedelta(days=rng.randint(30, 400))
                    )
                continue
            rng.shuffle(items)
            for training, visit in items[: int(len(items) * share)]:
                self._record(
                    person, training, visit.ends_on + dt.timedelta(days=rng.randint(30, 240))
                )

    def _refreshers(self) -> None:
        """A second interviewing course for the members who took the first long ago."""
        interviewing = self.trainings.get("interviewing")
        if interviewing is None:
            return
        old = self.today - dt.timedelta(days=3 * 365)
        people = (
            TrainingRecord.objects.filter(training=interviewing, completed_on__lt=old)
            .order_by("user_id")
            .values_list("user_id", flat=True)
            .distinct()
        )
        for person in User.objects.filter(pk__in=list(people)).order_by("pk")[:3]:
            self._record(
                person, interviewing, self.today - dt.timedelta(days=self.rng.randint(40, 300))
            )

    def _office(self) -> None:
        for key, codes in OFFICE_TRAININGS.items():
            person = User.objects.filter(email__startswith=f"{key}@").first()
            for code in codes:
                training = self.trainings.get(code)
                if person is not None and training is not None:
                    on = self.today - dt.timedelta(days=self.rng.randint(200, 900))
                    self._record(person, training, on)

    # -- the plan -----------------------------------------------------------------------

    def _plan(self, needs: dict[tuple[User, Training], Visit]) -> None:
        rng, year = self.rng, self.today.year
        ordered = sorted(needs.items(), key=lambda item: (item[0][0].pk, item[0][1].position))
        entries: list[TrainingPlanEntry] = []
        chosen = rng.sample(ordered, min(len(ordered), PLANNED_ENTRIES + 1))
        for position, ((person, training), visit) in enumerate(chosen):
            reason = (
                f"Assigned to visit {visit.reference} at a place of category "
                f"“{visit.place.category.name}”; {training.name} not taken."
            )[:300]
            entry = TrainingPlanEntry(
                year=year,
                user=person,
                training=training,
                reason=reason,
                due_by=self.today + dt.timedelta(days=rng.randint(20, 110)),
                created_by=self.head,
            )
            # The first one was taken since the plan was drawn: done, with its record.
            if position == 0 and len(ordered) > 2:
                self._record(person, training, self.today - dt.timedelta(days=rng.randint(5, 30)))
                entry.status = TrainingPlanEntry.Status.DONE
                entry.due_by = self.today
            entries.append(entry)
        cancelled = self._cancelled(year)
        taken = {(entry.user_id, entry.training_id) for entry in entries}
        if cancelled is not None and (cancelled.user_id, cancelled.training_id) not in taken:
            entries.append(cancelled)
        TrainingPlanEntry.objects.bulk_create(entries)
        self.summary.plan_entries = len(entries)

    def _cancelled(self, year: int) -> TrainingPlanEntry | None:
        """A refresher the person asked for, cancelled when the course was."""
        training = self.trainings.get("gender-sensitive")
        person = User.objects.filter(email__startswith="monitor-birch@").first()
        if training is None or person is None:
            return None
        return TrainingPlanEntry(
            year=year,
            user=person,
            training=training,
            reason="Asked for by the member before the visits to women's prisons.",
            due_by=dt.date(year, 6, 30),
            status=TrainingPlanEntry.Status.CANCELLED,
            created_by=self.head,
        )
