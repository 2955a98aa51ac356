"""No plaintext at rest (SECURITY.md test 6).

A distinct canary is planted in every sealed field of every sealed model
(`crypto.sealed_models()`, so models that later apps add are covered without touching
this file, or make it fail with a message saying how to teach it), and pushed through
real HTTP requests. None of the canaries may then appear, raw, in UTF-16, base64, hex
or inside a gzip or zlib stream, in:

- the SQLite database file and its write-ahead log (on SQLite), or `pg_dump` (on PostgreSQL);
- the media folder and the folder where uploads are spooled;
- the cache and the session store;
- the logs, every logger at DEBUG with SQL logging on.

Each of those checks is shown to catch a canary planted there in plaintext
(`test_every_place_scanned_catches_a_plaintext_canary`), and each encoding is shown to be
recognised (`test_the_scanner_recognises_every_form`), so that a pass means something.

The planter (`Planter`) and the shared database (`shared_database`) are used by the
rotation and purge tests too.
"""

from __future__ import annotations

import base64
import gzip
import logging
import os
import re
import secrets
import shutil
import sqlite3
import string
import subprocess
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files import uploadhandler
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import DatabaseError, connection, models, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from habeas.accounts.models import User
from habeas.cases import services as case_services
from habeas.cases.models import Case, ReprisalWatch
from habeas.core import crypto
from habeas.places.models import Authority, Place
from habeas.places.tests.factories import AuthorityFactory, PlaceFactory

# -- canaries and the records that carry them ---------------------------------------------


def new_canary(kind: int = 0) -> str:
    """A string that cannot occur by chance; one in three is Arabic with an emoji."""
    token = secrets.token_hex(8)
    return f"كناري{token}🐦" if kind % 3 == 2 else f"CANARY{token}"


@dataclass
class Planted:
    record: crypto.SealedModel
    field: str
    canary: str


class UnknownSealedModel(AssertionError):
    pass


