"""The findings tally (`FindingTally`): a cache that lets the heatmap and the trends read a
few thousand rows instead of millions of findings (¶34).

When it may be used (`tally_usable`):

- it is current: `TallyState.built_generation` equals `generation`, which the signals of
  `habeas.assessment.signals` raise in the same transaction as any change to a finding,
  a visit or a place, so a change is never counted from a stale tally once committed;
- it covers exactly what the reader sees outside the unannounced visits still in
  preparation (`SECRET`), which it leaves out: that is true of the staff who see every
  other visit (`visits.view` but external experts, VisitQuerySet); an external expert
  sees only the team's visits and is always counted live. What the reader may see of
  the secret visits is added live by `analytics._grouped`, through `restrict`.

The rebuild (`tally_rebuild`) recounts everything in one transaction, one rebuild at a
time; it runs as a django-tasks job queued by a page that found the tally stale
(`tally_request_rebuild`) and by `manage.py analytics_tally`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django_tasks import task

from habeas.accounts import roles
from habeas.assessment.models_analytics import FindingTally, TallyState
from habeas.visits.models import Finding, Visit

if TYPE_CHECKING:
    from habeas.assessment.analytics import Filters

logger = logging.getLogger(__name__)

# Findings of unannounced visits still being prepared: not every reader may know of them.
SECRET = Q(visit__announced=False, visit__state__in=[Visit.State.PLANNED, Visit.State.PREPARED])
BATCH = 5000
# A number of our own for PostgreSQL's advisory lock: one rebuild at a time.
LOCK_KEY = 90_341_034


@dataclass(frozen=True)
class RebuildResult:
    rows: int
    findings: int
    generation: int


def tally_covers(user: Any) -> bool:
    """Whether `user` sees every finding outside the secret visits (VisitQuerySet's rule)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.has_expired():
        return False
    if not roles.can(user, "visits.view"):
        return False
    return roles.can(user, "visits.plan") or user.role != roles.Role.EXPERT


def tally_current() -> bool:
    state = TallyState.objects.filter(pk=1).values("generation", "built_generation").first()
    if state is None:
        return False
    return state["generation"] == state["built_generation"]


def tally_usable(user: Any) -> bool:
    return tally_covers(user) and tally_current()


TALLY_KEYS = {
    "theme": "theme",
    "category": "category_id",
    "year": "year",
    "kind": "kind",
    "severity": "severity",
}


def grouped(filters: Filters, keys: Iterable[str]) -> dict[tuple, int]:
    """Tallied findings by `keys` under `filters` (which hold no place and no standard)."""
    from habeas.assessment.analytics import region_ids

    keys = tuple(keys)
    qs = FindingTally.objects.all()
    if filters.year_from:
        qs = qs.filter(year__gte=filters.year_from)
    if filters.year_to:
        qs = qs.filter(year__lte=filters.year_to)
    if filters.region:
        qs = qs.filter(all_regions=False, region_id__in=region_ids(filters.region))
    else:
        qs = qs.filter(all_regions=True)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    for name in ("kind", "severity", "theme"):
        if getattr(filters, name):
            qs = qs.filter(**{name: getattr(filters, name)})
    rows = (
        qs.order_by()
        .values(**{f"k_{key}": F(TALLY_KEYS[key]) for key in keys})
        .annotate(n=Sum("findings"))
    )
    return {tuple(row[f"k_{key}"] for key in keys): row["n"] for row in rows}


def _counted_rows() -> Iterable[dict[str, Any]]:
    return (
        Finding.objects.exclude(SECRET)
        .order_by()
        .values(
            y=ExtractYear("visit__starts_on"),
            t=F("theme"),
            k=F("kind"),
            s=F("severity"),
            c=F("visit__place__category_id"),
            r=F("visit__place__region_id"),
        )
        .annotate(n=Count("pk"))
        .iterator(chunk_size=BATCH)
    )


def tally_rebuild() -> RebuildResult:
    """Recount every finding outside the secret visits; the tally is then current for the
    generation read at the start (a change meanwhile leaves it stale, as it must)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        TallyState.objects.get_or_create(pk=1)
        generation = TallyState.objects.filter(pk=1).values_list("generation", flat=True)[0]
        FindingTally.objects.all().delete()
        batch: list[FindingTally] = []
        rows = total = 0
        # The same counts summed over the regions (see FindingTally).
        summed: dict[tuple[Any, ...], int] = {}
        for row in _counted_rows():
            key = (row["y"], row["t"], row["k"], row["s"], row["c"])
            summed[key] = summed.get(key, 0) + row["n"]
            batch.append(
                FindingTally(
                    year=row["y"],
                    theme=row["t"],
                    kind=row["k"],
                    severity=row["s"],
                    category_id=row["c"],
                    region_id=row["r"],
                    findings=row["n"],
                )
            )
            rows, total = rows + 1, total + row["n"]
            if len(batch) >= BATCH:
                FindingTally.objects.bulk_create(batch)
                batch = []
        batch.extend(
            FindingTally(
                year=year,
                theme=theme,
                kind=kind,
                severity=severity,
                category_id=category,
                region_id=None,
                findings=n,
                all_regions=True,
            )
            for (year, theme, kind, severity, category), n in summed.items()
        )
        FindingTally.objects.bulk_create(batch, batch_size=BATCH)
        TallyState.objects.filter(pk=1).update(built_generation=generation, built_at=timezone.now())
    logger.info("findings tally rebuilt: %s rows, %s findings", rows, total)
    return RebuildResult(rows=rows, findings=total, generation=generation)


def tally_bump() -> None:
    """Mark the tally stale (called by the signals, inside the writer's transaction)."""
    TallyState.objects.filter(pk=1).update(generation=F("generation") + 1)


@task()
def tally_rebuild_task() -> None:
    """The background rebuild; nothing to do when the tally became current meanwhile."""
    if not tally_current():
        tally_rebuild()


def _rebuild_queued() -> bool:
    """A rebuild already waits in the database queue (other backends: assume not)."""
    try:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is installed
        return False
    path = f"{tally_rebuild_task.func.__module__}.{tally_rebuild_task.func.__qualname__}"
    waiting = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
    try:
        return DBTaskResult.objects.filter(task_path=path, status__in=waiting).exists()
    except Exception:  # noqa: BLE001 - no queue table: nothing queued there
        return False


def tally_request_rebuild() -> None:
    """Queue a rebuild after this request's transaction, unless one already waits."""
    if _rebuild_queued():
        return
    transaction.on_commit(tally_rebuild_task.enqueue)
