"""The anonymity rule of ¶25: sensitive information must not be traceable to its source.

The rule, per unit of the visited place (interviews whose unit is not recorded form one
group of their own, "unit not recorded"):

- Only *private* interviews that were held count (kind `private`, follow-ups included
  once their pseudonym is set; a follow-up merely planned from a group interview has no
  pseudonym yet and counts for nothing). A group, staff, management or other-visitor
  interview does not hide a detainee who spoke alone.
- Let S be the number of sensitive private interviews in the unit and C the visit's
  `anonymity_cover` (3 by default). Each sensitive interview needs its own cover of C
  further private interviews, so the unit needs at least S × (C + 1) private interviews
  in all (sensitive ones included): equivalently, at least C × S private interviews in
  the unit that are *not* sensitive. Counting one sensitive interview as another's
  cover is not allowed, because a staff member who learns of two complaints from a wing
  where only two people were seen alone knows both sources. With S × (C + 1) the
  proportion of sources among the people seen alone stays at most 1 in C + 1, whatever
  S is.
- A unit that held fewer than C + 1 people that day (from the coverage record; if none
  was recorded, from the unit's capacity) cannot hide a source at all, whatever the
  interviews: the status says so plainly. If the unit held fewer people than the
  S × (C + 1) private interviews needed, the cover can never be reached there either.
- Sensitive interviews whose unit is not recorded cannot be checked and are reported
  unsatisfied until the unit is recorded.

The status is computed from the database on each call; it names units and counts, never
a pseudonym or anything said.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from habeas.places.models import Unit
from habeas.visits.models import Interview, UnitCoverage, Visit


@dataclass(frozen=True)
class AnonymityItem:
    """The anonymity status of one unit with sensitive private interviews."""

    unit: Unit | None
    unit_name: str
    sensitive: int
    private: int
    required: int
    people: int | None
    too_small: bool
    satisfied: bool
    message: str

    @property
    def missing(self) -> int:
        return max(0, self.required - self.private)


def anonymity_status(visit: Visit) -> list[AnonymityItem]:
    """One item per unit where a sensitive private interview was held, by unit name
    (the group without a unit last). Every item must be satisfied before the team
    relies on the information."""
    cover = int(visit.anonymity_cover)
    private: dict[int | None, int] = defaultdict(int)
    sensitive: dict[int | None, int] = defaultdict(int)
    held_interviews = Interview.objects.filter(visit=visit, kind=Interview.Kind.PRIVATE).exclude(
        pseudonym=""
    )
    for unit_id, is_sensitive in held_interviews.values_list("unit_id", "sensitive"):
        private[unit_id] += 1
        if is_sensitive:
            sensitive[unit_id] += 1
    if not sensitive:
        return []
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[k for k in sensitive if k])}
    held = dict(
        UnitCoverage.objects.filter(visit=visit, held__isnull=False).values_list("unit_id", "held")
    )
    items = []
    for unit_id, s in sensitive.items():
        unit = units.get(unit_id) if unit_id else None
        p = private[unit_id]
        required = s * (cover + 1)
        if unit is None:
            items.append(
                AnonymityItem(
                    unit=None,
                    unit_name=_("Unit not recorded"),
                    sensitive=s,
                    private=p,
                    required=required,
                    people=None,
                    too_small=False,
                    satisfied=False,
                    message=ngettext(
                        "%(count)d sensitive interview has no unit: record the unit so "
                        "that the cover of the source can be checked.",
                        "%(count)d sensitive interviews have no unit: record the unit so "
                        "that the cover of the sources can be checked.",
                        s,
                    )
                    % {"count": s},
                )
            )
            continue
        people = held.get(unit_id, unit.capacity)
        too_small = people is not None and people < cover + 1
        unreachable = people is not None and people < required
        ok = not too_small and not unreachable and p >= required
        if too_small:
            message = _(
                "%(unit)s held %(people)d people: a source cannot be hidden there; consider "
                "not using the information or protecting it otherwise."
            ) % {"unit": unit.name, "people": people}
        elif unreachable:
            message = ngettext(
                "%(unit)s held %(people)d people, fewer than the %(required)d private "
                "interviews needed to cover %(sensitive)d sensitive interview: the "
                "source cannot be hidden there; consider not using the information or "
                "protecting it otherwise.",
                "%(unit)s held %(people)d people, fewer than the %(required)d private "
                "interviews needed to cover %(sensitive)d sensitive interviews: the "
                "sources cannot all be hidden there; consider not using the information or "
                "protecting it otherwise.",
                s,
            ) % {"unit": unit.name, "people": people, "required": required, "sensitive": s}
        elif ok:
            message = ngettext(
                "%(unit)s: %(sensitive)d sensitive interview covered by %(private)d "
                "private interviews (%(required)d needed).",
                "%(unit)s: %(sensitive)d sensitive interviews covered by %(private)d "
                "private interviews (%(required)d needed).",
                s,
            ) % {"unit": unit.name, "sensitive": s, "private": p, "required": required}
        else:
            message = ngettext(
                "%(unit)s: %(sensitive)d sensitive interview needs %(required)d private "
                "interviews in the unit; %(private)d held, %(missing)d more needed.",
                "%(unit)s: %(sensitive)d sensitive interviews need %(required)d private "
                "interviews in the unit; %(private)d held, %(missing)d more needed.",
                s,
            ) % {
                "unit": unit.name,
                "sensitive": s,
                "private": p,
                "required": required,
                "missing": required - p,
            }
        items.append(
            AnonymityItem(
                unit=unit,
                unit_name=str(unit.name),
                sensitive=s,
                private=p,
                required=required,
                people=people,
                too_small=too_small,
                satisfied=ok,
                message=message,
            )
        )
    items.sort(key=lambda i: (i.unit is None, i.unit_name))
    return items


def anonymity_satisfied(visit: Visit) -> bool:
    return all(item.satisfied for item in anonymity_status(visit))
