"""How well a finding is proved, computed from its evidence, never typed (¶15, 19).

Each piece of evidence comes from one *source* and a source is of one *kind*:

- the source: the interview cited (one person, or one group; two interviews whose real
  identities share a blind index are the same person), the register check, the
  photograph, the document, or, for a direct observation, the team member who wrote it
  (several observations by one person are one observer's word);
- the kind: detainees' testimony (private and group interviews together: a group may
  include the person interviewed alone, so the two are not independent), staff or
  management testimony (with other visitors), a register, a direct observation, a
  document, a photograph.

The levels:

- **single source**: no evidence; one source; or several sources all of one kind
  (five detainees telling the same story may have agreed it among themselves, and a
  statement resting only on testimony of one kind is not checked against anything);
- **corroborated**: at least two independent sources of different kinds, e.g. a private
  interview and a register, or a register and a photograph;
- **systemic**: corroborated *and* either seen across at least two units of the place
  (the units of the finding and of the interviews and register checks cited), or the
  same theme was raised as a concern at two or more earlier visits to the same place:
  what recurs across units or across years is a pattern, not an incident.
"""

from __future__ import annotations

from typing import Any

from habeas.visits.models import Evidence, Finding, Visit

TESTIMONY = "detainee_testimony"
KIND_OF = {
    Evidence.Source.PRIVATE_INTERVIEW: TESTIMONY,
    Evidence.Source.GROUP_INTERVIEW: TESTIMONY,
    Evidence.Source.STAFF: "staff_testimony",
    Evidence.Source.REGISTER: "register",
    Evidence.Source.OBSERVATION: "observation",
    Evidence.Source.DOCUMENT: "document",
    Evidence.Source.PHOTOGRAPH: "photograph",
}
EARLIER_VISITS_FOR_PATTERN = 2


def source_of(evidence: Evidence) -> tuple[str, Any]:
    """Who or what stands behind one piece of evidence."""
    if evidence.interview_id:
        interview = evidence.interview
        if interview is not None and interview.identity_index:
            return ("person", interview.identity_index)
        return ("interview", evidence.interview_id)
    if evidence.register_check_id:
        return ("register", evidence.register_check_id)
    if evidence.photo_id:
        return ("photo", evidence.photo_id)
    if evidence.document_id:
        return ("document", evidence.document_id)
    return ("observer", evidence.added_by_id)


def units_of(finding: Finding, evidence: list[Evidence]) -> set[int]:
    units = {finding.unit_id} if finding.unit_id else set()
    for item in evidence:
        if item.interview_id and item.interview and item.interview.unit_id:
            units.add(item.interview.unit_id)
        if item.register_check_id and item.register_check and item.register_check.unit_id:
            units.add(item.register_check.unit_id)
    return units


def recurs_at_earlier_visits(finding: Finding) -> bool:
    """The same theme found as the same kind at two or more earlier visits to the place."""
    visit = finding.visit
    earlier = (
        Finding.objects.filter(
            visit__place_id=visit.place_id,
            visit__starts_on__lt=visit.starts_on,
            theme=finding.theme,
            kind=finding.kind,
        )
        .exclude(visit_id=visit.pk)
        .exclude(visit__state=Visit.State.PLANNED)
        .values("visit_id")
        .distinct()
        .count()
    )
    return earlier >= EARLIER_VISITS_FOR_PATTERN


def compute(finding: Finding) -> str:
    """The finding's triangulation status (a `Finding.Triangulation` value)."""
    if finding.pk is None:
        return Finding.Triangulation.SINGLE
    evidence = list(
        Evidence.objects.filter(finding_id=finding.pk).select_related("interview", "register_check")
    )
    sources = {source_of(item): KIND_OF.get(item.source, item.source) for item in evidence}
    kinds = set(sources.values())
    if len(sources) < 2 or len(kinds) < 2:
        return Finding.Triangulation.SINGLE
    if len(units_of(finding, evidence)) >= 2 or recurs_at_earlier_visits(finding):
        return Finding.Triangulation.SYSTEMIC
    return Finding.Triangulation.CORROBORATED


def explain(finding: Finding) -> dict[str, Any]:
    """What the status rests on, for the finding's page and the API (no content)."""
    evidence = list(
        Evidence.objects.filter(finding_id=finding.pk).select_related("interview", "register_check")
    )
    sources = {source_of(item): KIND_OF.get(item.source, item.source) for item in evidence}
    return {
        "sources": len(sources),
        "kinds": sorted(set(sources.values())),
        "units": len(units_of(finding, evidence)),
        "recurring": recurs_at_earlier_visits(finding),
    }