class Planter:
    """Builds one record of every sealed model, each sealed field holding its own canary.

    Records of kinds that have a service are made through it (cases and watches); the
    others are built generically: required foreign keys get a parent (a person, a place,
    an authority or another sealed record built the same way), required plain fields a
    plausible value. A field it cannot fill fails with a message naming it.
    """

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.planted: list[Planted] = []
        self.records: dict[type[models.Model], crypto.SealedModel] = {}
        self.parents: dict[type[models.Model], models.Model] = {}
        self._count = 0

    # public

    def plant_everything(self) -> list[Planted]:
        for model in crypto.sealed_models():
            self.record(model)
        return self.planted

    def record(self, model: type[models.Model]) -> crypto.SealedModel:
        if model not in self.records:
            builder = SERVICE_BUILDERS.get(model._meta.label_lower, Planter._generic)
            record = builder(self, model)
            self._seal_the_rest(record)
            self.records[model] = record
        return self.records[model]

    def canaries(self) -> list[str]:
        return [p.canary for p in self.planted]

    def canary(self, model: type[models.Model], name: str) -> str:
        self._count += 1
        return new_canary(self._count)

    # builders

    def _generic(self, model: type[models.Model]) -> crypto.SealedModel:
        values: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            if f.primary_key or f.name in ("identity_key", "content_key"):
                continue
            if isinstance(f, crypto.SealedField) or not self._required(f):
                continue
            values[f.name] = self._value(model, f)
        record = model(**values)
        assert isinstance(record, crypto.SealedModel)
        for f in record.sealed_fields():
            self._plant(record, f.name)
        record.save(force_insert=True)
        return record

    @staticmethod
    def _required(f: models.Field) -> bool:
        if f.null or f.has_default() or getattr(f, "auto_now", False):
            return False
        if getattr(f, "auto_now_add", False):
            return False
        return not (f.blank and f.empty_strings_allowed)

    def _value(self, model: type[models.Model], f: models.Field) -> Any:
        if isinstance(f, models.ForeignKey):
            return self.parent(model, f)
        if f.choices:
            return f.choices[0][0]
        if isinstance(f, models.DateTimeField):
            return timezone.now()
        if isinstance(f, models.DateField):
            return timezone.localdate()
        if isinstance(f, models.BooleanField):
            return False
        if isinstance(f, models.IntegerField | models.DecimalField | models.FloatField):
            return 1
        if isinstance(f, models.CharField | models.TextField):
            self._count += 1
            return f"x{self._count}"[: getattr(f, "max_length", None) or 100]
        raise UnknownSealedModel(
            f"test_no_plaintext_at_rest cannot fill {model._meta.label}.{f.name} "
            f"({type(f).__name__}): teach Planter._value or add a builder to SERVICE_BUILDERS."
        )

    def parent(self, model: type[models.Model], f: models.ForeignKey) -> models.Model:
        target = f.related_model
        assert isinstance(target, type)
        if issubclass(target, User):
            return self.actor
        if issubclass(target, crypto.SealedModel):
            return self.record(target)
        if target is Place:
            return PlaceFactory()
        if target is Authority:
            return AuthorityFactory()
        if target not in self.parents:
            try:
                values = {
                    g.name: self._value(target, g)
                    for g in target._meta.concrete_fields
                    if not g.primary_key and self._required(g)
                }
                with transaction.atomic():
                    self.parents[target] = target._base_manager.create(**values)
            except (UnknownSealedModel, ValueError, TypeError, DatabaseError) as exc:
                raise UnknownSealedModel(
                    f"test_no_plaintext_at_rest cannot make the {target._meta.label} that "
                    f"{model._meta.label}.{f.name} needs ({exc}): add a parent to "
                    "Planter.parent or a builder to SERVICE_BUILDERS."
                ) from exc
        return self.parents[target]

    def _plant(self, record: crypto.SealedModel, name: str) -> str:
        canary = self.canary(type(record), name)
        record.seal(name, canary)
        self.planted.append(Planted(record, name, canary))
        return canary

    def _seal_the_rest(self, record: crypto.SealedModel) -> None:
        """Sealed fields a service does not take yet still get a canary, sealed directly."""
        planted = {p.field for p in self.planted if p.record is record}
        missing = [f.name for f in record.sealed_fields() if f.name not in planted]
        for name in missing:
            self._plant(record, name)
        if missing:
            record.save(update_fields=[*missing, "identity_key", "content_key"])

    def _via_service(self, record: crypto.SealedModel, data: dict[str, str]) -> None:
        for name, canary in data.items():
            self.planted.append(Planted(record, name, canary))


def _build_case(planter: Planter, model: type[models.Model]) -> crypto.SealedModel:
    data: dict[str, Any] = {
        name: planter.canary(model, name)
        for name in (*case_services.CASE_IDENTITY_FIELDS, *case_services.CASE_CONTENT_FIELDS)
    }
    sealed = dict(data)
    data.update(kind=Case.Kind.REPRISAL, source=Case.Source.PRIVATE_INTERVIEW)
    case = case_services.case_create(actor=planter.actor, data=data)
    planter._via_service(case, sealed)
    return case


def _build_watch(planter: Planter, model: type[models.Model]) -> crypto.SealedModel:
    data: dict[str, Any] = {
        name: planter.canary(model, name)
        for name in (*case_services.WATCH_IDENTITY_FIELDS, *case_services.WATCH_CONTENT_FIELDS)
    }
    sealed = dict(data)
    data.update(
        pseudonym="Blue heron",
        source_kind=ReprisalWatch.SourceKind.PRIVATE_INTERVIEW,
        risk_source=ReprisalWatch.RiskSource.STAFF,
    )
    watch = case_services.watch_create(actor=planter.actor, data=data, place=PlaceFactory())
    planter._via_service(watch, sealed)
    return watch


SERVICE_BUILDERS: dict[str, Callable[[Planter, type[models.Model]], crypto.SealedModel]] = {
    "cases.case": _build_case,
    "cases.reprisalwatch": _build_watch,
}


