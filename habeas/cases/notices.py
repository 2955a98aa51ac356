"""Notices to case teams by e-mail. They name a record's reference, never its content,
so a notice in a mailbox reveals no one (SECURITY.md test 4)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from habeas.cases.models import Case, CaseGrant, ReprisalWatch


def _team(record: Case | ReprisalWatch) -> list[str]:
    link: dict[str, Any] = {"case": record} if isinstance(record, Case) else {"watch": record}
    return list(
        CaseGrant.objects.filter(**link, user__is_active=True).values_list("user__email", flat=True)
    )


def _send(record: Case | ReprisalWatch, subject: str, body: str) -> None:
    recipients = _team(record)
    if recipients:
        base = settings.HABEAS_BASE_URL.rstrip("/")
        send_mail(subject, f"{body}\n\n{base}/cases/", None, recipients)


def same_person(*, record_reference: str, other: Case | ReprisalWatch) -> None:
    _send(
        other,
        _("Habeas: a new record may concern the same person as %(ref)s") % {"ref": other.reference},
        _(
            "A record opened since (%(new)s) names a person whose name matches %(ref)s. "
            "Its team was not told of %(ref)s. Contact its lead if the two should be linked."
        )
        % {"new": record_reference, "ref": other.reference},
    )


def overdue_check(*, watch: ReprisalWatch, due_on: Any) -> None:
    _send(
        watch,
        _("Habeas: a check on %(ref)s is overdue") % {"ref": watch.reference},
        _("A scheduled check on %(ref)s was due on %(due)s and is not recorded as done.")
        % {"ref": watch.reference, "due": due_on},
    )


def reprisal_reported(*, case: Case) -> None:
    _send(
        case,
        _("Habeas: reprisal allegation %(ref)s opened") % {"ref": case.reference},
        _("Information about a reprisal was received and %(ref)s was opened today.")
        % {"ref": case.reference},
    )
