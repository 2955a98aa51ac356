"""What still stops a visit from moving to another state, in plain words (¶11, 14, 16, 25).

`blockers(visit, to)` answers with the list of obstacles; an empty list means the move
may be made. `next_moves(visit)` lists the moves the visit's state allows, each with its
blockers, for the visit's page and the API.

The field rules (coverage, anonymity, debrief) belong to the field-work modules and are
imported lazily so that this module loads even before they exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from habeas.visits.models import Debrief, TeamAssignment, Visit

S = Visit.State

# The moves a visit may make. Later states after the debrief are set by hand with their
# date until the reports module drives them; closing is possible from the debrief on.
MOVES: dict[str, tuple[str, ...]] = {
    S.PLANNED: (S.PREPARED,),
    S.PREPARED: (S.IN_PROGRESS, S.PLANNED),
    S.IN_PROGRESS: (S.DEBRIEFED,),
    S.DEBRIEFED: (S.REPORT_DRAFTED, S.CLOSED),
    S.REPORT_DRAFTED: (S.REPORT_SENT, S.CLOSED),
    S.REPORT_SENT: (S.RESPONSE_RECEIVED, S.CLOSED),
    S.RESPONSE_RECEIVED: (S.CLOSED,),
    S.CLOSED: (),
}
# States reached by hand with the date the thing happened.
DATED_STATES = frozenset({S.REPORT_DRAFTED, S.REPORT_SENT, S.RESPONSE_RECEIVED})


@dataclass(frozen=True)
class Blocker:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def blockers(visit: Visit, to: str) -> list[Blocker]:
    if to not in MOVES.get(visit.state, ()):
        return [
            Blocker(
                "move_not_allowed",
                _("A visit cannot go from “%(from)s” to “%(to)s”.")
                % {"from": visit.get_state_display(), "to": _label(to)},
            )
        ]
    if to == S.PREPARED and visit.state == S.PLANNED:
        return _team_blockers(visit)
    if to == S.IN_PROGRESS:
        return _conduct_blockers(visit)
    if to in (S.DEBRIEFED, S.CLOSED):
        return field_blockers(visit)
    return []


def next_moves(visit: Visit) -> list[tuple[str, str, list[Blocker]]]:
    """(state, its label, what blocks it) for each move the current state allows."""
    return [(to, _label(to), blockers(visit, to)) for to in MOVES.get(visit.state, ())]


def _label(state: str) -> str:
    return str(dict(S.choices).get(state, state))


def _team_blockers(visit: Visit) -> list[Blocker]:
    from habeas.visits.team_checks import check_team

    return [Blocker(check.code, check.message) for check in check_team(visit).unresolved]


def _conduct_blockers(visit: Visit) -> list[Blocker]:
    rows = TeamAssignment.objects.filter(visit=visit, conduct_acknowledged_at__isnull=True)
    found = [
        Blocker(
            "conduct",
            _("%(name)s has not acknowledged the code of conduct yet.")
            % {"name": row.user.full_name or str(row.user)},
        )
        for row in rows.select_related("user")
    ]
    if not TeamAssignment.objects.filter(visit=visit).exists():
        found.append(Blocker("no_team", _("The visit has no team.")))
    return found


def field_blockers(visit: Visit) -> list[Blocker]:
    """Coverage of every unit, the anonymity rule and the debrief (¶14, 16, 25)."""
    from habeas.visits.anonymity import anonymity_status
    from habeas.visits.coverage import coverage_gaps

    found = [
        Blocker(
            "coverage",
            _("The unit “%(unit)s” was not seen and no reason is recorded.") % {"unit": unit.name},
        )
        for unit in coverage_gaps(visit)
    ]
    found.extend(
        Blocker("anonymity", str(item.message))
        for item in anonymity_status(visit)
        if not item.satisfied
    )
    if not Debrief.objects.filter(visit=visit).exists():
        found.append(Blocker("debrief", _("No debrief with the management is recorded.")))
    return found
