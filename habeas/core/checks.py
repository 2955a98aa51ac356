"""Deployment checks that refuse unsafe configurations (SECURITY.md test 16)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def habeas_deploy_checks(app_configs, **kwargs):
    errors = []
    if settings.DEBUG:
        errors.append(Error("DEBUG is on.", id="habeas.E001"))
    if settings.HABEAS_DEMO:
        errors.append(
            Error("HABEAS_DEMO is on: second-factor enrolment can be postponed.", id="habeas.E002")
        )
    kek_path = Path(settings.HABEAS_KEK_FILE) if settings.HABEAS_KEK_FILE else None
    if kek_path is None or not kek_path.is_file():
        errors.append(Error("No key-encryption key: set HABEAS_KEK_FILE.", id="habeas.E003"))
    elif kek_path.read_text(encoding="utf-8").strip() == settings.SECRET_KEY:
        errors.append(Error("The key-encryption key equals SECRET_KEY.", id="habeas.E004"))
    if kek_path is not None and kek_path.is_file():
        errors.extend(_malformed_keks([str(kek_path)]))
    errors.extend(_malformed_keks(getattr(settings, "HABEAS_KEK_PREVIOUS_FILES", []) or []))
    if "habeas.core.csrf.CsrfMiddleware" not in settings.MIDDLEWARE:
        errors.append(Error("CSRF protection is not installed.", id="habeas.E007"))
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        errors.append(
            Error(
                "A per-process cache cannot hold shared state such as throttles.", id="habeas.E005"
            )
        )
    if not settings.AXES_HANDLER.endswith("AxesDatabaseHandler") and backend.endswith("DummyCache"):
        errors.append(Error("Login throttling needs a shared store.", id="habeas.E006"))
    errors.extend(_public_channel_store())
    return errors


def _public_channel_store() -> list[Error]:
    """The public channel's flood limits and spent form stamps (habeas.intake.throttle)
    must live in one store every process shares and that really counts (E009)."""
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "intake")
    config = settings.CACHES.get(alias)
    backend = (config or {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")) or not backend:
        return [
            Error(
                f"The public channel's throttle store (CACHES[{alias!r}]) is "
                f"{'missing' if not backend else backend.rsplit('.', 1)[-1]}: each process "
                "would count floods and spent form stamps on its own, or not at all.",
                hint="Set REDIS_URL, or leave CACHES['intake'] on the database cache.",
                id="habeas.E009",
            )
        ]
    return []


def _malformed_keks(paths: list[str]) -> list[Error]:
    """Each key-encryption key file must hold 32 random bytes, base64-encoded (E008).

    Read by the very function the encryption layer uses, so the two cannot disagree.
    """
    from django.core.exceptions import ImproperlyConfigured

    from habeas.core.crypto import _read_kek

    errors = []
    for path in paths:
        try:
            _read_kek(path)
        except (ImproperlyConfigured, OSError, UnicodeDecodeError):
            errors.append(
                Error(
                    f"The key-encryption key file {path} does not hold 32 bytes in base64.",
                    hint='Make one with: python3 -c "import base64, secrets; '
                    'print(base64.b64encode(secrets.token_bytes(32)).decode())"',
                    id="habeas.E008",
                )
            )
    return errors
