"""`manage.py plan --period 2027-Q1 [--json]`: build a period's visit programme and print it.

The programme for the period is built again with its stored capacity and rules (created,
with the latest programme's capacity, if there is none), synchronously, then printed as a
table or as one JSON object. It acts as `--as` (an email) or, by default, the first active
head of the NPM, and is audited as theirs.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from habeas.accounts.models import User
from habeas.accounts.roles import Role
from habeas.planning import inputs, selectors, services
from habeas.planning.models import PlannedVisit, Programme


class Command(BaseCommand):
    help = "Build the visit programme of a period (2027-Q1 or 2027) and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="A quarter (2027-Q1) or a year.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--as", dest="email", default="", help="Act as this user.")
        parser.add_argument(
            "--time-limit",
            type=float,
            default=None,
            help="Seconds to search (default: the programme's own).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["email"])
        try:
            period, _starts, _ends = inputs.parse_period(options["period"])
            programme = self._programme(actor, period)
            services.programme_build(actor=actor, programme=programme, enqueue=False)
        except (ValidationError, PermissionDenied) as refused:
            raise CommandError(" ".join(_messages(refused))) from refused
        services.programme_solve(programme_id=programme.pk, time_limit=options["time_limit"])
        programme.refresh_from_db()
        if programme.status == Programme.Status.FAILED:
            raise CommandError(programme.failure)
        if options["json"]:
            self.stdout.write(json.dumps(as_json(programme), indent=2, default=str))
        else:
            self._table(programme)

    def _actor(self, email: str) -> User:
        users = User.objects.filter(is_active=True)
        actor = (
            users.filter(email__iexact=email).first()
            if email
            else users.filter(role=Role.HEAD).order_by("pk").first()
        )
        if actor is None:
            raise CommandError("No active user to act as: give --as with a planner's email.")
        return actor

    def _programme(self, actor: User, period: str) -> Programme:
        programme = Programme.objects.filter(period=period).order_by("-created_at", "-pk").first()
        if programme is None:
            return services.programme_create(actor=actor, data={"period": period})
        if programme.status == Programme.Status.ADOPTED:
            raise CommandError(f"The programme for {period} was adopted: it cannot be rebuilt.")
        return programme

    def _table(self, programme: Programme) -> None:
        write = self.stdout.write
        data = as_json(programme)
        write(f"Programme {programme.period} ({programme.starts_on} – {programme.ends_on})")
        write(
            f"Objective {data['objective']:.1f}, bound {data['bound']:.1f}, "
            f"gap {100 * (data['gap'] or 0):.2f} % ({selectors.gap_words(programme)}); "
            f"solver {programme.solver}, {programme.solve_seconds or 0:.1f} s."
        )
        write(f"Reserve kept back: {float(programme.reserve_share) * 100:.0f} % of staff-days.")
        ours, greedy = data["comparison"].get("programme", {}), data["comparison"].get("greedy", {})
        write(f"{'':24}{'programme':>12}{'most overdue first':>22}")
        for key in (
            "risk_covered",
            "places_overdue",
            "regions_left_out",
            "categories_left_out",
            "visits",
        ):
            write(f"{key.replace('_', ' '):24}{ours.get(key, ''):>12}{greedy.get(key, ''):>22}")
        write(
            f"Left out: {len(data['left_out']['regions'])} regions, "
            f"{len(data['left_out']['categories'])} categories; "
            f"{len(data['exceeded'])} places will exceed their maximum interval."
        )
        for text in data["explanations"]:
            write(f"  ! {text}")
        write("")
        write(f"{'week':<12}{'place':<40}{'type':<12}{'days':>6}{'staff-days':>12}{'risk':>8}")
        for visit in data["visits"]:
            write(
                f"{visit['week']:<12}{visit['place'][:38]:<40}{visit['kind']:<12}"
                f"{visit['days']:>6}{visit['staff_days']:>12}{visit['risk'] or 0:>8.1f}"
            )


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(m) for m in error.messages]
    return [str(error) or "You may not do this."]


def as_json(programme: Programme) -> dict[str, Any]:
    """The programme as one JSON object: its figures and its visits."""
    visits = (
        PlannedVisit.objects.filter(programme=programme)
        .select_related("place", "place__region", "place__category")
        .order_by("week_starts_on", "place__name")
    )
    return {
        "period": programme.period,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "status": programme.status,
        "solver": programme.solver,
        "objective": programme.objective,
        "bound": programme.bound,
        "gap": programme.gap,
        "solve_seconds": programme.solve_seconds,
        "greedy_objective": programme.greedy_objective,
        "reserve_share": float(programme.reserve_share),
        "comparison": {
            k: v for k, v in (programme.comparison or {}).items() if k in ("programme", "greedy")
        },
        "left_out": {
            "regions": (programme.left_out or {}).get("regions", []),
            "categories": (programme.left_out or {}).get("categories", []),
        },
        "exceeded": list(programme.exceeded or []),
        "explanations": selectors.explanations(programme),
        "visits": [
            {
                "week": v.week_starts_on.isoformat(),
                "place_id": v.place_id,
                "place": v.place.name,
                "region": v.place.region.name if v.place.region else "",
                "category": v.place.category.name,
                "kind": v.kind,
                "days": float(v.days),
                "staff_days": float(v.staff_days),
                "team_size": v.team_size,
                "source": v.source,
                "pinned": v.pinned,
                "risk": v.risk_score,
                "reasons": selectors.reasons(v),
            }
            for v in visits
        ],
    }
