"""Import of recommendations made by the SPT, the CPT and other bodies, from CSV or XLSX (¶20).

As for places (habeas.places.importing): the upload is checked and stored with a row-by-row
report (a dry run that writes no recommendation); applying it checks every row again
inside one transaction and writes all of them, or none if any row has an error.

Each imported recommendation is recorded as SENT on the date the body issued it (the
body sent it, not the NPM), and is linked to the NPM's own recommendations on the same
theme that say much the same thing (`similarity`), so they are tracked together. A row
whose origin, source reference and text are already in Habeas is reported as unchanged,
so the same file applied twice imports nothing the second time.

The rows are written in bulk, as `services` would write them (numbered, sent, answered,
linked), with one audit event per recommendation and per link and one for the batch:
`recommendation_send` needs a right the data officer, who imports, does not hold, and
row-by-row services took minutes for a file of a thousand recommendations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from habeas.accounts import roles
from habeas.core import audit
from habeas.core.models import ImportBatch
from habeas.core.services import require
from habeas.places.import_columns import AMBIGUOUS, Column, RowError, name_index
from habeas.places.importing import import_batches_discard_stale
from habeas.places.models import Authority, Place
from habeas.places.spreadsheets import ImportRefused, Table, read_table, read_upload
from habeas.recommendations import services, similarity
from habeas.recommendations.models import (
    FollowUpRule,
    Level,
    Origin,
    Priority,
    Recommendation,
    Response,
    ResponseStatus,
)
from habeas.visits.models import Theme

KIND = "recommendations"
QUERY_CHUNK = 400  # two lists per query stay under SQLite's 999 variables
MAX_TEXT = 10_000
LINKS_PER_ROW = 3
IMPORTED_ORIGINS = (Origin.SPT, Origin.CPT, Origin.TREATY_BODY, Origin.OTHER)

COLUMNS = (
    Column("text", required=True, help=gettext_lazy("The recommendation, as the body wrote it.")),
    Column("origin", gettext_lazy(
        "spt, cpt, treaty_body or other (their names, such as “Other treaty body”, also "
        "work); empty means other.")),
    Column("source_ref", gettext_lazy(
        "The body's reference, for example the report's symbol and paragraph: "
        "CAT/OP/XX/1, para. 42. With origin and text, it recognises a recommendation "
        "already imported.")),
    Column("addressee", required=True, help=gettext_lazy(
        "Name of the authority it is addressed to, as entered in Habeas.")),
    Column("place", gettext_lazy(
        "The place it concerns, by its external reference or its exact name; may be empty.")),
    Column("level", gettext_lazy(
        "facility, supervisory, national or legislative; empty means the addressee's level.")),
    Column("theme", gettext_lazy(
        "treatment, safeguards, security, contact, conditions, regime, health or staff (or "
        "their names). It is linked to the NPM's own recommendations on this theme.")),
    Column("priority", gettext_lazy("urgent, key or general; empty means general.")),
    Column("deadline", gettext_lazy(
        "Date by which it should be implemented, YYYY-MM-DD (or a date cell).")),
    Column("sent_on", gettext_lazy(
        "Date the body issued it, YYYY-MM-DD; empty means today. The recommendation is "
        "recorded as sent on that date.")),
    Column("response", gettext_lazy(
        "The authority's response, if known: accepted, partially_accepted, rejected or "
        "no_reply (or their names).")),
    Column("responded_on", gettext_lazy(
        "Date of that response, YYYY-MM-DD; empty means the date in sent_on.")),
)  # fmt: skip
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
TEMPLATE_ROW = {
    "text": "Ensure that every person deprived of liberty is examined by a doctor within "
    "24 hours of arrival.",
    "origin": "spt",
    "source_ref": "CAT/OP/XX/1, para. 42",
    "addressee": "Ministry of Justice",
    "theme": "health",
    "priority": "key",
    "deadline": "2026-12-31",
    "sent_on": "2025-03-01",
}

__all__ = [
    "COLUMNS",
    "ImportFailed",
    "ImportNotApplicable",
    "ImportRefused",
    "ImportResult",
    "recommendations_import_apply",
    "recommendations_import_preview",
    "summary_text",
]


class CellError(ValueError):
    """One cell cannot be used; its message is shown to the user."""


class ImportNotApplicable(Exception):
    """The batch was already applied, discarded or failed; it cannot be applied again."""


class ImportFailed(Exception):
    """The database refused a write; everything was rolled back and nothing changed."""


# Reading cells ---------------------------------------------------------------------


@dataclass
class Lookups:
    """Authorities and places the importer may see, loaded once for the whole file."""

    today: dt.date
    rule: FollowUpRule
    authorities: dict[str, int]
    authority_rows: dict[int, Authority]
    places: dict[str, int]
    choices: dict[str, Choices]

    @classmethod
    def load(cls, actor: Any, *, with_places: bool) -> Lookups:
        authorities = {a.pk: a for a in Authority.objects.restrict(actor, "view")}
        places: list[tuple[int, str, str | None]] = []
        if with_places:
            visible = Place.objects.restrict(actor, "view")
            places = list(visible.values_list("pk", "name", "external_ref"))
        return cls(
            today=timezone.localdate(),
            rule=FollowUpRule.current(),
            authorities=name_index((a.name, pk) for pk, a in authorities.items()),
            authority_rows=authorities,
            places=name_index(
                ((name, pk) for pk, name, _ref in places),
                ((ref, pk) for pk, _name, ref in places if ref),
            ),
            choices={
                "origin": Choices.of(Origin, tuple(str(o) for o in IMPORTED_ORIGINS)),
                "level": Choices.of(Level),
                "theme": Choices.of(Theme),
                "priority": Choices.of(Priority),
                "response": Choices.of(ResponseStatus),
            },
        )


def _lookup(index: dict[str, int], text: str, what: str) -> int:
    pk = index.get(text.casefold())
    if pk == AMBIGUOUS:
        raise CellError(
            _("“%(value)s” is the name of more than one %(what)s.") % {"value": text, "what": what}
        )
    if pk is None:
        raise CellError(_("“%(value)s” is not a known %(what)s.") % {"value": text, "what": what})
    return pk


@dataclass(frozen=True)
class Choices:
    """The values a column takes, by code or by name in the user's language."""

    codes: tuple[str, ...]
    index: dict[str, str]

    @classmethod
    def of(cls, choices: Any, allowed: tuple[str, ...] | None = None) -> Choices:
        codes = allowed or tuple(str(value) for value in choices.values)
        index = {}
        for value, label in choices.choices:
            if value in codes:
                index[str(label).casefold()] = str(value)
                index[str(value)] = str(value)
        return cls(codes=codes, index=index)

    def clean(self, text: str) -> str:
        value = self.index.get(text.casefold())
        if value is None:
            raise CellError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": text, "choices": ", ".join(self.codes)}
            )
        return value


