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
    return errors
