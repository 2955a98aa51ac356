"""Importing frameworks, and the reads the framework pages need (whole tool, ¶3).

Frameworks are public texts (the SPT tool, a national law, an NPM's own standards), not
records about anyone: every user who may see assessments may read them all. Importing
one takes `assessment.frameworks`. A framework version is never edited once imported;
a revision is imported as a new version, and each assessment keeps the version it was
made against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from habeas.accounts import roles
from habeas.assessment import framework_io
from habeas.assessment.framework_io import InvalidFramework
from habeas.assessment.models import Criterion, FrameworkVersion, IndicatorSlot, Section
from habeas.core import audit


def _already_there(code: str, version: str) -> InvalidFramework:
    return InvalidFramework(
        [
            _(
                "Version %(version)s of the framework %(code)s is already in Habeas. "
                "A framework version is never changed once imported: give a revision "
                "a new version."
            )
            % {"version": version, "code": code}
        ]
    )


@transaction.atomic
def framework_import(*, actor: Any, document: bytes, filename: str) -> FrameworkVersion:
    """Import a framework document whole, or nothing of it (InvalidFramework says why)."""
    if not roles.can(actor, "assessment.frameworks"):
        raise PermissionDenied
    parsed = framework_io.parse_framework(document)
    if FrameworkVersion.objects.filter(
        framework__code=parsed.code, version=parsed.version
    ).exists():
        raise _already_there(parsed.code, parsed.version)
    try:
        with transaction.atomic():
            version = framework_io.write_framework(parsed, imported_by=actor)
    except IntegrityError:
        # Someone imported the same version between our check and our write.
        raise _already_there(parsed.code, parsed.version) from None
    audit.record(
        actor=actor,
        action="framework.import",
        obj=version,
        detail={
            "code": parsed.code,
            "version": parsed.version,
            "filename": filename[:200],
            "sha256": parsed.sha256,
            "sections": len(parsed.sections),
            "criteria": len(parsed.criteria),
        },
    )
    return version


# Reads ------------------------------------------------


def may_view_frameworks(user: Any) -> bool:
    return roles.can(user, "assessment.view")


def framework_version_list() -> QuerySet[FrameworkVersion]:
    """Every framework version, newest first within each framework, with its counts."""
    return (
        FrameworkVersion.objects.select_related("framework", "imported_by")
        .annotate(
            paragraph_count=Count(
                "criteria", filter=Q(criteria__kind=Criterion.Kind.PARAGRAPH), distinct=True
            ),
            item_count=Count(
                "criteria", filter=Q(criteria__kind=Criterion.Kind.ITEM), distinct=True
            ),
            assessment_count=Count("assessments", distinct=True),
        )
        .order_by("framework__name", "-published_on", "-imported_at")
    )


@dataclass
class OutlineSection:
    """A section of the outline with its own criteria and its sub-sections."""

    section: Section
    criteria: list[Criterion] = field(default_factory=list)
    children: list[OutlineSection] = field(default_factory=list)


def framework_outline(*, version: FrameworkVersion) -> list[OutlineSection]:
    """The version's sections as a tree; each holds its paragraphs, each paragraph its
    listed items (`criterion.listed`) and every criterion its slots (`criterion.slot_list`).
    Four queries whatever the size of the framework."""
    criteria = list(
        version.criteria.prefetch_related(
            Prefetch("slots", queryset=IndicatorSlot.objects.order_by("key"), to_attr="slot_list")
        ).order_by("position")
    )
    items: dict[int, list[Criterion]] = {}
    for criterion in criteria:
        if criterion.parent_id:
            items.setdefault(criterion.parent_id, []).append(criterion)
    nodes = {s.pk: OutlineSection(section=s) for s in version.sections.order_by("position")}
    for criterion in criteria:
        criterion.listed = items.get(criterion.pk, [])  # type: ignore[attr-defined]
        criterion.lead_in = _lead_in(criterion)  # type: ignore[attr-defined]
        if not criterion.parent_id and criterion.section_id in nodes:
            nodes[criterion.section_id].criteria.append(criterion)
    roots: list[OutlineSection] = []
    for node in nodes.values():
        parent = nodes.get(node.section.parent_id) if node.section.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def _lead_in(criterion: Criterion) -> str:
    """A paragraph's text without its listed items, which the outline shows on their own
    (in the data file they follow the lead-in, one per line, after “· ”)."""
    if not getattr(criterion, "listed", None):
        return criterion.text
    return "\n".join(line for line in criterion.text.split("\n") if not line.startswith("· "))
