from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from habeas.accounts import roles
from habeas.core.middleware import second_factor_ok
from habeas.core.notifications import unread_count


def _unread_notifications(user: object) -> Callable[[], int]:
    """The header's unread count, counted once and only if a template shows it."""
    counted: list[int] = []

    def count() -> int:
        if not counted:
            counted.append(unread_count(user))
        return counted[0]

    return count


def habeas(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    postponed = bool(
        user is not None
        and user.is_authenticated
        and not user.is_verified()
        and settings.HABEAS_DEMO
        and request.session.get("otp_postponed")
    )
    fully_signed_in = bool(user is not None and user.is_authenticated and second_factor_ok(request))
    return {
        "habeas_demo": settings.HABEAS_DEMO,
        "npm_name": settings.OTP_TOTP_ISSUER,
        "second_factor_postponed": postponed,
        "perms_audit": roles.can(user, "audit.view"),
        "perms_places": roles.can(user, "places.view"),
        "perms_assessment": roles.can(user, "assessment.view"),
        "perms_visits": roles.can(user, "visits.view"),
        "perms_cases": roles.can(user, "cases.view"),
        "perms_recommendations": roles.can(user, "recommendations.view"),
        "perms_register": roles.can(user, "register.view"),
        "perms_register_stats": roles.can(user, "register.stats"),
        "perms_legislation": roles.can(user, "legislation.view"),
        "perms_intake": roles.can(user, "intake.view"),
        "perms_reports": roles.can(user, "reports.view"),
        "perms_strategy": roles.can(user, "strategy.view"),
        "perms_policies": roles.can(user, "policies.view"),
        "perms_policies_acknowledge": roles.can(user, "policies.acknowledge"),
        "perms_analytics": roles.can(user, "analytics.view"),
        "perms_analytics_save": roles.can(user, "analytics.save"),
        "perms_partners": roles.can(user, "partners.view"),
        "perms_planning": roles.can(user, "planning.view"),
        "perms_planning_programmes": roles.can(user, "planning.programmes"),
        "fully_signed_in": fully_signed_in,
        "notifications_unread": _unread_notifications(user) if fully_signed_in else 0,
    }
