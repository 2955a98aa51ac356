"""What a visit's team still lacks, in plain words (¶8, 11; OPCAT 18(2)).

`check_team(visit)` looks at the team as a whole (its head, its size, gender balance, a
medical member, languages) and at each member (conflicts of interest, an external
expert's papers, training). Each item has a level: `block` stops the team from being
ready and, for a member, stops the assignment unless the head overrides it with a written
reason; `warning` is shown and proposed a remedy; `ok` says what was checked and holds.

Nothing here writes; it reads only the visit, its place and the team's profiles. The
only thing it tells about an open case at the place is that a medical member is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.visits.models import TeamAssignment, TeamProfile, Training, Visit

BLOCK = "block"
WARNING = "warning"
OK = "ok"

# Categories whose places need a medical member on every visit (DOMAIN.md, Team).
MEDICAL_CATEGORIES = frozenset({"psychiatric", "social-care"})
# People on the team besides interpreters; one of them is the head of delegation.
MIN_TEAM = 2


@dataclass(frozen=True)
class Check:
    code: str
    level: str
    message: str

    @property
    def blocks(self) -> bool:
        return self.level == BLOCK


@dataclass
class MemberReport:
    user: Any
    assignment: TeamAssignment | None
    checks: list[Check] = field(default_factory=list)

    @property
    def overridden(self) -> bool:
        return bool(self.assignment is not None and self.assignment.override_reason)

    @property
    def blocks(self) -> list[Check]:
        return [check for check in self.checks if check.blocks]

    @property
    def unresolved_blocks(self) -> list[Check]:
        return [] if self.overridden else self.blocks

    @property
    def level(self) -> str:
        levels = {check.level for check in self.checks}
        return BLOCK if BLOCK in levels else WARNING if WARNING in levels else OK


@dataclass
class TeamReport:
    team: list[Check]
    members: list[MemberReport]

    @property
    def unresolved(self) -> list[Check]:
        """Every block still standing: the team's own and members' not overridden."""
        found = [check for check in self.team if check.blocks]
        for member in self.members:
            found.extend(member.unresolved_blocks)
        return found

    @property
    def level(self) -> str:
        levels = {check.level for check in self.team} | {m.level for m in self.members}
        if self.unresolved:
            return BLOCK
        return WARNING if levels - {OK} else OK


# -- helpers -----------------------------------------------------------------------


def _profile(user: Any) -> TeamProfile | None:
    try:
        return user.team_profile
    except TeamProfile.DoesNotExist:
        return None


def _name(user: Any) -> str:
    return getattr(user, "full_name", "") or str(user)


def _authority_chain(authority: Any) -> set[int]:
    """The place's authority and every authority above it."""
    seen: set[int] = set()
    node = authority
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        node = node.parent
    return seen


def _group_codes(visit: Visit) -> set[str]:
    return set(visit.place.groups.values_list("code", flat=True))


def needed_trainings(visit: Visit) -> list[Training]:
    """Trainings whose `needed_for` names the place's category or a group it holds."""
    wanted = {visit.place.category.code} | _group_codes(visit)
    return [t for t in Training.objects.all() if wanted & set(t.needed_for or [])]


def _is_external(user: Any, profile: TeamProfile | None) -> bool:
    return bool(profile and profile.is_external) or user.role == roles.Role.EXPERT


# -- one person --------------------------------------------------------------------


def member_checks(
    visit: Visit,
    user: Any,
    *,
    trainings: Iterable[Training] | None = None,
    fresh: bool = True,
) -> list[Check]:
    """What putting `user` on this visit's team raises, whether or not they are on it.

    `fresh` reads the profile from the database rather than from `user`'s cache."""
    profile = TeamProfile.objects.filter(user_id=user.pk).first() if fresh else _profile(user)
    checks: list[Check] = []
    if profile is None:
        checks.append(
            Check(
                "no_profile",
                WARNING,
                _(
                    "%(name)s has no team profile: conflicts of interest, languages and "
                    "training cannot be checked."
                )
                % {"name": _name(user)},
            )
        )
    checks.extend(_conflict_checks(visit, user, profile))
    checks.extend(_paper_checks(user, profile))
    if trainings is None:
        trainings = needed_trainings(visit)
    checks.extend(_training_checks(user, list(trainings)))
    return checks


def _conflict_checks(visit: Visit, user: Any, profile: TeamProfile | None) -> list[Check]:
    if profile is None:
        return []
    name = _name(user)
    found = []
    if profile.conflict_places.filter(pk=visit.place_id).exists():
        found.append(
            Check(
                "conflict_place",
                BLOCK,
                _("%(name)s declared a conflict of interest with this place.") % {"name": name},
            )
        )
    chain = _authority_chain(visit.place.authority)
    if chain and profile.conflict_authorities.filter(pk__in=chain).exists():
        found.append(
            Check(
                "conflict_authority",
                BLOCK,
                _(
                    "%(name)s declared a conflict of interest with the authority in charge of "
                    "this place."
                )
                % {"name": name},
            )
        )
    if not found:
        found.append(
            Check(
                "conflict",
                OK,
                _("%(name)s: no conflict of interest declared with this place.") % {"name": name},
            )
        )
    return found


def _paper_checks(user: Any, profile: TeamProfile | None) -> list[Check]:
    if not _is_external(user, profile):
        return []
    name = _name(user)
    missing = []
    if profile is None or not profile.terms_of_reference_on:
        missing.append(_("terms of reference"))
    if profile is None or not profile.undertaking_signed_on:
        missing.append(_("a signed confidentiality undertaking"))
    if missing:
        return [
            Check(
                "external_papers",
                BLOCK,
                _("%(name)s is an external expert without %(missing)s.")
                % {"name": name, "missing": _(" and ").join(missing)},
            )
        ]
    return [
        Check(
            "external_papers",
            OK,
            _("%(name)s: terms of reference and undertaking on file.") % {"name": name},
        )
    ]