def _date(text: str, *, today: dt.date, past_only: bool) -> dt.date:
    try:
        value = dt.date.fromisoformat(text.split(" ")[0] if len(text) > 10 else text)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": text}
        ) from None
    if past_only and value > today:
        raise CellError(_("%(value)s is in the future.") % {"value": value.isoformat()})
    return value


def _text(text: str, limit: int) -> str:
    if len(text) > limit:
        raise CellError(_("is longer than %(limit)s characters.") % {"limit": limit})
    return text


def _clean(column: str, text: str, lookups: Lookups) -> Any:
    if column == "text":
        return _text(text, MAX_TEXT)
    if column == "source_ref":
        return _text(text, 200)
    if not text:
        return None
    if column == "addressee":
        return _lookup(lookups.authorities, text, str(_("authority")))
    if column == "place":
        return _lookup(lookups.places, text, str(_("place")))
    if column in lookups.choices:
        return lookups.choices[column].clean(text)
    return _date(text, today=lookups.today, past_only=column != "deadline")


# Rows ------------------------------------------------------------------------------


@dataclass
class RecommendationRow:
    """One spreadsheet row, cleaned, with what applying it would do."""

    row: int
    cells: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    action: str = "error"
    existing: str = ""  # the reference of the same recommendation already in Habeas
    existing_pk: int | None = None
    links: list[dict[str, Any]] = field(default_factory=list)
    linked_to: list[Recommendation] = field(default_factory=list)
    recommendation: Recommendation | None = None

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.cells["origin"], self.cells["source_ref"], self.cells["text"])

    def as_report(self) -> dict[str, Any]:
        made = self.recommendation
        return {
            "row": self.row,
            "text": str(self.cells.get("text") or "")[:300],
            "origin": str(self.cells.get("origin") or ""),
            "source_ref": str(self.cells.get("source_ref") or ""),
            "action": "error" if self.errors else self.action,
            "existing": self.existing,
            "existing_pk": self.existing_pk,
            "reference": made.reference if made is not None and made.pk else "",
            "pk": made.pk if made is not None else None,
            "links": self.links,
            "errors": [{"column": e.column, "message": e.message} for e in self.errors],
        }


