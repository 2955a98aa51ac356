"""Framework documents: read, check and write a framework version (whole tool, ¶3).

A framework document is JSON in the format described in `frameworks/README.md`. Checking
collects every problem with the path where it was found
("criteria[12].ref: duplicate reference 5.3") so that whoever wrote the file can fix it
in one pass. Writing creates one FrameworkVersion with its sections, criteria and
indicator slots; a version is never edited afterwards (a revision is a new version).
The service that imports an uploaded file is `services_frameworks.framework_import`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

FORMAT = "habeas-framework/1"
FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
SPT_CODE = "spt-assessment-tool"
SPT_VERSION = "2012"
SPT_FILE = FRAMEWORKS_DIR / "spt-analytical-self-assessment-tool-2012.json"
MAX_BYTES = 2 * 1024 * 1024

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TOP_KEYS = {
    "format",
    "code",
    "name",
    "description",
    "version",
    "published",
    "source",
    "language",
    "sections",
    "criteria",
}
SECTION_KEYS = {"ref", "title", "parent"}
CRITERION_KEYS = {"ref", "kind", "section", "parent", "text", "slots"}
SLOT_KEYS = {"key", "name", "unit", "description"}
KINDS = ("paragraph", "item")


class InvalidFramework(Exception):  # noqa: N818 — reads as "raise InvalidFramework(problems)"
    """The document cannot be imported; `problems` says why, each naming its path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SlotSpec:
    key: str
    name: str
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class SectionSpec:
    ref: str
    title: str
    parent: str = ""


@dataclass(frozen=True)
class CriterionSpec:
    ref: str
    kind: str
    section: str
    text: str
    parent: str = ""
    slots: tuple[SlotSpec, ...] = ()


@dataclass
class FrameworkDocument:
    """A checked framework document, ready to be written."""

    code: str
    name: str
    version: str
    description: str = ""
    published: dt.date | None = None
    source: str = ""
    language: str = "en"
    sha256: str = ""
    sections: list[SectionSpec] = field(default_factory=list)
    criteria: list[CriterionSpec] = field(default_factory=list)