def reopen_all(planted: list[Planted]) -> dict[tuple[str, str, str], str]:
    """Read every planted field back from the database; key: (model, pk, field)."""
    opened = {}
    for item in planted:
        fresh = type(item.record)._base_manager.get(pk=item.record.pk)
        opened[(fresh._meta.label_lower, str(fresh.pk), item.field)] = fresh.unseal(item.field)
    return opened


def expected(planted: list[Planted]) -> dict[tuple[str, str, str], str]:
    return {(p.record._meta.label_lower, str(p.record.pk), p.field): p.canary for p in planted}


# -- a database other processes can see ---------------------------------------------------


@contextmanager
def shared_database(directory: Path) -> Iterator[dict[str, str]]:
    """Make the test database one that another process (a command, `pg_dump`) can open.

    Needs `django_db(transaction=True)`, so what the test writes is committed. On SQLite,
    pytest-django's test database lives in memory: it is copied to a file in `directory`
    and the connection is pointed at that file for the duration (with WAL, as in
    production), then back. Yields the environment a subprocess needs to reach it.
    """
    if connection.vendor != "sqlite":
        s = connection.settings_dict
        auth = quote(s["USER"] or "", safe="")
        if s.get("PASSWORD"):
            auth += ":" + quote(s["PASSWORD"], safe="")
        url = f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        yield {"DATABASE_URL": url, "HABEAS_SQLITE_PATH": ""}
        return
    connection.ensure_connection()
    if not connection.is_in_memory_db():
        yield {"DATABASE_URL": "", "HABEAS_SQLITE_PATH": str(connection.settings_dict["NAME"])}
        return
    path = directory / "shared.sqlite3"
    memory = connection.connection
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    saved_name = connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield {"DATABASE_URL": "", "HABEAS_SQLITE_PATH": str(path)}
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved_name
        connection.connection = memory


def subprocess_env(database: dict[str, str], **extra: str) -> dict[str, str]:
    env = {**os.environ, "HABEAS_ENV": "test", "PYTHONUNBUFFERED": "1", **database, **extra}
    return {k: v for k, v in env.items() if v != ""}


# -- the scanner --------------------------------------------------------------------------