def _training_checks(user: Any, trainings: list[Training]) -> list[Check]:
    if not trainings:
        return []
    done = set(user.trainings.values_list("training_id", flat=True))
    return [
        Check(
            f"training_{training.code}",
            WARNING,
            _(
                "%(name)s has not taken the training “%(training)s”, useful for this place: "
                "propose it."
            )
            % {"name": _name(user), "training": training.name},
        )
        for training in trainings
        if training.pk not in done
    ]


# -- the team ----------------------------------------------------------------------


def _team_rows(visit: Visit) -> list[TeamAssignment]:
    return list(
        TeamAssignment.objects.filter(visit=visit)
        .select_related("user", "user__team_profile")
        .order_by("role", "assigned_at")
    )


def check_team(visit: Visit) -> TeamReport:
    rows = _team_rows(visit)
    trainings = needed_trainings(visit)
    members = [
        MemberReport(
            user=row.user,
            assignment=row,
            checks=member_checks(
                visit,
                row.user,
                trainings=[] if row.role == TeamAssignment.Role.INTERPRETER else trainings,
                fresh=False,
            ),
        )
        for row in rows
    ]
    return TeamReport(team=team_level_checks(visit, rows), members=members)


def team_level_checks(visit: Visit, rows: list[TeamAssignment]) -> list[Check]:
    people = [row for row in rows if row.role != TeamAssignment.Role.INTERPRETER]
    return [
        _head_check(visit, rows),
        _size_check(people),
        *_gender_checks(visit, people),
        _medical_check(visit, people),
        *_language_checks(visit, rows),
    ]


def _head_check(visit: Visit, rows: list[TeamAssignment]) -> Check:
    if any(row.role == TeamAssignment.Role.LEADER for row in rows):
        return Check("head", OK, _("The head of delegation is on the team."))
    return Check(
        "head",
        BLOCK,
        _("The head of delegation, %(name)s, is not on the team yet.")
        % {"name": _name(visit.lead)},
    )


def _size_check(people: list[TeamAssignment]) -> Check:
    if len(people) >= MIN_TEAM:
        return Check("size", OK, _("The team has %(count)s members.") % {"count": len(people)})
    return Check(
        "size",
        BLOCK,
        _("A visit needs at least %(min)s people on the team, interpreters aside.")
        % {"min": MIN_TEAM},
    )


def _gender_checks(visit: Visit, people: list[TeamAssignment]) -> list[Check]:
    genders = [
        getattr(_profile(row.user), "gender", TeamProfile.Gender.UNDISCLOSED) for row in people
    ]
    checks = []
    if "women" in _group_codes(visit) and TeamProfile.Gender.WOMAN not in genders:
        checks.append(
            Check(
                "gender_women",
                WARNING,
                _("This place holds women and no woman is on the team: add one."),
            )
        )
    declared = set(genders)
    if len(people) >= 2 and len(declared) == 1:
        only = declared.pop()
        if only == TeamProfile.Gender.WOMAN:
            checks.append(
                Check(
                    "gender_balance", WARNING, _("Every member is a woman: consider a mixed team.")
                )
            )
        elif only == TeamProfile.Gender.MAN:
            checks.append(
                Check("gender_balance", WARNING, _("Every member is a man: consider a mixed team."))
            )
    if not checks:
        checks.append(Check("gender_balance", OK, _("Gender balance: nothing to report.")))
    return checks


def _injuries_alleged(visit: Visit) -> bool:
    from habeas.visits.models import Interview

    if Interview.objects.filter(visit=visit, allegation=True).exists():
        return True
    try:
        from habeas.cases.models import Case
    except ImportError:  # pragma: no cover - the cases app ships with the project
        return False
    return Case.objects.filter(place=visit.place_id, status="open").exists()


def _medical_check(visit: Visit, people: list[TeamAssignment]) -> Check:
    has_medical = any(
        (profile := _profile(row.user)) is not None and profile.is_medical for row in people
    )
    if visit.place.category.code in MEDICAL_CATEGORIES:
        reason = _("this category of place")
    elif _injuries_alleged(visit):
        reason = _("injuries alleged at this place")
    else:
        return Check("medical", OK, _("No medical member is required for this visit."))
    if has_medical:
        return Check("medical", OK, _("A medical member is on the team."))
    return Check(
        "medical",
        WARNING,
        _(
            "A medical member (doctor, psychiatrist or nurse) is needed because of %(reason)s: "
            "add one."
        )
        % {"reason": reason},
    )


def _norm(language: str) -> str:
    return language.strip().casefold()


def _language_checks(visit: Visit, rows: list[TeamAssignment]) -> list[Check]:
    needed = [lang for lang in visit.languages_needed or [] if str(lang).strip()]
    if not needed:
        return []
    spoken = {
        _norm(str(lang))
        for row in rows
        for lang in (getattr(_profile(row.user), "languages", None) or [])
    }
    missing = [lang for lang in needed if _norm(str(lang)) not in spoken]
    if not missing:
        return [Check("languages", OK, _("Every language needed is spoken on the team."))]
    return [
        Check(
            f"language_{_norm(lang)}",
            WARNING,
            _("No one on the team speaks %(language)s: add a member or an interpreter who does.")
            % {"language": lang},
        )
        for lang in missing
    ]
