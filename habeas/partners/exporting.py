"""The confidential package of exchanges with the SPT, or another international body
(¶3, 30; OPCAT art. 11(b)(ii), 12(b) and 16(1)).

`spt_package` reads, for one international partner and a period, every communication
logged with it, confidential ones included (the package is for that very body), with
what was said (unsealed), the recommendations linked (reference and text), the
legislation linked (reference and title), the places linked and the references of the
case files linked. A case contributes its reference only, and only if the exporter is
granted on it: no identity, testimony or medical content of a case ever enters the
package, nor anything of a reprisal watch beyond the fact that a risk was signalled.

The package is a ZIP holding a PDF (WeasyPrint, marked "CONFIDENTIAL — under OPCAT" at
the head and foot of every page) and `manifest.json` with the same content for the
body's own systems. Only the head may make it (`partners.export`); the page asks for
sudo first; the export is audited with its counts, never its content.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML

from habeas.accounts import roles
from habeas.cases.models import Case
from habeas.core import audit
from habeas.core.documents import STATIC_BASE, StaticOnlyFetcher, text_direction
from habeas.legislation.models import LegislationItem
from habeas.partners.models import INTERNATIONAL_KINDS, Communication, Partner
from habeas.places.models import Place
from habeas.recommendations.models import Recommendation

EXPORT = "partners.export"
PDF_NAME = "exchanges.pdf"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "habeas.partners.exchange-package/1"


def marking() -> str:
    return _("CONFIDENTIAL — under OPCAT")


def legal_basis() -> str:
    return _(
        "Transmitted to the Subcommittee on Prevention of Torture, or another body "
        "entitled to it, in confidence: OPCAT articles 11(b)(ii), 12(b) and 16(1). "
        "Not to be published or passed on without the NPM's consent."
    )


@dataclass(frozen=True)
class LinkedText:
    reference: str
    text: str


@dataclass(frozen=True)
class ExchangeEntry:
    """One communication as the package shows it."""

    reference: str
    date: str
    kind: str
    kind_label: str
    direction: str
    direction_label: str
    subject: str
    details: str
    confidential: bool
    reprisal_signal: bool
    partners: list[str]
    places: list[str]
    cases: list[str]
    recommendations: list[LinkedText]
    legislation: list[LinkedText]


@dataclass(frozen=True)
class PackageContent:
    partner: str
    partner_acronym: str
    partner_kind: str
    since: str
    until: str
    generated_at: str
    generated_by: str
    entries: list[ExchangeEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "communications": len(self.entries),
            "confidential": sum(e.confidential for e in self.entries),
            "recommendations": len({r.reference for e in self.entries for r in e.recommendations}),
            "legislation": len({item.reference for e in self.entries for item in e.legislation}),
            "cases": len({c for e in self.entries for c in e.cases}),
        }


# -- reading ---------------------------------------------------------------------------------


def _check(actor: Any, partner: Partner, since: dt.date | None, until: dt.date | None) -> None:
    if not roles.can(actor, EXPORT):
        raise PermissionDenied(_("You may not do this."))
    if not Partner.objects.restrict(actor, "export").filter(pk=partner.pk).exists():
        raise PermissionDenied(_("You may not do this."))
    if partner.kind not in INTERNATIONAL_KINDS:
        raise ValidationError(
            {"partner": _("A package is made for the SPT, the CPT or another UN or regional body.")}
        )
    if since and until and until < since:
        raise ValidationError({"until": _("The end of the period comes before its start.")})


def _visible(actor: Any, model: Any, ids: set) -> dict[Any, Any]:
    if not ids:
        return {}
    return {row.pk: row for row in model.objects.restrict(actor, "view").filter(pk__in=ids)}


def package_content(
    *, actor: Any, partner: Partner, since: dt.date | None = None, until: dt.date | None = None
) -> PackageContent:
    """What the package holds, read once (unsealing each communication's details)."""
    _check(actor, partner, since, until)
    rows = Communication.objects.restrict(actor, "export").filter(partners=partner)
    if since:
        rows = rows.filter(occurred_on__gte=since)
    if until:
        rows = rows.filter(occurred_on__lte=until)
    communications = list(
        rows.distinct()
        .order_by("occurred_on", "reference")
        .prefetch_related("partners", "places", "cases", "recommendations", "legislation")
    )

    def ids(name: str) -> set:
        return {item.pk for c in communications for item in getattr(c, name).all()}

    # Each linked record through its own `restrict`: a case the exporter is not granted
    # on is left out altogether.
    places = _visible(actor, Place, ids("places"))
    cases = _visible(actor, Case, ids("cases"))
    recommendations = _visible(actor, Recommendation, ids("recommendations"))
    legislation = _visible(actor, LegislationItem, ids("legislation"))
    entries = [
        _entry(actor, c, places=places, cases=cases, recs=recommendations, laws=legislation)
        for c in communications
    ]
    return PackageContent(
        partner=partner.name,
        partner_acronym=partner.acronym,
        partner_kind=partner.get_kind_display(),
        since=since.isoformat() if since else "",
        until=until.isoformat() if until else "",
        generated_at=timezone.localtime().isoformat(timespec="minutes"),
        generated_by=getattr(actor, "full_name", "") or getattr(actor, "email", ""),
        entries=entries,
    )


def _entry(
    actor: Any,
    communication: Communication,
    *,
    places: dict,
    cases: dict,
    recs: dict,
    laws: dict,
) -> ExchangeEntry:
    def linked(name: str, found: dict) -> list[Any]:
        return [found[item.pk] for item in getattr(communication, name).all() if item.pk in found]

    return ExchangeEntry(
        reference=communication.reference,
        date=communication.occurred_on.isoformat(),
        kind=communication.kind,
        kind_label=str(communication.get_kind_display()),
        direction=communication.direction,
        direction_label=str(communication.get_direction_display()),
        subject=communication.subject,
        details=communication.unseal("details", actor=actor),
        confidential=communication.confidential,
        reprisal_signal=communication.reprisal_signal,
        partners=sorted(p.name for p in communication.partners.all()),
        places=sorted(p.name for p in linked("places", places)),
        cases=sorted(c.reference for c in linked("cases", cases)),
        recommendations=sorted(
            (LinkedText(r.reference, r.text) for r in linked("recommendations", recs)),
            key=lambda r: r.reference,
        ),
        legislation=sorted(
            (LinkedText(i.reference, i.title) for i in linked("legislation", laws)),
            key=lambda i: i.reference,
        ),
    )


# -- writing ---------------------------------------------------------------------------------


def manifest(content: PackageContent) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "marking": marking(),
        "legal_basis": legal_basis(),
        "partner": {
            "name": content.partner,
            "acronym": content.partner_acronym,
            "kind": content.partner_kind,
        },
        "period": {"since": content.since or None, "until": content.until or None},
        "generated_at": content.generated_at,
        "generated_by": content.generated_by,
        "counts": content.counts(),
        "communications": [asdict(entry) for entry in content.entries],
    }


