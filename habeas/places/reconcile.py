"""Reconciliation of the inventory with the authorities' official list (OPCAT art. 20(a); ¶9).

The State must give the NPM the number and location of all places of detention. The
NPM uploads the list it received and sees three things: places the authorities list
that the inventory lacks, places it holds that they omit (perhaps unofficial or
closed: the NPM must look), and the pairs it matched, each with its reason and score.
Matching never writes; places are added only when the user picks rows and asks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from habeas.accounts import roles
from habeas.core import audit
from habeas.core.models import ImportBatch
from habeas.places.import_columns import AMBIGUOUS, name_index
from habeas.places.importing import import_batches_discard_stale
from habeas.places.models import Category, Place, Region
from habeas.places.selectors import region_descendant_ids
from habeas.places.spreadsheets import ImportRefused, Table, read_table, read_upload

KIND = "reconcile"
THRESHOLD = 90
COLUMNS = ("name", "external_ref", "category", "region", "address")
SHOWN = 1000


def normalise(name: str) -> str:
    """No case, accents or punctuation, single spaces: “St-Éloi  Prison” → “st eloi prison”."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


@dataclass(frozen=True)
class OfficialRow:
    """One row of the authorities' list."""

    row: int
    name: str
    external_ref: str = ""
    category: str = ""
    region: str = ""
    address: str = ""
    category_id: int | None = None
    region_id: int | None = None


@dataclass(frozen=True)
class Match:
    official: OfficialRow
    place: Place
    score: int
    reason: str


@dataclass
class Reconciliation:
    matched: list[Match] = field(default_factory=list)
    theirs_only: list[OfficialRow] = field(default_factory=list)
    ours_only: list[Place] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.matched) + len(self.theirs_only),
            "matched": len(self.matched),
            "theirs_only": len(self.theirs_only),
            "ours_only": len(self.ours_only),
        }


# Reading their list ----------------------------------------------------------------


def official_rows(table: Table) -> tuple[list[OfficialRow], list[str]]:
    """Their rows with category and region resolved where Habeas knows them."""
    if "name" not in table.header:
        raise ImportRefused(
            _("The first row must name the columns, and one of them must be “name”.")
        )
    where = {column: table.header.index(column) for column in COLUMNS if column in table.header}
    categories = name_index(
        Category.objects.values_list("name", "pk"), Category.objects.values_list("code", "pk")
    )
    regions = name_index(
        Region.objects.values_list("name", "pk"), Region.objects.values_list("code", "pk")
    )
    rows: list[OfficialRow] = []
    unknown: set[str] = set()
    for number, cells in table.rows:
        values = {column: cells[i] if i < len(cells) else "" for column, i in where.items()}
        if not values["name"]:
            continue
        category_id = _known(categories, values.get("category", ""), unknown)
        region_id = _known(regions, values.get("region", ""), unknown)
        if len(values.get("external_ref", "")) > 64:
            values["external_ref"] = ""  # longer than any reference Habeas keeps: not one of ours
        rows.append(OfficialRow(number, **values, category_id=category_id, region_id=region_id))
    if not rows:
        raise ImportRefused(_("The file has a header row but no places below it."))
    notes = []
    if unknown:
        notes.append(
            _("Not known to Habeas, so not used to narrow the matching: %(values)s.")
            % {"values": ", ".join(sorted(unknown)[:20])}
        )
    return rows, notes


def _known(index: dict[str, int], text: str, unknown: set[str]) -> int | None:
    if not text:
        return None
    pk = index.get(text.casefold())
    if pk is None or pk == AMBIGUOUS:
        unknown.add(text)
        return None
    return pk


# Matching --------------------------------------------------------------------------


class _Places:
    """Our places, indexed for each way of matching, and what is still unmatched."""

    def __init__(self, places: list[Place]) -> None:
        self.all = places
        self.by_ref = {p.external_ref: p for p in places if p.external_ref}
        self.by_pk = {p.pk: p for p in places}
        self.names = {p.pk: normalise(p.name) for p in places}
        self.taken: set[int] = set()
        self._regions: dict[int, set[int]] = {}

    def region_ids(self, region_id: int) -> set[int]:
        if region_id not in self._regions:
            self._regions[region_id] = region_descendant_ids([region_id])
        return self._regions[region_id]

    def candidates(self, row: OfficialRow) -> dict[int, str]:
        regions = self.region_ids(row.region_id) if row.region_id else None
        return {
            p.pk: self.names[p.pk]
            for p in self.all
            if p.pk not in self.taken
            and (regions is None or p.region_id in regions)
            and (row.category_id is None or p.category_id == row.category_id)
        }


def _where(row: OfficialRow) -> str:
    """Where the names were compared, as a whole phrase so that it translates."""
    if row.region_id and row.category_id:
        return " " + _("in the same region and category")
    if row.region_id:
        return " " + _("in the same region")
    if row.category_id:
        return " " + _("in the same category")
    return ""


def _match_refs(
    rows: list[OfficialRow], ours: _Places, result: Reconciliation
) -> list[OfficialRow]:
    left = []
    for row in rows:
        place = ours.by_ref.get(row.external_ref) if row.external_ref else None
        if place is None or place.pk in ours.taken:
            left.append(row)
            continue
        ours.taken.add(place.pk)
        result.matched.append(Match(row, place, 100, _("Same external reference")))
    return left