class _Checker:
    """Collects problems while reading one document; never stops at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def text(
        self, node: dict, key: str, path: str, *, max_length: int, required: bool = True
    ) -> str:
        value = node.get(key, "")
        where = f"{path}.{key}" if path else key
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(where, _("must be text"))
            return ""
        value = value.strip()
        if required and not value:
            self.fail(where, _("is required"))
        elif len(value) > max_length:
            self.fail(where, _("is longer than %(max)d characters") % {"max": max_length})
        return value

    def unknown_keys(self, node: dict, allowed: set[str], path: str) -> None:
        for key in sorted(set(node) - allowed):
            where = f"{path}.{key}" if path else key
            self.fail(where, _("unknown field (check its spelling)"))

    def objects(self, node: dict, key: str) -> list[dict]:
        value = node.get(key)
        if not isinstance(value, list) or not value:
            self.fail(key, _("must be a non-empty list"))
            return []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.fail(f"{key}[{index}]", _("must be an object"))
        return [item if isinstance(item, dict) else {} for item in value]


def load_json(document: bytes) -> dict:
    """The document's top-level object, or InvalidFramework saying why it is not one."""
    if len(document) > MAX_BYTES:
        raise InvalidFramework(
            [_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}]
        )
    try:
        data = json.loads(document.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidFramework([_("The file is not text in UTF-8.")]) from None
    except json.JSONDecodeError as error:
        message = _("The file is not valid JSON (line %(line)d, column %(column)d: %(error)s).")
        raise InvalidFramework(
            [message % {"line": error.lineno, "column": error.colno, "error": error.msg}]
        ) from None
    if not isinstance(data, dict):
        raise InvalidFramework([_("The file must hold one JSON object.")])
    return data


def parse_framework(document: bytes) -> FrameworkDocument:
    """Check a framework document; raise InvalidFramework listing every problem."""
    data = load_json(document)
    check = _Checker()
    parsed = _read_header(data, check)
    parsed.sha256 = hashlib.sha256(document).hexdigest()
    parsed.sections = _read_sections(data, check)
    parsed.criteria = _read_criteria(data, check, {s.ref for s in parsed.sections})
    if check.problems:
        raise InvalidFramework(check.problems)
    return parsed


def _read_header(data: dict, check: _Checker) -> FrameworkDocument:
    check.unknown_keys(data, TOP_KEYS, "")
    if data.get("format") != FORMAT:
        check.fail("format", _("must be “%(format)s”") % {"format": FORMAT})
    code = check.text(data, "code", "", max_length=64)
    if code and not SLUG.match(code):
        check.fail("code", _("may hold only letters, digits, hyphens and underscores"))
    language = check.text(data, "language", "", max_length=8, required=False) or "en"
    if not LANGUAGE.match(language):
        check.fail("language", _("must be a language code such as “en” or “fr”"))
    return FrameworkDocument(
        code=code,
        name=check.text(data, "name", "", max_length=300),
        version=check.text(data, "version", "", max_length=32),
        description=check.text(data, "description", "", max_length=5000, required=False),
        published=_read_date(data, check),
        source=check.text(data, "source", "", max_length=500, required=False),
        language=language,
    )


def _read_date(data: dict, check: _Checker) -> dt.date | None:
    value = data.get("published")
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    check.fail("published", _("must be a date written YYYY-MM-DD"))
    return None


def _read_sections(data: dict, check: _Checker) -> list[SectionSpec]:
    sections: list[SectionSpec] = []
    seen: set[str] = set()
    for index, node in enumerate(check.objects(data, "sections")):
        path = f"sections[{index}]"
        check.unknown_keys(node, SECTION_KEYS, path)
        ref = check.text(node, "ref", path, max_length=16)
        parent = check.text(node, "parent", path, max_length=16, required=False)
        if ref and ref in seen:
            check.fail(f"{path}.ref", _("duplicate reference %(ref)s") % {"ref": ref})
        if parent and parent not in seen:
            check.fail(
                f"{path}.parent",
                _("section %(ref)s is not listed before this one") % {"ref": parent},
            )
        seen.add(ref)
        title = check.text(node, "title", path, max_length=300)
        sections.append(SectionSpec(ref=ref, title=title, parent=parent))
    return sections


def _read_criteria(data: dict, check: _Checker, sections: set[str]) -> list[CriterionSpec]:
    criteria: list[CriterionSpec] = []
    paragraphs: dict[str, str] = {}  # paragraph ref → its section
    seen: set[str] = set()
    for index, node in enumerate(check.objects(data, "criteria")):
        path = f"criteria[{index}]"
        check.unknown_keys(node, CRITERION_KEYS, path)
        ref = check.text(node, "ref", path, max_length=16)
        if ref and ref in seen:
            check.fail(f"{path}.ref", _("duplicate reference %(ref)s") % {"ref": ref})
        seen.add(ref)
        kind = node.get("kind", "paragraph")
        if kind not in KINDS:
            check.fail(f"{path}.kind", _("must be “paragraph” or “item”"))
        if kind == "item":
            section, parent = _read_item_place(node, path, check, paragraphs)
        else:
            section, parent = _read_paragraph_place(node, path, check, sections), ""
            paragraphs[ref] = section
        criteria.append(
            CriterionSpec(
                ref=ref,
                kind=kind if kind in KINDS else "paragraph",
                section=section,
                parent=parent,
                text=check.text(node, "text", path, max_length=20000),
                slots=_read_slots(node, path, check),
            )
        )
    return criteria


def _read_paragraph_place(node: dict, path: str, check: _Checker, sections: set[str]) -> str:
    if node.get("parent"):
        check.fail(f"{path}.parent", _("only a listed item has a parent paragraph"))
    section = check.text(node, "section", path, max_length=16)
    if section and section not in sections:
        check.fail(f"{path}.section", _("no section %(ref)s is listed") % {"ref": section})
    return section


def _read_item_place(
    node: dict, path: str, check: _Checker, paragraphs: dict[str, str]
) -> tuple[str, str]:
    parent = check.text(node, "parent", path, max_length=16)
    if parent and parent not in paragraphs:
        check.fail(
            f"{path}.parent",
            _("paragraph %(ref)s is not listed before this item") % {"ref": parent},
        )
        return "", parent
    section = check.text(node, "section", path, max_length=16, required=False)
    if section and parent and section != paragraphs[parent]:
        check.fail(
            f"{path}.section",
            _("an item belongs to the section of its paragraph (%(ref)s)")
            % {"ref": paragraphs[parent]},
        )
    return paragraphs.get(parent, ""), parent


def _read_slots(node: dict, path: str, check: _Checker) -> tuple[SlotSpec, ...]:
    value = node.get("slots", [])
    if not isinstance(value, list):
        check.fail(f"{path}.slots", _("must be a list"))
        return ()
    slots: list[SlotSpec] = []
    seen: set[str] = set()
    for index, slot in enumerate(value):
        where = f"{path}.slots[{index}]"
        if not isinstance(slot, dict):
            check.fail(where, _("must be an object"))
            continue
        check.unknown_keys(slot, SLOT_KEYS, where)
        key = check.text(slot, "key", where, max_length=100)
        if key and not SLUG.match(key):
            check.fail(f"{where}.key", _("may hold only letters, digits, hyphens and underscores"))
        if key and key in seen:
            check.fail(f"{where}.key", _("duplicate indicator %(key)s") % {"key": key})
        seen.add(key)
        slots.append(
            SlotSpec(
                key=key,
                name=check.text(slot, "name", where, max_length=200),
                unit=check.text(slot, "unit", where, max_length=50, required=False),
                description=check.text(slot, "description", where, max_length=2000, required=False),
            )
        )
    return tuple(slots)


def write_framework(parsed: FrameworkDocument, *, imported_by: Any = None) -> Any:
    """Create the version and everything in it. Call inside the importing service's
    transaction; the caller has checked that this framework version is new."""
    from habeas.assessment.models import (
        Criterion,
        Framework,
        FrameworkVersion,
        IndicatorSlot,
        Section,
    )

    framework, _created = Framework.objects.get_or_create(
        code=parsed.code, defaults={"name": parsed.name, "description": parsed.description}
    )
    version = FrameworkVersion.objects.create(
        framework=framework,
        version=parsed.version,
        published_on=parsed.published,
        source=parsed.source,
        language=parsed.language,
        sha256=parsed.sha256,
        imported_by=imported_by,
    )
    sections: dict[str, Section] = {}
    for position, section in enumerate(parsed.sections, start=1):
        sections[section.ref] = Section.objects.create(
            framework_version=version,
            parent=sections.get(section.parent),
            ref=section.ref,
            title=section.title,
            position=position,
        )
    criteria: dict[str, Criterion] = {}
    slots: list[IndicatorSlot] = []
    for position, spec in enumerate(parsed.criteria, start=1):
        criterion = Criterion.objects.create(
            framework_version=version,
            section=sections.get(spec.section),
            parent=criteria.get(spec.parent),
            kind=spec.kind,
            ref=spec.ref,
            text=spec.text,
            position=position,
        )
        criteria[spec.ref] = criterion
        slots.extend(
            IndicatorSlot(
                criterion=criterion,
                key=s.key,
                name=s.name,
                unit=s.unit,
                description=s.description,
            )
            for s in spec.slots
        )
    IndicatorSlot.objects.bulk_create(slots)
    return version
