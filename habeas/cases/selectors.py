"""Reads of case files, always through `restrict` (ARCHITECTURE.md rule 2).

Nothing here counts or lists what the user is not granted on: a case without a grant
does not exist for them, whatever their role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from habeas.accounts import roles
from habeas.accounts.models import User
from habeas.cases.models import (
    Case,
    CaseGrant,
    ChecklistItem,
    MedicalAttachment,
    MedicalExamination,
    Referral,
)


@dataclass(frozen=True)
class CaseFilters:
    kind: str = ""
    status: str = ""
    place: Any = None

    def as_lookups(self) -> dict[str, Any]:
        lookups: dict[str, Any] = {}
        if self.kind:
            lookups["kind"] = self.kind
        if self.status:
            lookups["status"] = self.status
        if self.place is not None:
            lookups["place"] = self.place
        return lookups


def case_list(*, user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The cases the user is granted on; no sealed field is read here."""
    lookups = (filters or CaseFilters()).as_lookups()
    return (
        Case.objects.restrict(user, "view")
        .filter(**lookups)
        .select_related("place", "lead")
        .order_by("-reported_on", "-created_at")
    )


def case_for(*, user: Any, case_id: Any, action: str = "view") -> Case:
    """The case, or 404 for one that is missing or not granted (the same answer)."""
    return get_object_or_404(
        Case.objects.restrict(user, action).select_related("place", "authority", "lead"),
        pk=case_id,
    )


def grants_of(case: Case) -> QuerySet[CaseGrant]:
    return case.grants.select_related("user", "granted_by").order_by("granted_at", "pk")


def examinations_for(*, user: Any, case: Case) -> QuerySet[MedicalExamination]:
    return (
        MedicalExamination.objects.restrict(user, "view")
        .filter(case=case)
        .select_related("examiner")
    )


def examination_for(*, user: Any, case: Case, examination_id: Any) -> MedicalExamination:
    return get_object_or_404(
        examinations_for(user=user, case=case).select_related("case"), pk=examination_id
    )


def attachment_for(
    *, user: Any, examination: MedicalExamination, attachment_id: Any
) -> MedicalAttachment:
    return get_object_or_404(
        MedicalAttachment.objects.restrict(user, "view")
        .filter(examination=examination)
        .select_related("examination__case"),
        pk=attachment_id,
    )


def referrals_for(*, user: Any, case: Case) -> QuerySet[Referral]:
    return (
        Referral.objects.restrict(user, "view")
        .filter(case=case)
        .select_related("recipient_authority", "created_by")
    )


def referral_for(*, user: Any, case: Case, referral_id: Any) -> Referral:
    return get_object_or_404(
        referrals_for(user=user, case=case).select_related("case"), pk=referral_id
    )


def checklist_for(*, user: Any, case: Case) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.restrict(user, "view").filter(case=case).select_related("done_by")


def grantable_people(*, exclude_case: Case | None = None) -> list[User]:
    """Active people whose role may hold case files (the grant picker)."""
    eligible = roles.PERMISSIONS["cases.view"]
    people = User.objects.filter(is_active=True, role__in=eligible).order_by("full_name", "email")
    return [person for person in people if roles.can(person, "cases.view")]