def _check_dates(row: RecommendationRow, lookups: Lookups) -> None:
    cells = row.cells
    sent_on = cells.get("sent_on") or lookups.today
    cells["sent_on"] = sent_on
    if cells.get("deadline") and cells["deadline"] < sent_on:
        row.error("deadline", _("is earlier than the date it was issued (sent_on)."))
    if cells.get("responded_on") and not cells.get("response"):
        row.error("response", _("is required when responded_on is given."))
    if cells.get("responded_on") and cells["responded_on"] < sent_on:
        row.error("responded_on", _("is earlier than the date it was issued (sent_on)."))
    if cells.get("priority") == Priority.URGENT and not cells.get("deadline"):
        cells["deadline"] = sent_on + dt.timedelta(days=lookups.rule.urgent_days)


def _level_of(addressee: Authority) -> str:
    """The level an addressee acts at, as `recommendation_draft` derives it."""
    for kind, level in services.LEVEL_OF_AUTHORITY.items():
        if kind == addressee.kind:
            return str(level)
    return ""


def _build(row: RecommendationRow, lookups: Lookups, actor: Any) -> None:
    """The unsaved recommendation this row would create, checked as the model checks it."""
    cells = row.cells
    addressee = lookups.authority_rows[cells["addressee"]]
    recommendation = Recommendation(
        reference="R-pending",
        text=cells["text"],
        origin=cells["origin"],
        source_ref=cells["source_ref"],
        place_id=cells.get("place"),
        addressee=addressee,
        level=cells.get("level") or _level_of(addressee),
        theme=cells.get("theme") or "",
        priority=cells.get("priority") or Priority.GENERAL,
        deadline=cells.get("deadline"),
        state=Recommendation.State.SENT,
        sent_on=cells["sent_on"],
        owner=actor,
        created_by=actor,
    )
    if recommendation.priority == Priority.URGENT:
        recommendation.liaison = addressee.urgent_contact
    recommendation.response_due = services.response_due_on(
        recommendation, cells["sent_on"], lookups.rule
    )
    try:
        recommendation.clean_fields(exclude=["place", "addressee", "owner", "created_by"])
        if cells.get("response"):
            responded_on = cells.get("responded_on") or cells["sent_on"]
            services.check_response(recommendation, cells["response"], responded_on)
            recommendation.response, recommendation.responded_on = cells["response"], responded_on
    except ValidationError as exc:
        for column, messages in getattr(exc, "message_dict", {"response": exc.messages}).items():
            for message in messages:
                row.error(column if column in COLUMN_NAMES else "response", message)
        return
    row.recommendation = recommendation