STYLE = """
@page {
  size: A4;
  margin: 24mm 18mm 22mm 18mm;
  @top-center { content: "%(marking)s"; font-weight: bold; color: #8b0000; }
  @bottom-center { content: "%(marking)s"; font-weight: bold; color: #8b0000; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; }
}
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 16pt; margin-block-end: 2mm; }
h2 { font-size: 12pt; margin-block: 8mm 2mm; break-after: avoid; }
.lead { color: #444; }
.meta { color: #333; margin-block: 1mm; }
.details { white-space: pre-wrap; border-inline-start: 2pt solid #999;
           padding-inline-start: 3mm; margin-block: 2mm; }
.tag { font-weight: bold; color: #8b0000; }
section { break-inside: avoid-page; }
ul { margin-block: 1mm; padding-inline-start: 5mm; }
"""


def _dir(text: str) -> SafeString:
    direction = text_direction(text)
    return format_html(' dir="{}"', direction) if direction else mark_safe("")  # noqa: S308


def _list(label: str, items: list[str]) -> SafeString:
    if not items:
        return mark_safe("")  # noqa: S308
    rows = format_html_join("", "<li{}>{}</li>", ((_dir(item), item) for item in items))
    return format_html("<p class='meta'><strong>{}</strong></p><ul>{}</ul>", label, rows)


