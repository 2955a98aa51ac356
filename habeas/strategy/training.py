"""Training needs and training coverage (¶37), read from what people are assigned to do.

A visit needs the trainings whose `needed_for` names the category of its place or a group
the place holds (the same rule as `habeas.visits.team_checks.needed_trainings`). Every
person on its team except interpreters (who are not asked for it either when a team is
checked) should have them.

- **Needs** (`training_needs`): for each person, the trainings their assignments to
  visits of the last 12 months and to upcoming visits need and that they have not
  completed yet, each with the visits that call for it. A reader sees only the needs
  arising from visits they may see (`Visit.objects.restrict`), and only their own unless
  they manage training.
- **Coverage** (`training_coverage(year)`): of the people on the team (interpreters aside)
  of at least one visit that began in `year` and has started by today (a visit still to
  come does not count, though its needs do), how many had completed, on or before the
  first day of each of those visits, every training that visit needed. A person whose
  visits needed no training counts as covered. It is an aggregate over the NPM's records,
  for the self-assessment (¶37), and names no one.

Nothing here writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.visits.models import TeamAssignment, Training, TrainingRecord, Visit

# Needs look back this far, and at every upcoming visit.
NEED_WINDOW_DAYS = 365


@dataclass(frozen=True)
class NeedingVisit:
    """A visit that needs a training, and what about its place needs it."""

    visit: Visit
    because: str


@dataclass
class Need:
    """A training a person still lacks for what they are assigned to do."""

    user: Any
    training: Training
    visits: list[NeedingVisit] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """In plain words, e.g. "assigned to visit V-123 at a place holding children;
        training “Children's rights” missing"."""
        parts = [
            _("visit %(reference)s (%(date)s) %(because)s")
            % {
                "reference": item.visit.reference,
                "date": date_format(item.visit.starts_on, "Y-m-d"),
                "because": item.because,
            }
            for item in self.visits
        ]
        return _("Assigned to %(visits)s; training “%(training)s” missing.") % {
            "visits": _(", ").join(parts),
            "training": self.training.name,
        }

    @property
    def first_visit_on(self) -> datetime.date:
        return min(item.visit.starts_on for item in self.visits)


def _needing_trainings() -> list[Training]:
    return [t for t in Training.objects.all() if t.needed_for]


def visit_trainings(visits: Iterable[Visit]) -> dict[int, list[tuple[Training, str]]]:
    """For each visit, the trainings it needs and why, in a few queries.

    `visits` should come with `place__category` selected and `place__groups` prefetched."""
    trainings = _needing_trainings()
    found: dict[int, list[tuple[Training, str]]] = {}
    for visit in visits:
        category = visit.place.category
        groups = {group.code: group for group in visit.place.groups.all()}
        rows = []
        for training in trainings:
            wanted = set(training.needed_for or [])
            if category.code in wanted:
                because = _("at a place of the category “%(category)s”") % {
                    "category": category.name
                }
            else:
                held = [groups[code].name for code in sorted(wanted & groups.keys())]
                if not held:
                    continue
                because = _("at a place holding %(groups)s") % {"groups": _(", ").join(held)}
            rows.append((training, because))
        found[visit.pk] = rows
    return found


def _with_place(visits: Any) -> Any:
    return visits.select_related("place__category").prefetch_related("place__groups")


def _assignments(visits: Any, users: Any | None = None) -> list[TeamAssignment]:
    rows = TeamAssignment.objects.filter(visit__in=visits.values("pk")).exclude(
        role=TeamAssignment.Role.INTERPRETER
    )
    if users is not None:
        rows = rows.filter(user__in=users)
    return list(rows.select_related("user").order_by("visit__starts_on", "visit_id"))


# -- needs ---------------------------------------------------------------------------


