"""The user's own notifications (`/notifications/`): unread first, each linking to its
record; marking one or all read is a POST. Another user's notification answers 404,
the same as a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from habeas.core import access, notifications
from habeas.core.models import Notification

PAGE_SIZE = 50


def _notification_for(request: HttpRequest, notification_pk: int) -> Notification:
    found = Notification.objects.restrict(request.user, "view").filter(pk=notification_pk).first()
    if found is None:
        raise Http404
    return found


@access.verified
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.restrict(request.user, "view").order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-id"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = notifications.unread_count(request.user)
    return render(request, "core/notifications.html", {"page": page, "unread": unread})


@access.verified
@require_POST
def notification_read(request: HttpRequest, notification_pk: int) -> HttpResponse:
    notification = _notification_for(request, notification_pk)
    notifications.notification_read(actor=request.user, notification=notification)
    if request.POST.get("open") and _is_internal(notification.link):
        return redirect(notification.link)
    return redirect("notifications:list")


@access.verified
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.notifications_read_all(actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked read.",
                "%(count)d notifications marked read.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Nothing was unread."))
    return redirect("notifications:list")


def _is_internal(link: str) -> bool:
    return bool(link) and url_has_allowed_host_and_scheme(link, allowed_hosts=None)
