"""Reading the NPM's policies and rules of procedure (¶7, 8), through `restrict`.

- The **library**: every policy grouped by the areas ¶8 lists, each with its latest
  version and whether the reader has acknowledged it.
- The version a member acknowledges is the **latest issued** one, even before it takes
  effect, so that people read a rule before it binds them; a new version is acknowledged
  again. Older versions stay readable and never change.
- **Members** who must acknowledge: every active account whose role reads the policies
  (`policies.view`) — staff of this NPM, not members of another organisation, not an
  account that has expired. The head sees who has and who has not acknowledged, and how
  many accounts were left out and why, so that nobody is dropped silently.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString

from habeas.accounts import roles
from habeas.reports import markdown
from habeas.strategy.models import Acknowledgement, Policy, PolicyArea, PolicyVersion


def rendered(version: PolicyVersion) -> SafeString:
    """The version's Markdown as safe HTML (raw HTML off, then an allow-list)."""
    return markdown.render(version.text)


def in_force(version: PolicyVersion, today: datetime.date | None = None) -> bool:
    return version.effective_on <= (today or timezone.localdate())


def latest_versions(policies: Any) -> dict[int, PolicyVersion]:
    """policy pk -> its latest version (highest number)."""
    versions = PolicyVersion.objects.filter(policy__in=policies).order_by("policy_id", "-number")
    found: dict[int, PolicyVersion] = {}
    for version in versions.select_related("issued_by"):
        found.setdefault(version.policy_id, version)
    return found


def _acknowledged_ids(user: Any, version_ids: list[int]) -> set[int]:
    return set(
        Acknowledgement.objects.restrict(user, "view")
        .filter(user=user, version_id__in=version_ids)
        .values_list("version_id", flat=True)
    )


@dataclass
class LibraryRow:
    policy: Policy
    latest: PolicyVersion | None
    acknowledged: bool

    @property
    def in_force(self) -> bool:
        return self.latest is not None and in_force(self.latest)


@dataclass
class LibraryArea:
    code: str
    label: Any
    rows: list[LibraryRow] = field(default_factory=list)


def library(user: Any) -> list[LibraryArea]:
    """Every area of ¶8 (empty ones too: a gap is worth seeing), with its policies."""
    policies = list(Policy.objects.restrict(user, "view"))
    latest = latest_versions([p.pk for p in policies])
    done = _acknowledged_ids(user, [v.pk for v in latest.values()])
    areas = {code: LibraryArea(code, label) for code, label in PolicyArea.choices}
    for policy in policies:
        version = latest.get(policy.pk)
        acknowledged = version is not None and version.pk in done
        areas[policy.area].rows.append(LibraryRow(policy, version, acknowledged))
    return list(areas.values())


def awaiting(user: Any) -> list[LibraryRow]:
    """The policies whose latest version `user` has not acknowledged yet."""
    if not roles.can(user, "policies.acknowledge"):
        return []
    return [
        row for area in library(user) for row in area.rows if row.latest and not row.acknowledged
    ]


def policy_for(user: Any, pk: int) -> Policy:
    """The policy if `user` may read it; 404 otherwise, the same as a missing one."""
    try:
        return Policy.objects.restrict(user, "view").get(pk=pk)
    except Policy.DoesNotExist:
        raise Http404 from None


def versions_of(user: Any, policy: Policy) -> list[PolicyVersion]:
    return list(
        PolicyVersion.objects.restrict(user, "view")
        .filter(policy=policy)
        .select_related("issued_by")
        .order_by("-number")
    )


def next_number(policy: Policy) -> int:
    return (PolicyVersion.objects.filter(policy=policy).aggregate(n=Max("number"))["n"] or 0) + 1


# -- who has acknowledged -------------------------------------------------------------


@dataclass
class Members:
    """The accounts that must acknowledge, and those left out with the reason."""

    members: list[Any]
    inactive: int
    not_staff: int


def members() -> Members:
    """Active accounts whose role reads the policies; the others counted by reason."""
    users = list(get_user_model().objects.order_by("full_name", "email"))
    chosen, inactive, not_staff = [], 0, 0
    for user in users:
        if not user.is_active or user.has_expired():
            inactive += 1
        elif roles.can(user, "policies.acknowledge"):
            chosen.append(user)
        else:
            not_staff += 1
    return Members(chosen, inactive, not_staff)


@dataclass
class AckStatus:
    version: PolicyVersion
    acknowledged: list[tuple[Any, datetime.datetime]]
    missing: list[Any]
    left_out: Members


def acknowledgement_status(reader: Any, version: PolicyVersion) -> AckStatus | None:
    """Who has and who has not acknowledged `version`; None for a reader who may not
    see everyone's acknowledgements (only the head may)."""
    if not roles.can(reader, "policies.change"):
        return None
    given = {
        ack.user_id: ack.at
        for ack in Acknowledgement.objects.restrict(reader, "view").filter(version=version)
    }
    who = members()
    acknowledged = [(user, given[user.pk]) for user in who.members if user.pk in given]
    missing = [user for user in who.members if user.pk not in given]
    return AckStatus(version, acknowledged, missing, who)


def with_my_acknowledgement(user: Any, policies: Any) -> Any:
    """Policies annotated with their latest version's id and the reader's own
    acknowledgement of it (for the API)."""
    latest = PolicyVersion.objects.filter(policy=OuterRef("pk")).order_by("-number")
    mine = Acknowledgement.objects.filter(user=user, version=OuterRef("latest_version_id")).values(
        "at"
    )[:1]
    return (
        policies.annotate(
            latest_version_id=Subquery(latest.values("pk")[:1]),
        )
        .annotate(my_acknowledged_at=Subquery(mine))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=PolicyVersion.objects.select_related("issued_by").order_by("-number"),
            )
        )
    )
