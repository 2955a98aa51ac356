"""The policy library (¶7, 8): versions that never change, acknowledgements by every
member, and who may see what. Personas: 9 accounts, of which the outsider has no role,
so the members who must acknowledge are the other 8."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from habeas.core.errors import StaleEdit
from habeas.core.models import AuditEvent
from habeas.strategy import policies
from habeas.strategy.models import Acknowledgement, Policy, PolicyArea, PolicyVersion
from habeas.strategy.services_people import (
    policy_acknowledge,
    policy_create,
    policy_update,
    policy_version_issue,
)

pytestmark = pytest.mark.django_db

TEXT = "## Who may speak\n\nOnly the **head** speaks to the press.\n\n<script>alert(1)</script>"


def _policy(head, title="Media policy", area=PolicyArea.COMMUNICATION):
    return policy_create(
        actor=head, area=area, title=title, text=TEXT, effective_on=dt.date(2025, 1, 1)
    )


def _issue(head, policy, text="Only the head and the comms officer speak.", on=None):
    policy.refresh_from_db()
    return policy_version_issue(
        actor=head,
        policy=policy,
        text=text,
        effective_on=on or dt.date(2025, 6, 1),
        change_note="The comms officer may speak too.",
        expected_version=policy.version,
    )


# -- services ------------------------------------------------------------------------


def test_a_policy_starts_with_version_one_and_new_versions_are_numbered(personas):
    head = personas["head"]
    policy = _policy(head)
    assert list(policy.versions.values_list("number", flat=True)) == [1]
    second = _issue(head, policy)
    assert second.number == 2
    assert policies.latest_versions([policy.pk])[policy.pk].pk == second.pk
    # The first version is still there, word for word.
    assert PolicyVersion.objects.get(policy=policy, number=1).text == TEXT.strip()
    assert AuditEvent.objects.filter(action="policy.create").count() == 1
    assert AuditEvent.objects.filter(action="policy.version_issue").count() == 1


def test_only_the_head_writes_policies(personas):
    with pytest.raises(PermissionDenied):
        _policy(personas["monitor"])
    policy = _policy(personas["head"])
    with pytest.raises(PermissionDenied):
        _issue(personas["data_officer"], policy)
    assert Policy.objects.count() == 1


def test_a_policy_is_renamed_and_moved_without_a_new_version_to_acknowledge(personas):
    head = personas["head"]
    policy = _policy(head)
    policy_acknowledge(actor=personas["monitor"], version=policy.versions.get())

    policy_update(
        actor=head,
        policy=policy,
        expected_version=policy.version,
        area=PolicyArea.STAFF,
        title="  Speaking to the press  ",
    )

    policy.refresh_from_db()
    assert (policy.title, policy.area, policy.version) == ("Speaking to the press", "staff", 2)
    assert policy.versions.count() == 1
    assert not [row for row in policies.awaiting(personas["monitor"]) if row.policy == policy]
    event = AuditEvent.objects.get(action="policy.update")
    assert set(event.detail["fields"]) == {"title", "area"}
    with pytest.raises(StaleEdit):
        policy_update(
            actor=head, policy=policy, expected_version=1, area="staff", title="Older read"
        )
    with pytest.raises(ValidationError) as refused:
        policy_update(actor=head, policy=policy, expected_version=2, area="nope", title=" ")
    assert set(refused.value.error_dict) == {"area", "title"}
    with pytest.raises(ValidationError) as too_long:
        policy_update(actor=head, policy=policy, expected_version=2, area="staff", title="x" * 301)
    assert set(too_long.value.error_dict) == {"title"}
    with pytest.raises(PermissionDenied):
        policy_update(
            actor=personas["monitor"], policy=policy, expected_version=2, area="staff", title="X"
        )
    policy.refresh_from_db()
    assert (policy.title, policy.version) == ("Speaking to the press", 2)


def test_bad_input_is_refused_with_a_reason_and_changes_nothing(personas):
    head = personas["head"]
    with pytest.raises(ValidationError) as refused:
        policy_create(actor=head, area="nope", title=" ", text="", effective_on=None)
    assert set(refused.value.error_dict) == {"area", "title", "text", "effective_on"}
    policy = _policy(head)
    policy.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        policy_version_issue(
            actor=head,
            policy=policy,
            text="New text",
            effective_on=dt.date(2024, 12, 31),  # before version 1 applies
            change_note="",
            expected_version=policy.version,
        )
    assert "change_note" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        _issue(head, policy, on=dt.date(2024, 12, 31))
    assert "effective_on" in refused.value.error_dict
    assert policy.versions.count() == 1


def test_issuing_from_a_stale_read_is_refused_and_audited(personas):
    head = personas["head"]
    policy = _policy(head)
    read = Policy.objects.get(pk=policy.pk)
    _issue(head, policy)
    with pytest.raises(StaleEdit):
        policy_version_issue(
            actor=head,
            policy=read,
            text="Other text",
            effective_on=dt.date(2025, 7, 1),
            change_note="Mine",
            expected_version=read.version,
        )
    assert policy.versions.count() == 2
    assert AuditEvent.objects.filter(action="policy.version_issue_stale").count() == 1


def test_a_member_acknowledges_the_latest_version_once(personas):
    head, doctor = personas["head"], personas["doctor"]
    policy = _policy(head)
    first = policy.versions.get()
    policy_acknowledge(actor=doctor, version=first)
    with pytest.raises(ValidationError):
        policy_acknowledge(actor=doctor, version=first)
    second = _issue(head, policy)
    with pytest.raises(ValidationError):  # version 1 is no longer the one to acknowledge
        policy_acknowledge(actor=personas["comms"], version=first)
    assert [row.policy for row in policies.awaiting(doctor)] == [policy]
    policy_acknowledge(actor=doctor, version=second)
    assert policies.awaiting(doctor) == []
    with pytest.raises(PermissionDenied):
        policy_acknowledge(actor=personas["outsider"], version=second)
    with pytest.raises(PermissionDenied):  # the auditor reads and never writes
        policy_acknowledge(actor=personas["auditor"], version=second)
    assert Acknowledgement.objects.filter(user=doctor).count() == 2
    assert AuditEvent.objects.filter(action="policy.acknowledge").count() == 2


def test_the_head_sees_who_has_and_has_not_acknowledged(personas, make_user):
    head = personas["head"]
    make_user("monitor", "gone@npm.test", is_active=False)
    policy = _policy(head)
    version = policy.versions.get()
    for name in ("doctor", "comms", "admin"):
        policy_acknowledge(actor=personas[name], version=version)
    status = policies.acknowledgement_status(head, version)
    assert status is not None
    assert {u.email for u, _at in status.acknowledged} == {
        "doctor@npm.test",
        "comms@npm.test",
        "admin@npm.test",
    }
    assert {u.email for u in status.missing} == {
        "head@npm.test",
        "monitor@npm.test",
        "expert@npm.test",
        "data_officer@npm.test",
    }
    # Nobody silently dropped: 1 inactive account, the auditor (who only reads and is not
    # asked to acknowledge) and the outsider (no role) counted.
    assert (status.left_out.inactive, status.left_out.not_staff) == (1, 2)
    assert policies.acknowledgement_status(personas["monitor"], version) is None


# -- pages ---------------------------------------------------------------------------


def test_the_library_is_for_every_member_and_404_for_an_outsider(personas, client_for):
    policy = _policy(personas["head"])
    url = reverse("strategy:policy_list")
    for name in (
        "head",
        "monitor",
        "doctor",
        "expert",
        "data_officer",
        "comms",
        "admin",
        "auditor",
    ):
        response = client_for(personas[name]).get(url)
        assert response.status_code == 200, name
        assert policy.title in response.content.decode()
    assert client_for(personas["outsider"]).get(url).status_code == 404
    detail = reverse("strategy:policy_detail", kwargs={"policy_pk": policy.pk})
    assert client_for(personas["outsider"]).get(detail).status_code == 404


def test_the_page_renders_markdown_without_running_script(personas, client_for):
    policy = _policy(personas["head"])
    page = client_for(personas["monitor"]).get(
        reverse("strategy:policy_detail", kwargs={"policy_pk": policy.pk})
    )
    html = page.content.decode()
    assert "<strong>head</strong>" in html
    assert "<script>alert(1)" not in html
    assert "I have read version 1" in html


def test_a_member_acknowledges_from_the_page(personas, client_for):
    head, doctor = personas["head"], personas["doctor"]
    policy = _policy(head)
    client = client_for(doctor)
    assert policy.title in client.get(reverse("strategy:policy_list")).content.decode()
    url = reverse("strategy:policy_acknowledge", kwargs={"policy_pk": policy.pk})
    response = client.post(url, {"number": "1"})
    assert response.status_code == 302
    assert Acknowledgement.objects.filter(user=doctor, version__number=1).exists()
    page = client.get(reverse("strategy:policy_list")).content.decode()
    assert "None: you have acknowledged the latest version of every policy." in page
    assert client_for(personas["outsider"]).post(url, {"number": "1"}).status_code == 404


def test_older_versions_stay_readable_and_a_missing_one_is_404(personas, client_for):
    head = personas["head"]
    policy = _policy(head)
    _issue(head, policy, text="Version two text.")
    client = client_for(personas["comms"])
    url = reverse("strategy:policy_detail", kwargs={"policy_pk": policy.pk})
    assert "Version two text." in client.get(url).content.decode()
    old = client.get(url + "?version=1").content.decode()
    assert "Only the <strong>head</strong> speaks" in old
    assert "replaced" in old
    assert client.get(url + "?version=9").status_code == 404


def test_only_the_head_sees_who_has_not_acknowledged(personas, client_for):
    policy = _policy(personas["head"])
    url = reverse("strategy:policy_detail", kwargs={"policy_pk": policy.pk})
    head_page = client_for(personas["head"]).get(url).content.decode()
    assert "0 of 7 members." in head_page
    assert "data_officer@npm.test" in head_page
    monitor_page = client_for(personas["monitor"]).get(url).content.decode()
    assert "of 7 members" not in monitor_page
    assert "data_officer@npm.test" not in monitor_page


def test_the_head_creates_and_issues_from_the_pages(personas, client_for):
    client = client_for(personas["head"])
    response = client.post(
        reverse("strategy:policy_create"),
        {
            "area": PolicyArea.DATA_PROTECTION,
            "title": "Data protection",
            "text": "Keep the files locked.",
            "effective_on": "2025-02-01",
        },
    )
    assert response.status_code == 302
    policy = Policy.objects.get(title="Data protection")
    url = reverse("strategy:policy_version_create", kwargs={"policy_pk": policy.pk})
    assert "Keep the files locked." in client.get(url).content.decode()
    refused = client.post(
        url,
        {"version": policy.version, "text": "Locked and encrypted.", "effective_on": "2025-03-01"},
    )
    assert refused.status_code == 400
    assert "Say what changed" in refused.content.decode() or "This field is required" in (
        refused.content.decode()
    )
    done = client.post(
        url,
        {
            "version": policy.version,
            "text": "Locked and encrypted.",
            "effective_on": "2025-03-01",
            "change_note": "Encryption",
        },
    )
    assert done.status_code == 302
    stale = client.post(
        url,
        {
            "version": policy.version,  # read before the version above was issued
            "text": "Something else.",
            "effective_on": "2025-04-01",
            "change_note": "Other",
        },
    )
    assert stale.status_code == 409
    assert policy.versions.count() == 2


def test_a_member_may_not_write_policies_from_the_pages(personas, client_for):
    policy = _policy(personas["head"])
    monitor = client_for(personas["monitor"])
    assert monitor.get(reverse("strategy:policy_create")).status_code == 403
    url = reverse("strategy:policy_version_create", kwargs={"policy_pk": policy.pk})
    assert (
        monitor.post(
            url, {"text": "x", "effective_on": "2025-03-01", "change_note": "y"}
        ).status_code
        == 403
    )
    assert client_for(personas["outsider"]).get(url).status_code == 404
    assert policy.versions.count() == 1


def test_the_head_changes_a_policys_title_and_area_from_its_page(personas, client_for):
    policy = _policy(personas["head"])
    url = reverse("strategy:policy_edit", kwargs={"policy_pk": policy.pk})
    head = client_for(personas["head"])
    detail = head.get(reverse("strategy:policy_detail", kwargs={"policy_pk": policy.pk}))
    assert url in detail.content.decode()
    form = head.get(url)
    assert form.status_code == 200 and "Media policy" in form.content.decode()

    saved = head.post(url, {"version": 1, "area": "staff", "title": "Press and media"})

    assert saved.status_code == 302
    policy.refresh_from_db()
    assert (policy.title, policy.area) == ("Press and media", "staff")
    invalid = head.post(url, {"version": 2, "area": "staff", "title": ""})
    assert invalid.status_code == 400
    stale = head.post(url, {"version": 1, "area": "decisions", "title": "Old read"})
    assert stale.status_code == 409
    assert "Press and media" in stale.content.decode()  # what was saved meanwhile
    policy.refresh_from_db()
    assert (policy.title, policy.version) == ("Press and media", 2)
    monitor = client_for(personas["monitor"])
    assert monitor.get(url).status_code == 403
    assert monitor.post(url, {"version": 2, "area": "staff", "title": "X"}).status_code == 403
    assert client_for(personas["outsider"]).get(url).status_code == 404
    policy.refresh_from_db()
    assert policy.title == "Press and media"


def test_the_left_out_line_hides_zero_and_speaks_in_the_singular(personas, client_for, make_user):
    policy = _policy(personas["head"])
    url = reverse("strategy:policy_detail", kwargs={"policy_pk": policy.pk})
    client = client_for(personas["head"])
    page = client.get(url).content.decode()
    assert "inactive or expired" not in page
    assert "account(s)" not in page
    gone = make_user("monitor", "gone@npm.test")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    page = client.get(url).content.decode()
    assert "Not counted: 1 inactive or expired account." in page