def _base64_forms(raw: bytes) -> list[bytes]:
    """The base64 characters fully determined by `raw`, at each of the three alignments."""
    forms = []
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw)
        start, end = -(-8 * pad // 6), 8 * (pad + len(raw)) // 6
        piece = encoded[start:end]
        forms += [piece, piece.replace(b"+", b"-").replace(b"/", b"_")]
    return forms


def forms_of(canary: str) -> dict[str, list[bytes]]:
    raw = canary.encode()
    return {
        "raw": [raw],
        "utf-16": [canary.encode("utf-16-le"), canary.encode("utf-16-be")],
        "base64": _base64_forms(raw),
        "hex": [raw.hex().encode(), raw.hex().upper().encode()],
        "json-escaped": [canary.encode("ascii", "backslashreplace").replace(b"\\x", b"\\u00")]
        if not canary.isascii()
        else [],
    }


COMPRESSED = re.compile(rb"\x1f\x8b\x08|\x78[\x01\x5e\x9c\xda]")
BYTEA = re.compile(rb"\\\\?x((?:[0-9a-f]{2}){8,})")
MAX_INFLATED = 64 * 1024 * 1024


@dataclass
class Finding:
    where: str
    form: str
    canary: str

    def __str__(self) -> str:
        return f"{self.canary!r} in {self.where} ({self.form})"


@dataclass
class Scanner:
    canaries: list[str]
    _needles: list[tuple[str, str, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for canary in self.canaries:
            for form, needles in forms_of(canary).items():
                self._needles += [(canary, form, needle) for needle in needles if needle]

    def blob(self, data: bytes, where: str, *, depth: int = 0) -> list[Finding]:
        found = [
            Finding(where, form, canary) for canary, form, needle in self._needles if needle in data
        ]
        if depth < 2:
            found += self._inside_compressed(data, where, depth)
        return found

    def _inside_compressed(self, data: bytes, where: str, depth: int) -> list[Finding]:
        found: list[Finding] = []
        for match in COMPRESSED.finditer(data):
            gz = match.group().startswith(b"\x1f")
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if gz else zlib.MAX_WBITS)
            try:
                inflated = inflater.decompress(data[match.start() :], MAX_INFLATED)
            except zlib.error:
                continue
            if inflated:
                kind = "gzip" if gz else "zlib"
                found += [
                    Finding(f.where, f"{kind}/{f.form}", f.canary)
                    for f in self.blob(inflated, where, depth=depth + 1)
                ]
        return found

    def text(self, text: str, where: str) -> list[Finding]:
        return self.blob(text.encode("utf-8", "surrogatepass"), where)

    def folder(self, root: Path, where: str) -> list[Finding]:
        found: list[Finding] = []
        for path in sorted(root.rglob("*")) if root.exists() else []:
            found += self.text(str(path.relative_to(root)), f"{where}: a file's name")
            if path.is_file():
                found += self.blob(path.read_bytes(), f"{where}: {path.relative_to(root)}")
        return found


# -- where plaintext could rest -------------------------------------------------------------


@dataclass
class AtRest:
    """The places a test's data could rest in, each with its scan."""

    root: Path
    media: Path
    uploads: Path
    cache_dir: Path
    database: dict[str, str]
    logs: pytest.LogCaptureFixture

    def scan(self, canaries: list[str]) -> dict[str, list[Finding]]:
        scanner = Scanner(canaries)
        return {
            "database": self.scan_database(scanner),
            "media": scanner.folder(self.media, "media"),
            "uploads": scanner.folder(self.uploads, "upload temporary folder"),
            "cache": scanner.folder(self.cache_dir, "cache"),
            "sessions": self.scan_sessions(scanner),
            "logs": scanner.text(self.log_text(), "logs"),
        }

    def log_text(self) -> str:
        lines = []
        for record in self.logs.records:
            lines.append(f"{record.name} {record.levelname} {record.getMessage()}")
            lines.append(repr(record.args))
            lines.append(repr({k: v for k, v in vars(record).items() if k not in _STANDARD}))
            if record.exc_text:
                lines.append(record.exc_text)
        return "\n".join(lines) + self.logs.text

    def scan_database(self, scanner: Scanner) -> list[Finding]:
        if connection.vendor == "sqlite":
            return self._scan_sqlite(scanner)
        return self._scan_pg_dump(scanner)

    def _scan_sqlite(self, scanner: Scanner) -> list[Finding]:
        path = Path(self.database["HABEAS_SQLITE_PATH"])
        found: list[Finding] = []
        # The write-ahead log holds recent pages: read it before and after a checkpoint.
        for suffix in ("", "-wal", "-journal"):
            part = Path(f"{path}{suffix}")
            if part.exists():
                found += scanner.blob(part.read_bytes(), f"SQLite {part.name}")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        found += scanner.blob(path.read_bytes(), f"SQLite {path.name} after checkpoint")
        return found

    def _scan_pg_dump(self, scanner: Scanner) -> list[Finding]:
        s = connection.settings_dict
        pg_dump = shutil.which("pg_dump") or "/usr/bin/pg_dump"
        env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
        command = [pg_dump, "--no-owner", "-h", s["HOST"] or "127.0.0.1"]
        command += ["-p", str(s["PORT"] or 5432), "-U", s["USER"] or "postgres", s["NAME"]]
        dump = subprocess.run(command, env=env, capture_output=True, check=True).stdout  # noqa: S603
        found = scanner.blob(dump, "pg_dump")
        # bytea columns are dumped in hex: read them back as bytes too.
        for match in BYTEA.finditer(dump):
            found += scanner.blob(bytes.fromhex(match.group(1).decode()), "pg_dump (bytea)")
        return found

    def scan_sessions(self, scanner: Scanner) -> list[Finding]:
        found: list[Finding] = []
        for row in Session.objects.all():
            found += scanner.text(row.session_data, f"session {row.session_key[:6]}… (raw)")
            decoded = repr(Session.objects.get(pk=row.pk).get_decoded())
            found += scanner.text(decoded, f"session {row.session_key[:6]}… (decoded)")
        return found


_STANDARD = {*vars(logging.LogRecord("", 0, "", 0, "", None, None)), "message"}


@pytest.fixture
def at_rest(tmp_path, settings, caplog) -> Iterator[AtRest]:
    """Media, uploads and cache in folders of the test's own; every logger at DEBUG."""
    media, uploads, cache_dir = tmp_path / "media", tmp_path / "uploads", tmp_path / "cache"
    for folder in (media, uploads, cache_dir):
        folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload is spooled to disk
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(cache_dir),
        }
    }
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    isolated = [logger for logger in loggers if not logger.propagate]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    for logger in isolated:
        logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True  # Django logs SQL (values withheld) only so
    crypto.reset_caches()
    try:
        with shared_database(tmp_path) as database:
            connection.force_debug_cursor = True
            yield AtRest(tmp_path, media, uploads, cache_dir, database, caplog)
    finally:
        connection.force_debug_cursor = debug_cursor
        for logger in isolated:
            logger.removeHandler(caplog.handler)
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
        crypto.reset_caches()