def _entry_html(entry: ExchangeEntry) -> SafeString:
    tags = []
    if entry.confidential:
        tags.append(_("Confidential"))
    if entry.reprisal_signal:
        tags.append(_("Signals a risk of reprisal"))
    meta = format_html(
        "<p class='meta'>{} · {} · {}{}</p>",
        entry.date,
        entry.kind_label,
        entry.direction_label,
        format_html(" · <span class='tag'>{}</span>", " · ".join(tags)) if tags else "",
    )
    details = (
        format_html("<div class='details'{}>{}</div>", _dir(entry.details), entry.details)
        if entry.details
        else format_html("<p class='meta'>{}</p>", _("No details recorded."))
    )
    return format_html(
        "<section><h2{}>{} — {}</h2>{}{}{}{}{}{}{}</section>",
        _dir(entry.subject),
        entry.reference,
        entry.subject,
        meta,
        _list(_("With"), entry.partners),
        details,
        _list(_("Recommendations"), [f"{r.reference}: {r.text}" for r in entry.recommendations]),
        _list(_("Legislation"), [f"{i.reference}: {i.text}" for i in entry.legislation]),
        _list(_("Places"), entry.places),
        _list(_("Case files (reference only)"), entry.cases),
    )


def package_html(content: PackageContent) -> str:
    """The HTML given to WeasyPrint; tests read it to check what the PDF says."""
    if content.since or content.until:
        period = _("From %(since)s to %(until)s") % {
            "since": content.since or "…",
            "until": content.until or "…",
        }
    else:
        period = _("All exchanges on record")
    counts = content.counts()
    summary = _("%(count)s communications, %(confidential)s of them confidential.") % {
        "count": counts["communications"],
        "confidential": counts["confidential"],
    }
    body = format_html_join("", "{}", ((_entry_html(e),) for e in content.entries))
    if not content.entries:
        body = format_html("<p>{}</p>", _("No exchanges with this body in the period."))
    style = STYLE % {"marking": marking().replace('"', "'")}
    return format_html(
        "<!DOCTYPE html><html lang='{}' dir='{}'><head><meta charset='utf-8'>"
        "<title>{}</title><style>{}</style></head><body>"
        "<p class='tag'>{}</p><h1>{}</h1><p class='lead'>{}</p><p class='lead'>{}</p>"
        "<p class='lead'>{}</p><p class='lead'>{}</p>{}</body></html>",
        translation.get_language() or "en",
        "rtl" if translation.get_language_bidi() else "ltr",
        _("Exchanges with %(partner)s") % {"partner": content.partner},
        mark_safe(style),  # noqa: S308 - a constant stylesheet with our own marking
        marking(),
        _("Exchanges with %(partner)s") % {"partner": content.partner},
        period,
        summary,
        legal_basis(),
        _("Prepared on %(when)s by %(who)s.")
        % {"when": content.generated_at, "who": content.generated_by},
        body,
    )


def render_pdf(html: str) -> bytes:
    document: Any = HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()


def package_bytes(content: PackageContent) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PDF_NAME, render_pdf(package_html(content)))
        archive.writestr(MANIFEST_NAME, json.dumps(manifest(content), ensure_ascii=False, indent=2))
    return buffer.getvalue()


def package_filename(partner: Partner, since: dt.date | None, until: dt.date | None) -> str:
    """An ASCII file name: the body's short name and the period, nothing else."""
    short = partner.acronym or partner.get_kind_display()
    stem = "".join(c if c.isascii() and c.isalnum() else "-" for c in short).strip("-") or "body"
    period = "-".join(day.isoformat() for day in (since, until) if day) or "all"
    return f"exchanges-{stem.lower()}-{period}-confidential.zip"


def spt_package(
    *, actor: Any, partner: Partner, since: dt.date | None = None, until: dt.date | None = None
) -> bytes:
    """The confidential ZIP of exchanges with `partner` over the period (partners.export);
    audited with its counts."""
    with transaction.atomic():
        content = package_content(actor=actor, partner=partner, since=since, until=until)
        data = package_bytes(content)
        detail: dict[str, Any] = {
            **content.counts(),
            "since": content.since,
            "until": content.until,
            "bytes": len(data),
        }
        audit.record(actor=actor, action="partners.spt_package.export", obj=partner, detail=detail)
    return data
