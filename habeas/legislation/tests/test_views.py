"""The ranked list, an item's page, and adding and editing an item (¶12, 26, 28, 29)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from habeas.core.models import AuditEvent
from habeas.legislation import services
from habeas.legislation.models import ItemKind, LegislationItem, Procedure
from habeas.legislation.tests.test_views_world import BILL, DECREE, LAWYER_DELAY, make_item, world

pytestmark = pytest.mark.django_db

LIST = reverse("legislation:list")


def _events(obj, action: str) -> int:
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).count()


# -- the ranked list -----------------------------------------------------------------------


def test_it_ranks_the_bill_that_delays_a_lawyer_above_the_decree_with_its_reasons(
    personas, client_for
):
    w = world(personas)
    page = client_for(personas["doctor"]).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(BILL) < html.index(DECREE)
    assert w.bill.priority > w.decree.priority
    # The reasons, in words, beside the rank: the safeguard weakened and the deadline.
    assert "Weakens or delays: Access to a lawyer from the very outset" in html
    assert "Parliament&#x27;s deadline is in 9 days." in html
    assert "9 days left" in html


def test_it_filters_by_kind_procedure_open_and_words(personas, client_for):
    world(personas)
    client = client_for(personas["comms"])
    drafts = client.get(LIST, {"kind": ItemKind.DRAFT}).content.decode()
    assert BILL in drafts and DECREE not in drafts
    open_only = client.get(LIST, {"open": "1"}).content.decode()
    assert BILL in open_only and DECREE not in open_only
    in_force = client.get(LIST, {"procedure": Procedure.IN_FORCE}).content.decode()
    assert DECREE in in_force and BILL not in in_force
    searched = client.get(LIST, {"q": "custody registers"}).content.decode()
    assert DECREE in searched and BILL not in searched
    nothing = client.get(LIST, {"q": "nowhere to be found"}).content.decode()
    assert "No item matches these filters." in nothing


def test_a_bad_filter_is_ignored_not_an_error(personas, client_for):
    world(personas)
    page = client_for(personas["monitor"]).get(LIST, {"kind": "nonsense", "page": "x"})
    assert page.status_code == 200 and BILL in page.content.decode()


def test_it_serves_only_the_results_to_htmx(personas, client_for):
    world(personas)
    page = client_for(personas["monitor"]).get(LIST, {"q": "custody"}, HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert BILL in html and "<html" not in html


def test_it_pages_a_long_list(personas, client_for):
    for number in range(55):
        make_item(personas["monitor"], title=f"Ordinance number {number:02d}")
    client = client_for(personas["monitor"])
    first = client.get(LIST).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert second.count("Ordinance number") == 5


def test_the_list_costs_the_same_queries_for_many_items_as_for_few(personas, client_for):
    w = world(personas)
    services.opinion_create(actor=w.monitor, item=w.bill, title="Op", text="Text")
    client = client_for(personas["monitor"])
    client.get(LIST)  # sessions, first-time lookups
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for number in range(12):
        item = make_item(w.monitor, title=f"Ordinance {number}", kind=ItemKind.DRAFT)
        services.step_add(actor=w.monitor, item=item, kind="meeting", held_on=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        page = client.get(LIST)
    assert "1 advocacy step" in page.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_shows_the_npms_work_on_each_item(personas, client_for):
    w = world(personas)
    opinion = services.opinion_create(actor=w.monitor, item=w.bill, title="Op", text="Text")
    services.opinion_send(
        actor=w.head, opinion=opinion, sent_on=timezone.localdate(), sent_to="Parliament"
    )
    html = client_for(personas["monitor"]).get(LIST).content.decode()
    assert f"1 opinion sent, last on {timezone.localdate().isoformat()}" in html


# -- an item's page ------------------------------------------------------------------------


def test_the_page_explains_the_rank_and_shows_the_checklist(personas, client_for):
    w = world(personas)
    page = client_for(personas["auditor"]).get(reverse("legislation:detail", args=[w.bill.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Why this rank" in html
    for reason in w.bill.priority_explained:
        assert str(reason.points) in html
    assert "Weakens or delays: Access to a lawyer from the very outset" in html
    assert LAWYER_DELAY in html
    assert "Committee on justice" in html and "Bill 2026/114" in html
    # Every benchmark in use is listed, assessed or not.
    assert "Private interviews without witnesses" in html
    # A reader without the right to change sees no button to do so.
    assert reverse("legislation:edit", args=[w.bill.pk]) not in html
    assert reverse("legislation:checklist", args=[w.bill.pk]) not in html


def test_the_page_costs_the_same_queries_for_many_opinions_and_steps(personas, client_for):
    w = world(personas)
    client = client_for(personas["head"])
    url = reverse("legislation:detail", args=[w.bill.pk])
    services.opinion_create(actor=w.monitor, item=w.bill, title="Op 0", text="Text")
    services.step_add(actor=w.monitor, item=w.bill, kind="letter", held_on=timezone.localdate())
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(1, 5):
        opinion = services.opinion_create(
            actor=w.monitor, item=w.bill, title=f"Op {number}", text="Text"
        )
        services.opinion_revise(
            actor=w.head, opinion=opinion, text="Again", expected_version=opinion.version
        )
        services.step_add(actor=w.monitor, item=w.bill, kind="letter", held_on=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert "Op 4" in page.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_missing_item_is_404(personas, client_for):
    client = client_for(personas["head"])
    assert client.get(reverse("legislation:detail", args=[987654])).status_code == 404


# -- adding and editing ----------------------------------------------------------------------


def _item_data(**changes):
    return {
        "title": "Bill on the mental health act",
        "kind": ItemKind.DRAFT,
        "subject": "Involuntary placement and restraint in psychiatric hospitals.",
        "responsible_body": "Ministry of Health",
        "procedure": Procedure.CONSULTATION,
        "deadline": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "official_ref": "",
        "link": "",
        "authority": "",
        "lead": "",
        **changes,
    }


def test_comms_adds_an_item_and_it_is_audited(personas, client_for):
    client = client_for(personas["comms"])
    assert client.get(reverse("legislation:create")).status_code == 200
    response = client.post(reverse("legislation:create"), _item_data())
    item = LegislationItem.objects.get(title="Bill on the mental health act")
    assert response.status_code == 302
    assert response["Location"] == reverse("legislation:detail", args=[item.pk])
    assert item.reference.startswith("L-") and item.created_by == personas["comms"]
    assert _events(item, "legislation.item_create") == 1


def test_bad_input_is_refused_with_a_message_and_nothing_is_made(personas, client_for):
    client = client_for(personas["monitor"])
    response = client.post(
        reverse("legislation:create"), _item_data(title="", deadline="31/02/2026")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html and "Enter a valid date." in html
    assert not LegislationItem.objects.exists()


def test_posted_extra_fields_are_not_assigned(personas, client_for):
    client = client_for(personas["monitor"])
    client.post(reverse("legislation:create"), _item_data(priority="999", outcome="adopted"))
    item = LegislationItem.objects.get()
    assert item.priority == 0 and item.outcome == "pending"


def test_editing_saves_recomputes_and_audits(personas, client_for):
    w = world(personas)
    client = client_for(personas["monitor"])
    url = reverse("legislation:edit", args=[w.bill.pk])
    form = client.get(url)
    assert form.status_code == 200 and BILL in form.content.decode()
    before = w.bill.priority
    data = _item_data(
        title=BILL,
        kind=ItemKind.DRAFT,
        procedure=Procedure.PARLIAMENT,
        deadline=(timezone.localdate() + dt.timedelta(days=200)).isoformat(),
        version=w.bill.version,
    )
    assert client.post(url, data).status_code == 302
    w.bill.refresh_from_db()
    assert w.bill.subject == data["subject"] and w.bill.version == 2
    # The deadline is no longer near: the deadline's share of the priority goes.
    assert w.bill.priority < before
    assert _events(w.bill, "legislation.item_update") == 1


def test_a_stale_edit_gets_409_with_the_users_text_kept(personas, client_for):
    w = world(personas)
    url = reverse("legislation:edit", args=[w.bill.pk])
    first = client_for(personas["monitor"])
    second = client_for(personas["head"])
    assert first.post(url, _item_data(title="Saved first", version=1)).status_code == 302
    response = second.post(url, _item_data(title="My own careful title", version=1))
    assert response.status_code == 409
    html = response.content.decode()
    assert "My own careful title" in html  # the user's text, back in the form
    assert "Saved meanwhile" in html and "Saved first" in html
    assert 'name="version" value="2"' in html
    w.bill.refresh_from_db()
    assert w.bill.title == "Saved first"
    assert _events(w.bill, "legislation.item_update_stale") == 1
    # Saving again from the page's version applies the user's text.
    assert second.post(url, _item_data(title="My own careful title", version=2)).status_code == 302
    w.bill.refresh_from_db()
    assert w.bill.title == "My own careful title"