def clean_row(number: int, raw: dict[str, str], lookups: Lookups, actor: Any) -> RecommendationRow:
    row = RecommendationRow(row=number, cells={})
    for column, text in raw.items():
        try:
            row.cells[column] = _clean(column, text, lookups)
        except CellError as exc:
            row.error(column, str(exc))
    for column in REQUIRED:
        if not raw.get(column):
            row.error(column, _("is required."))
    row.cells["origin"] = row.cells.get("origin") or Origin.OTHER
    row.cells["source_ref"] = row.cells.get("source_ref") or ""
    if not row.errors:
        _check_dates(row, lookups)
    if not row.errors:
        _build(row, lookups, actor)
    return row


def table_rows(table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    known = [(i, name) for i, name in enumerate(table.header) if name in COLUMN_NAMES]
    for number, cells in table.rows:
        raw = {name: cells[i] if i < len(cells) else "" for i, name in known}
        if any(raw.values()):
            yield number, raw


def check_header(table: Table) -> list[str]:
    """Refuse a header that repeats or lacks a required column; warn of unknown ones."""
    twice = sorted({name for name in table.header if name and table.header.count(name) > 1})
    if twice:
        raise ImportRefused(
            _("These columns appear more than once: %(columns)s.") % {"columns": ", ".join(twice)}
        )
    missing = [name for name in REQUIRED if name not in table.header]
    if missing:
        raise ImportRefused(
            _("The first row must name the columns; these required ones are missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    return [
        _("Column “%(column)s” is not known and was ignored.") % {"column": name}
        for name in table.header
        if name and name not in COLUMN_NAMES
    ]


# Planning --------------------------------------------------------------------------


@dataclass
class ImportPlan:
    rows: list[RecommendationRow]
    warnings: list[str]

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    def summary(self) -> dict[str, int]:
        actions = [("error" if row.errors else row.action) for row in self.rows]
        links = sum(len(row.links) for row in self.rows if not row.errors)
        counts = {action: actions.count(action) for action in ("create", "unchanged", "error")}
        return {"rows": len(self.rows), **counts, "links": links}

    def report(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "warnings": self.warnings,
            "rows": [row.as_report() for row in self.rows],
        }


def _chunks(items: list[Any], size: int = QUERY_CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _mark_repeats(rows: list[RecommendationRow]) -> None:
    """A row that repeats an earlier row of the file is an error, not a second import."""
    first_seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row.errors:
            continue
        if row.key in first_seen:
            row.error("text", _("repeats row %(row)s.") % {"row": first_seen[row.key]})
        else:
            first_seen[row.key] = row.row


def _mark_existing(rows: list[RecommendationRow], actor: Any) -> None:
    """Rows whose origin, source reference and text are already in Habeas: unchanged."""
    pending = [row for row in rows if not row.errors]
    known: dict[tuple[str, str, str], tuple[str, int]] = {}
    visible = Recommendation.objects.restrict(actor, "view")
    for chunk in _chunks(pending):
        found = visible.filter(
            origin__in={row.key[0] for row in chunk},
            source_ref__in={row.key[1] for row in chunk},
            text__in={row.key[2] for row in chunk},
        ).values_list("origin", "source_ref", "text", "reference", "pk")
        known.update(((o, s, t.strip()), (ref, pk)) for o, s, t, ref, pk in found)
    for row in pending:
        row.existing, row.existing_pk = known.get(row.key, ("", None))
        row.action = "unchanged" if row.existing else "create"


def _plan_links(rows: list[RecommendationRow], actor: Any) -> None:
    """The NPM's own recommendations each new one will be tracked with, and why: what
    `similarity.link_candidates` finds, with one pool of candidates per theme (or
    addressee) and one query for all the matches, however long the file."""
    if not roles.can(actor, "recommendations.draft"):
        return  # linking is a drafter's act (`recommendation_link`)
    pools: dict[tuple[str, int | None], similarity.CandidatePool] = {}
    ranked: list[tuple[RecommendationRow, Recommendation, list[tuple[int, int]]]] = []
    for row in rows:
        made = row.recommendation
        if row.errors or row.action != "create" or made is None:
            continue
        group = (made.theme, None if made.theme else made.addressee_id)
        if group not in pools:
            pools[group] = similarity.own_pool(user=actor, theme=group[0], addressee=group[1])
        closest = pools[group].ranked(
            made.text, threshold=similarity.LINK_THRESHOLD, limit=LINKS_PER_ROW
        )
        if closest:
            ranked.append((row, made, closest))
    loaded = similarity.visible_rows(actor, (pk for *_r, found in ranked for pk, _s in found))
    for row, made, closest in ranked:
        matches = similarity.explain(
            closest,
            user=actor,
            text=made.text,
            place=made.place_id,
            addressee=made.addressee_id,
            theme=made.theme,
            rows=loaded,
        )
        row.links = [
            {
                "pk": m.recommendation.pk,
                "reference": m.recommendation.reference,
                "score": m.score,
                "reasons": m.reasons,
            }
            for m in matches
        ]
        row.linked_to = [m.recommendation for m in matches]


def plan_import(table: Table, *, actor: Any) -> ImportPlan:
    """Check every row and decide, for each, create or unchanged, and its links."""
    warnings = check_header(table)
    lookups = Lookups.load(actor, with_places="place" in table.header)
    rows = [clean_row(number, raw, lookups, actor) for number, raw in table_rows(table)]
    if not rows:
        raise ImportRefused(_("The file has a header row but no recommendations below it."))
    _mark_repeats(rows)
    _mark_existing(rows, actor)
    _plan_links(rows, actor)
    return ImportPlan(rows=rows, warnings=warnings)


# Writing ---------------------------------------------------------------------------


def _insert(recommendations: list[Recommendation]) -> None:
    """Number them R-<year>-<nnnnn> in one run and insert them together; if another
    writer took a number meanwhile, number them again."""
    year = timezone.localdate().year
    for _attempt in range(5):
        first = int(services._next_reference(year).rsplit("-", 1)[1])
        for offset, recommendation in enumerate(recommendations):
            recommendation.reference = f"R-{year}-{first + offset:05d}"
        try:
            with transaction.atomic():
                Recommendation.objects.bulk_create(recommendations, batch_size=500)
        except IntegrityError:
            continue
        return
    raise ImportFailed(_("Could not number the recommendations; try again."))


def _write(plan: ImportPlan, *, actor: Any, batch: ImportBatch) -> None:
    rows = [row for row in plan.rows if row.action == "create" and row.recommendation]
    made = [row.recommendation for row in rows if row.recommendation is not None]
    _insert(made)
    Response.objects.bulk_create(
        [
            Response(
                recommendation=row.recommendation,
                status=row.cells["response"],
                responded_on=row.cells.get("responded_on") or row.cells["sent_on"],
                recorded_by=actor,
            )
            for row in rows
            if row.cells.get("response")
        ]
    )
    ref = str(batch.pk)
    events = [
        audit.event(
            actor=actor,
            action="recommendation.import",
            obj=r,
            detail={"import": ref, "origin": r.origin},
        )
        for r in made
    ]
    events.append(
        audit.event(
            actor=actor, action="recommendations.import_apply", obj=batch, detail=plan.summary()
        )
    )
    audit.record_many(events)
    _link(rows, actor=actor)


def _link(rows: list[RecommendationRow], *, actor: Any) -> None:
    """Track each new recommendation with the NPM's own it matched: the rows and audit
    events `services.recommendation_link` writes, in bulk. Planning checked the right to
    link and that the actor sees both ends."""
    through = Recommendation.linked.through
    pairs = [
        (row.recommendation, other)
        for row in rows
        for other in row.linked_to
        if row.recommendation is not None
    ]
    through.objects.bulk_create(
        [
            through(from_recommendation_id=a.pk, to_recommendation_id=b.pk)
            for first, second in pairs
            for a, b in ((first, second), (second, first))
        ],
        batch_size=500,
    )
    audit.record_many(
        [
            audit.event(
                actor=actor,
                action="recommendation.link",
                obj=new,
                detail={"other": other.reference},
            )
            for new, other in pairs
        ]
    )


# Services --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    batch: ImportBatch
    applied: bool
    summary: dict[str, int]
    created: list[Recommendation] = field(default_factory=list)


def summary_text(summary: dict[str, int]) -> str:
    """“12 rows: 9 new, 2 unchanged, 1 with errors”, leaving out the zeros."""
    parts = [
        (ngettext("%(n)s new", "%(n)s new", summary["create"]), summary["create"]),
        (
            ngettext("%(n)s unchanged", "%(n)s unchanged", summary["unchanged"]),
            summary["unchanged"],
        ),
        (ngettext("%(n)s with errors", "%(n)s with errors", summary["error"]), summary["error"]),
    ]
    shown = ", ".join(part % {"n": n} for part, n in parts if n)
    rows = ngettext("%(n)s row", "%(n)s rows", summary["rows"]) % {"n": summary["rows"]}
    return f"{rows}: {shown}" if shown else rows


def recommendations_import_preview(*, actor: Any, upload: Any) -> ImportBatch:
    """Read and check an uploaded file, store it with its report; write no recommendation."""
    require(actor, "recommendations.import")
    content = read_upload(upload)
    plan = plan_import(read_table(name=upload.name, content=content), actor=actor)
    import_batches_discard_stale()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=KIND,
            original_name=str(upload.name)[:255],
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=actor,
            report=plan.report(),
        )
        audit.record(
            actor=actor, action="recommendations.import_preview", obj=batch, detail=plan.summary()
        )
    return batch


def recommendations_import_apply(*, actor: Any, batch: ImportBatch) -> ImportResult:
    """Check the batch again and, only if no row has an error, write every row at once."""
    require(actor, "recommendations.import")
    if batch.created_by_id != actor.pk or batch.kind != KIND:
        raise PermissionDenied(_("You may not do this."))
    if batch.status != ImportBatch.Status.PREVIEWED or not batch.content:
        raise ImportNotApplicable(_("This file was already applied or discarded. Upload it again."))
    table = read_table(name=batch.original_name, content=bytes(batch.content))
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != ImportBatch.Status.PREVIEWED:
                raise ImportNotApplicable(
                    _("This file was already applied or discarded. Upload it again.")
                )
            plan = plan_import(table, actor=actor)
            if not plan.errors:
                _write(plan, actor=actor, batch=batch)
                batch.status, batch.applied_at = ImportBatch.Status.APPLIED, timezone.now()
            batch.report = plan.report()
            batch.save(update_fields=["report", "status", "applied_at"])
    except (DatabaseError, ValidationError) as exc:
        _mark_failed(batch, actor=actor, reason=type(exc).__name__)
        raise ImportFailed(_("The database refused the import, so nothing was imported.")) from exc
    created = [row.recommendation for row in plan.rows if row.action == "create"]
    return ImportResult(
        batch=batch,
        applied=not plan.errors,
        summary=plan.summary(),
        created=[r for r in created if r is not None] if not plan.errors else [],
    )


@transaction.atomic
def _mark_failed(batch: ImportBatch, *, actor: Any, reason: str) -> None:
    batch.status = ImportBatch.Status.FAILED
    ImportBatch.objects.filter(pk=batch.pk).update(status=batch.status)
    audit.record(
        actor=actor, action="recommendations.import_failed", obj=batch, detail={"reason": reason}
    )