def _people_in_scope(reader: Any) -> Any:
    """The active users whose needs `reader` may see: everyone, themselves, or nobody."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if roles.can(reader, "training.manage"):
        return users
    if roles.can(reader, "training.own"):
        return users.filter(pk=reader.pk)
    return users.none()


def training_needs(
    reader: Any, *, today: datetime.date | None = None, person: Any | None = None
) -> list[Need]:
    """The needs `reader` may see (their own, or everyone's if they manage training),
    from visits they may see that ended in the last 12 months or are still to come."""
    today = today or timezone.localdate()
    people = _people_in_scope(reader)
    if person is not None:
        people = people.filter(pk=person.pk)
    since = today - datetime.timedelta(days=NEED_WINDOW_DAYS)
    visits = _with_place(Visit.objects.restrict(reader, "view").filter(ends_on__gte=since))
    visits_by_pk = {visit.pk: visit for visit in visits}
    if not visits_by_pk:
        return []
    wanted = visit_trainings(visits_by_pk.values())
    assignments = _assignments(Visit.objects.filter(pk__in=visits_by_pk), people)
    done = set(
        TrainingRecord.objects.filter(user__in={a.user_id for a in assignments}).values_list(
            "user_id", "training_id"
        )
    )
    needs: dict[tuple[int, int], Need] = {}
    for assignment in assignments:
        visit = visits_by_pk[assignment.visit_id]
        for training, because in wanted[visit.pk]:
            if (assignment.user_id, training.pk) in done:
                continue
            key = (assignment.user_id, training.pk)
            need = needs.setdefault(key, Need(user=assignment.user, training=training))
            need.visits.append(NeedingVisit(visit=visit, because=because))
    return sorted(
        needs.values(),
        key=lambda n: (n.first_visit_on, str(n.user), n.training.position, n.training.name),
    )


# -- coverage ------------------------------------------------------------------------


@dataclass
class PersonCoverage:
    user: Any
    visits: int
    missing: list[tuple[Visit, Training]]

    @property
    def covered(self) -> bool:
        return not self.missing


def started_visits(
    start: datetime.date, end: datetime.date, *, today: datetime.date | None = None
) -> Any:
    """The visits that began between two days and have started by `today`: a visit still
    to come cannot show whether its team was trained for it."""
    last = min(end, today or timezone.localdate())
    return Visit.objects.filter(starts_on__gte=start, starts_on__lte=last)


def coverage_between(
    start: datetime.date, end: datetime.date, *, today: datetime.date | None = None
) -> list[PersonCoverage]:
    """Each person on a team (interpreters aside) of a visit that began between two days
    and by `today`, with the trainings they lacked on the first day of a visit that
    needed them. An aggregate over every visit: callers show it only to those who manage
    training."""
    visits = {v.pk: v for v in _with_place(started_visits(start, end, today=today))}
    if not visits:
        return []
    wanted = visit_trainings(visits.values())
    assignments = _assignments(Visit.objects.filter(pk__in=visits))
    completed: dict[tuple[int, int], datetime.date] = {}
    records = TrainingRecord.objects.filter(user__in={a.user_id for a in assignments})
    for user_id, training_id, on in records.values_list("user_id", "training_id", "completed_on"):
        key = (user_id, training_id)
        completed[key] = min(on, completed.get(key, on))
    people: dict[int, PersonCoverage] = {}
    for assignment in assignments:
        visit = visits[assignment.visit_id]
        row = people.setdefault(
            assignment.user_id, PersonCoverage(user=assignment.user, visits=0, missing=[])
        )
        row.visits += 1
        for training, _because in wanted[visit.pk]:
            first = completed.get((assignment.user_id, training.pk))
            if first is None or first > visit.starts_on:
                row.missing.append((visit, training))
    return sorted(people.values(), key=lambda row: str(row.user))


def coverage_by_person(year: int, *, today: datetime.date | None = None) -> list[PersonCoverage]:
    """`coverage_between` over the calendar year: visits that began in `year` by `today`."""
    return coverage_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31), today=today)


def training_coverage(year: int, *, today: datetime.date | None = None) -> tuple[int, int]:
    """(covered, total): of the people on a visit's team (interpreters aside) in `year`,
    by `today`, those who had, on the first day of each of their visits, every training
    it needed. (0, 0) when nobody was on a team that year."""
    rows = coverage_by_person(year, today=today)
    return sum(1 for row in rows if row.covered), len(rows)