# -- through the pages --------------------------------------------------------------------


def _through_http(client: Client, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Push canaries through real requests: an upload spooled to disk, and the case form
    when it exists. Returns the canaries that took part."""
    used = []
    file_canary, name_canary = new_canary(0), new_canary(2)
    upload = SimpleUploadedFile(
        f"{name_canary}.pdf", b"%PDF-1.4\n" + file_canary.encode() * 50, "application/pdf"
    )
    # The CSRF check reads the body of any unsafe request, so the file is spooled to the
    # upload folder (FILE_UPLOAD_MAX_MEMORY_SIZE = 0) whatever the page; it must be gone
    # after the request.
    spooled: list[str] = []

    class Spy(TemporaryUploadedFile):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            spooled.append(self.temporary_file_path())

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", Spy)
    client.handler.enforce_csrf_checks = True
    alphabet = string.ascii_letters + string.digits
    client.cookies[settings.CSRF_COOKIE_NAME] = "".join(secrets.choice(alphabet) for _ in range(32))
    response = client.post(reverse("home"), {"document": upload, "note": file_canary})
    client.handler.enforce_csrf_checks = False
    assert response.status_code == 403
    assert spooled and spooled[0].startswith(settings.FILE_UPLOAD_TEMP_DIR), spooled
    used += [file_canary, name_canary]
    try:
        create = reverse("cases:case_create")
    except NoReverseMatch:
        return used
    client.raise_request_exception = False
    form = client.get(create)
    client.raise_request_exception = True
    if form.status_code != 200:
        return used
    page = form.content.decode()
    # Canaries go only where the form writes a sealed field; plain fields (a source
    # reference, "no names") are plaintext by design and get a harmless value.
    sealed = {f.name for f in Case.sealed_fields()}
    data: dict[str, str] = {}
    typed = re.findall(r'<textarea[^>]*name="([^"]+)"', page)
    typed += re.findall(r'<input[^>]*type="text"[^>]*name="([^"]+)"', page)
    for name in typed:
        data[name] = new_canary(len(data)) if name in sealed else f"ref {len(data)}"
    for select, options in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        values = [v for v in re.findall(r'<option value="([^"]*)"', options) if v]
        if values:
            data[select] = values[0]
    for name in re.findall(r'<input[^>]*type="date"[^>]*name="([^"]+)"', page):
        data[name] = timezone.localdate().isoformat()
    for name in re.findall(
        r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page
    ):
        data.setdefault(name[0], name[1])
    planted = {name: value for name, value in data.items() if name in sealed}
    assert planted, f"the case form has no sealed field among {sorted(data)}"
    before = set(Case.objects.values_list("pk", flat=True))
    client.post(create, data)
    (created,) = Case.objects.exclude(pk__in=before)
    assert {name: created.unseal(name) for name in planted} == planted
    used += list(planted.values())
    return used


# -- the tests ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_plaintext_at_rest(at_rest, personas, client_for, monkeypatch):
    actor = personas["head"]
    planter = Planter(actor)
    planted = planter.plant_everything()

    # Every sealed field of every sealed model carries a canary that opens again: the
    # scan below is over real content, not over empty fields.
    for model in crypto.sealed_models():
        fields = {f.name for f in model.sealed_fields()}
        assert fields == {p.field for p in planted if type(p.record) is model}, model
    assert reopen_all(planted) == expected(planted)

    client = client_for(actor)
    canaries = planter.canaries() + _through_http(client, monkeypatch)
    cache.set("habeas-probe", "nothing secret")  # the cache is in use and scanned

    findings = at_rest.scan(canaries)
    for where, found in findings.items():
        assert found == [], f"plaintext at rest in {where}:\n" + "\n".join(map(str, found))
    assert at_rest.logs.records, "the log capture saw nothing: it would miss a leak"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_place_scanned_catches_a_plaintext_canary(at_rest, personas, client_for):
    planted = {
        where: new_canary(i)
        for i, where in enumerate(["database", "media", "uploads", "cache", "sessions", "logs"])
    }
    PlaceFactory(name=planted["database"])  # a plain column, as a careless model would
    default_storage.save("archive/leak.gz", _content(gzip.compress(planted["media"].encode())))
    (at_rest.uploads / "upload-spool.tmp").write_bytes(planted["uploads"].encode("utf-16"))
    cache.set("leak", {"note": planted["cache"]})  # pickled, then zlib-compressed on disk
    client = client_for(personas["monitor"])
    session = client.session
    session["draft"] = planted["sessions"]
    session.save()
    logging.getLogger("habeas.cases").debug("draft %s", planted["logs"])

    findings = at_rest.scan(list(planted.values()))
    for where, canary in planted.items():
        assert canary in {f.canary for f in findings[where]}, f"the {where} scan missed it"


def _content(data: bytes) -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(data)


@pytest.mark.parametrize(
    ("encode", "form"),
    [
        (lambda c: b"..." + c.encode() + b"...", "raw"),
        (lambda c: ("<" + c + ">").encode("utf-16-le"), "utf-16"),
        (lambda c: ("<" + c + ">").encode("utf-16"), "utf-16"),
        (lambda c: base64.b64encode(c.encode()), "base64"),
        (lambda c: base64.b64encode(b"x" + c.encode()), "base64"),
        (lambda c: base64.urlsafe_b64encode(b"xy" + c.encode() + b"z"), "base64"),
        (lambda c: b"\\x" + c.encode().hex().encode(), "hex"),
        (lambda c: secrets.token_bytes(99) + gzip.compress(c.encode()) + b"\0", "gzip/raw"),
        (lambda c: zlib.compress(b"prefix " + c.encode("utf-16-le")), "zlib/utf-16"),
        (lambda c: gzip.compress(base64.b64encode(c.encode())), "gzip/base64"),
    ],
)
@pytest.mark.parametrize("kind", [0, 2])
def test_the_scanner_recognises_every_form(encode, form, kind):
    canary = new_canary(kind)
    found = Scanner([canary]).blob(encode(canary), "haystack")
    assert form in {f.form for f in found}


@pytest.mark.django_db
def test_the_scanner_sees_no_canary_in_ciphertext(personas):
    planter = Planter(personas["head"])
    planted = planter.plant_everything()
    scanner = Scanner(planter.canaries())
    for item in planted:
        blob = bytes(getattr(type(item.record)._base_manager.get(pk=item.record.pk), item.field))
        assert blob and scanner.blob(blob, "ciphertext") == []
        assert scanner.blob(base64.b64encode(blob), "ciphertext") == []


@pytest.mark.django_db
def test_a_sealed_model_it_cannot_build_fails_with_a_clear_message(personas):
    planter = Planter(personas["head"])
    odd = models.DurationField()
    odd.set_attributes_from_name("how_long")
    with pytest.raises(UnknownSealedModel, match=r"cases.Case.how_long .*teach Planter"):
        planter._value(Case, odd)
