"""In-app notifications: told once per key, each user sees only their own, marking read is
a POST, and the header shows the unread count to verified users only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from habeas.core import notifications
from habeas.core.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
READ_ALL = reverse("notifications:read_all")


def read_url(notification: Notification) -> str:
    return reverse("notifications:read", kwargs={"notification_pk": notification.pk})


def tell(user: Any, message: str = "R-2026-00012: the response is due.", **fields: Any):
    fields.setdefault("link", "/recommendations/12/")
    return notifications.notify(users=[user], message=message, **fields)[0]


# -- notify --------------------------------------------------------------------------------


def test_it_tells_each_user_once_per_key(personas):
    head, monitor = personas["head"], personas["monitor"]

    first = notifications.notify(users=[head, monitor], message="A", link="/x/", key="k1")
    again = notifications.notify(users=[head, monitor], message="A", link="/x/", key="k1")
    other = notifications.notify(users=[head], message="B", link="/x/", key="k2")

    assert len(first) == 2 and again == [] and len(other) == 1
    assert Notification.objects.filter(user=head).count() == 2
    assert Notification.objects.filter(user=monitor).count() == 1


def test_without_a_key_every_call_tells(personas):
    head = personas["head"]
    notifications.notify(users=[head], message="A", link="/x/")
    notifications.notify(users=[head], message="A", link="/x/")

    assert Notification.objects.filter(user=head).count() == 2


def test_an_inactive_user_is_not_told(personas):
    monitor = personas["monitor"]
    monitor.is_active = False
    monitor.save(update_fields=["is_active"])

    assert notifications.notify(users=[monitor], message="A", link="/x/") == []
    assert not Notification.objects.exists()


def test_a_link_outside_habeas_is_refused(personas):
    with pytest.raises(ValueError):
        notifications.notify(users=[personas["head"]], message="A", link="https://evil.test/")


def test_a_long_message_is_cut_to_fit(personas):
    made = tell(personas["head"], "x" * 800)

    assert len(Notification.objects.get(pk=made.pk).message) == 500


# -- marking read -----------------------------------------------------------------------------


def test_marking_read_is_for_the_addressee_only(personas):
    mine = tell(personas["head"])

    with pytest.raises(PermissionDenied):
        notifications.notification_read(actor=personas["monitor"], notification=mine)
    assert Notification.objects.get(pk=mine.pk).read_at is None

    notifications.notification_read(actor=personas["head"], notification=mine)
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert AuditEvent.objects.filter(action="notification.read").count() == 1


def test_read_all_marks_only_the_actors_own(personas):
    head, monitor = personas["head"], personas["monitor"]
    tell(head)
    tell(head)
    theirs = tell(monitor)

    assert notifications.notifications_read_all(actor=head) == 2
    assert notifications.unread_count(head) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert notifications.notifications_read_all(actor=head) == 0


# -- the page ------------------------------------------------------------------------------------


def test_the_page_lists_the_users_own_notifications_unread_first(client_for, personas):
    head = personas["head"]
    read = tell(head, "R-2026-00001: read already")
    notifications.notification_read(actor=head, notification=read)
    tell(head, "R-2026-00002: still unread")
    tell(personas["monitor"], "R-2026-00003: someone else's")

    html = client_for(head).get(LIST).content.decode()

    assert "R-2026-00002: still unread" in html and "R-2026-00001: read already" in html
    assert html.index("R-2026-00002") < html.index("R-2026-00001")
    assert "R-2026-00003" not in html
    assert 'href="/recommendations/12/"' in html


def test_marking_one_read_by_post(client_for, personas):
    head = personas["head"]
    mine = tell(head)
    client = client_for(head)

    assert client.get(read_url(mine)).status_code == 405
    response = client.post(read_url(mine))

    assert response.status_code == 302 and response["Location"] == LIST
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_mark_read_and_open_goes_to_the_record(client_for, personas):
    mine = tell(personas["head"])

    response = client_for(personas["head"]).post(read_url(mine), {"open": "1"})

    assert response.status_code == 302 and response["Location"] == "/recommendations/12/"


def test_another_users_notification_is_404_like_a_missing_one(client_for, personas):
    theirs = tell(personas["monitor"])
    client = client_for(personas["head"])

    response = client.post(read_url(theirs))
    missing = client.post(reverse("notifications:read", kwargs={"notification_pk": 987654}))

    assert response.status_code == 404 and missing.status_code == 404
    assert response.content == missing.content
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_marking_all_read_by_post(client_for, personas):
    head = personas["head"]
    tell(head)
    theirs = tell(personas["monitor"])
    client = client_for(head)

    assert client.get(READ_ALL).status_code == 405
    assert client.post(READ_ALL).status_code == 302

    assert notifications.unread_count(head) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_page_escapes_the_message(client_for, personas):
    tell(personas["head"], "<script>alert(1)</script>")

    html = client_for(personas["head"]).get(LIST).content.decode()

    assert "<script>alert(1)" not in html


def test_anonymous_and_unverified_users_are_sent_to_sign_in(personas):
    anonymous = Client().get(LIST)
    unverified = Client()
    unverified.force_login(personas["head"])

    assert anonymous.status_code in (302, 401, 403, 404)
    assert unverified.get(LIST).status_code in (302, 401, 403, 404)


# -- the header ----------------------------------------------------------------------------------


def test_the_header_shows_the_unread_count(client_for, personas):
    head = personas["head"]
    client = client_for(head)
    assert "notifications-link" in client.get(LIST).content.decode()
    for _n in range(3):
        tell(head)

    html = client.get(reverse("home")).content.decode()

    assert 'class="notifications-link"' in html
    assert ">3</span>" in html


def test_the_header_counts_nothing_of_anyone_else(client_for, personas):
    tell(personas["monitor"])

    html = client_for(personas["head"]).get(reverse("home")).content.decode()

    assert "notifications-link" in html and "unread" not in html