def _match_names(
    rows: list[OfficialRow], ours: _Places, result: Reconciliation
) -> list[OfficialRow]:
    """Best pairs first, each of our places used once (greedy on the score)."""
    pairs: list[tuple[float, int, OfficialRow]] = []
    cache: dict[tuple[int | None, int | None], dict[int, str]] = {}
    for row in rows:
        key = (row.region_id, row.category_id)
        if key not in cache:
            cache[key] = ours.candidates(row)
        found = process.extract(
            normalise(row.name),
            cache[key],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=THRESHOLD,
            limit=3,
        )
        pairs += [(score, pk, row) for _name, score, pk in found]
    pairs.sort(key=lambda pair: (-pair[0], pair[2].row, pair[1]))
    done: set[int] = set()
    for score, pk, row in pairs:
        if pk in ours.taken or row.row in done:
            continue
        ours.taken.add(pk)
        done.add(row.row)
        rounded = int(round(score))
        reason = (
            _("Same name") if rounded == 100 else _("Names %(score)s%% alike") % {"score": rounded}
        )
        result.matched.append(Match(row, ours.by_pk[pk], rounded, reason + _where(row)))
    return [row for row in rows if row.row not in done]


def reconcile(
    *, user: Any, rows: list[OfficialRow], notes: list[str] | None = None
) -> Reconciliation:
    """Match their rows to our places: external reference first, then names."""
    places = list(
        Place.objects.restrict(user, "reconcile")
        .select_related("category", "region")
        .only("name", "external_ref", "category", "region", "status", "official", "address")
    )
    ours = _Places(places)
    result = Reconciliation(notes=list(notes or []))
    left = _match_names(_match_refs(rows, ours, result), ours, result)
    result.theirs_only = left
    result.matched.sort(key=lambda match: match.official.row)
    categories = {row.category_id for row in rows}
    scope = categories if None not in categories else None
    if scope:
        names = sorted({str(p.category) for p in places if p.category_id in scope})
        note = _("Their list gives a category on every row, so only these are compared: %(names)s.")
        result.notes.append(note % {"names": ", ".join(names)})
    result.ours_only = [
        p
        for p in places
        if p.pk not in ours.taken
        and p.status == Place.Status.OPEN
        and p.official
        and (scope is None or p.category_id in scope)
    ]
    return result


# Services --------------------------------------------------------------------------


def _require(actor: Any, *permissions: str) -> None:
    if not all(roles.can(actor, permission) for permission in permissions):
        raise PermissionDenied(_("You may not do this."))


def places_reconcile(*, actor: Any, upload: Any) -> ImportBatch:
    """Keep their list for this user and audit the comparison's counts; write no place."""
    _require(actor, "places.reconcile")
    content = read_upload(upload)
    rows, notes = official_rows(read_table(name=upload.name, content=content))
    counts = reconcile(user=actor, rows=rows, notes=notes).counts()
    import_batches_discard_stale()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=KIND,
            original_name=str(upload.name)[:255],
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=actor,
            report={"summary": counts},
        )
        audit.record(actor=actor, action="places.reconcile", obj=batch, detail=counts)
    return batch


def reconciliation_for(*, user: Any, batch: ImportBatch) -> Reconciliation:
    """The comparison of a stored list against the inventory as it is now."""
    _require(user, "places.reconcile")
    if batch.kind != KIND or batch.created_by_id != user.pk or not batch.content:
        raise PermissionDenied(_("You may not do this."))
    rows, notes = official_rows(read_table(name=batch.original_name, content=bytes(batch.content)))
    return reconcile(user=user, rows=rows, notes=notes)


@transaction.atomic
def places_reconcile_add(
    *, actor: Any, batch: ImportBatch, rows: Iterable[int], category: Category
) -> list[Place]:
    """Add the chosen rows of their list that the inventory still lacks, as official places.

    A row whose category Habeas does not know gets `category`. A row whose external
    reference is already taken is left out, never merged.
    """
    _require(actor, "places.reconcile", "places.change")
    wanted = set(rows)
    missing = reconciliation_for(user=actor, batch=batch).theirs_only
    taken = set(
        Place.objects.filter(external_ref__isnull=False).values_list("external_ref", flat=True)
    )
    places = []
    for row in (row for row in missing if row.row in wanted):
        if row.external_ref and row.external_ref in taken:
            continue
        taken.add(row.external_ref)
        places.append(_new_place(row, category))
    Place.objects.bulk_create(places)
    ref = str(batch.pk)
    events = [
        audit.event(actor=actor, action="place.create", obj=p, detail={"reconcile": ref})
        for p in places
    ]
    events.append(
        audit.event(
            actor=actor, action="places.reconcile_add", obj=batch, detail={"added": len(places)}
        )
    )
    audit.record_many(events)
    return places


def _new_place(row: OfficialRow, category: Category) -> Place:
    return Place(
        name=row.name[:300],
        external_ref=row.external_ref or None,
        category_id=row.category_id or category.pk,
        region_id=row.region_id,
        address=row.address,
        official=True,
        status=Place.Status.OPEN,
    )


__all__ = [
    "SHOWN",
    "Reconciliation",
    "places_reconcile",
    "places_reconcile_add",
    "reconciliation_for",
]
