"""The work on an item through its pages: the checklist, opinions in versions and their
sending, advocacy steps, the outcome, links to recommendations and the register, and the
benchmarks themselves."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from habeas.core.models import AuditEvent
from habeas.legislation import services
from habeas.legislation.models import (
    AdvocacyStep,
    Assessment,
    Benchmark,
    Effect,
    Opinion,
    Outcome,
)
from habeas.legislation.tests.test_views_world import BILL, DECREE, LAWYER_DELAY, benchmark, world
from habeas.partners import services as partner_services

pytestmark = pytest.mark.django_db


def _actions(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def _detail(client, item) -> str:
    response = client.get(reverse("legislation:detail", args=[item.pk]))
    assert response.status_code == 200
    return response.content.decode()


# -- the checklist ---------------------------------------------------------------------------


def _checklist_data(client, item) -> dict[str, str]:
    """What the checklist form posts when the user changes nothing."""
    page = client.get(reverse("legislation:checklist", args=[item.pk]))
    assert page.status_code == 200
    form = page.context["groups"]
    data = {}
    for group in form:
        for line in group.lines:
            if line.form is None:
                continue
            for name in ("effect", "note", "was_effect", "was_note"):
                data[f"{line.form.prefix}-{name}"] = line.form.initial.get(name, "")
    return data


def test_assessing_a_line_reranks_the_decree_above_the_bill(personas, client_for):
    w = world(personas)
    client = client_for(personas["monitor"])
    access = benchmark("npm-unannounced-access")
    data = _checklist_data(client, w.decree)
    data[f"b{access.pk}-effect"] = Effect.BREACHES
    data[f"b{access.pk}-note"] = "Art. 3 requires 48 hours' notice before any visit."
    response = client.post(reverse("legislation:checklist", args=[w.decree.pk]), data)
    assert response.status_code == 302
    assert response["Location"].endswith("#checklist")
    # Only the line changed was written (and audited).
    assert _actions("legislation.assessment_set") == 3  # two by the world, one here
    w.decree.refresh_from_db()
    assert w.decree.priority > w.bill.priority
    listed = client.get(reverse("legislation:list")).content.decode()
    assert listed.index(DECREE) < listed.index(BILL)
    assert "Removes or breaches: Unannounced access" in listed


def test_clearing_a_line_withdraws_its_assessment(personas, client_for):
    w = world(personas)
    client = client_for(personas["comms"])
    data = _checklist_data(client, w.bill)
    data[f"b{w.lawyer.pk}-effect"] = ""
    data[f"b{w.lawyer.pk}-note"] = ""
    assert client.post(reverse("legislation:checklist", args=[w.bill.pk]), data).status_code == 302
    assert not Assessment.objects.filter(item=w.bill).exists()
    w.bill.refresh_from_db()
    assert w.bill.priority == 0


def test_a_note_without_an_effect_is_refused_and_nothing_is_saved(personas, client_for):
    w = world(personas)
    client = client_for(personas["monitor"])
    access = benchmark("npm-unannounced-access")
    data = _checklist_data(client, w.bill)
    data[f"b{w.lawyer.pk}-effect"] = Effect.BREACHES
    data[f"b{access.pk}-note"] = "A note on a line left unassessed."
    response = client.post(reverse("legislation:checklist", args=[w.bill.pk]), data)
    assert response.status_code == 400
    assert "Choose what the text does to this benchmark." in response.content.decode()
    assert Assessment.objects.get(item=w.bill).effect == Effect.WEAKENS


def test_a_line_assessed_by_someone_else_meanwhile_gets_409_and_keeps_the_users_choice(
    personas, client_for
):
    w = world(personas)
    client = client_for(personas["monitor"])
    data = _checklist_data(client, w.bill)
    services.assessment_set(
        actor=w.head, item=w.bill, benchmark=w.lawyer, effect=Effect.MEETS, note="Amended."
    )
    data[f"b{w.lawyer.pk}-effect"] = Effect.BREACHES
    data[f"b{w.lawyer.pk}-note"] = "My reading of art. 7"
    url = reverse("legislation:checklist", args=[w.bill.pk])
    response = client.post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "My reading of art. 7" in html and "Saved meanwhile" in html and "Amended." in html
    assert Assessment.objects.get(item=w.bill).effect == Effect.MEETS
    # The form now carries what is saved: saving again applies the user's choice.
    again = response.context["groups"]
    rebased = {
        f"{line.form.prefix}-{name}": line.form.data.get(f"{line.form.prefix}-{name}", "")
        for group in again
        for line in group.lines
        if line.form is not None
        for name in ("effect", "note", "was_effect", "was_note")
    }
    assert client.post(url, rebased).status_code == 302
    assert Assessment.objects.get(item=w.bill).note == "My reading of art. 7"


def test_line_breaks_sent_by_a_browser_are_not_taken_for_someone_elses_change(personas, client_for):
    w = world(personas)
    services.assessment_set(
        actor=w.head, item=w.bill, benchmark=w.lawyer, effect=Effect.WEAKENS, note="One\nTwo"
    )
    client = client_for(personas["monitor"])
    data = _checklist_data(client, w.bill)
    prefix = f"b{w.lawyer.pk}"
    data |= {f"{prefix}-was_note": "One\r\nTwo", f"{prefix}-note": "One\r\nTwo\r\nThree"}
    data[f"{prefix}-effect"] = Effect.BREACHES
    response = client.post(reverse("legislation:checklist", args=[w.bill.pk]), data)
    assert response.status_code == 302
    assert Assessment.objects.get(item=w.bill).note == "One\nTwo\nThree"


def test_a_retired_benchmark_still_shows_where_it_was_assessed(personas, client_for):
    w = world(personas)
    services.benchmark_update(actor=w.head, benchmark=w.lawyer, active=False)
    client = client_for(personas["monitor"])
    html = _detail(client, w.bill)
    assert "Lines no longer in use" in html and LAWYER_DELAY in html
    page = client.get(reverse("legislation:checklist", args=[w.bill.pk]))
    assert page.status_code == 200
    assert "This line is no longer in use" in page.content.decode()


# -- opinions --------------------------------------------------------------------------------


def test_an_opinion_is_written_revised_with_history_then_sent_by_the_head(personas, client_for):
    w = world(personas)
    monitor = client_for(personas["monitor"])
    create = reverse("legislation:opinion_create", args=[w.bill.pk])
    response = monitor.post(create, {"title": "Opinion on Bill 2026/114", "text": "First text."})
    opinion = Opinion.objects.get(item=w.bill)
    assert response.status_code == 302 and opinion.versions.count() == 1
    revise = reverse("legislation:opinion_revise", args=[w.bill.pk, opinion.pk])
    data = {"title": opinion.title, "text": "Second, sharper text.", "version": opinion.version}
    assert monitor.post(revise, data).status_code == 302
    html = _detail(monitor, w.bill)
    assert "Second, sharper text." in html and "History: 2 versions" in html
    assert "First text." in html  # the earlier version stays readable
    assert "Not sent yet." in html

    head = client_for(personas["head"])
    assert reverse("legislation:opinion_send", args=[w.bill.pk, opinion.pk]) in _detail(
        head, w.bill
    )
    send = reverse("legislation:opinion_send", args=[w.bill.pk, opinion.pk])
    today = timezone.localdate()
    response = head.post(send, {"sent_on": today.isoformat(), "sent_to": "Committee on justice"})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.state == Opinion.State.SENT and opinion.sent_to == "Committee on justice"
    assert _actions("legislation.opinion_send") == 1
    html = _detail(head, w.bill)
    assert f"Sent on {today.isoformat()} to Committee on justice." in html
    # Sent, its words are on record: no more revision.
    assert revise not in html
    again = monitor.post(revise, {**data, "text": "Third", "version": opinion.version})
    assert again.status_code == 302
    opinion.refresh_from_db()
    assert opinion.text == "Second, sharper text." and opinion.versions.count() == 2


def test_a_stale_revision_gets_409_with_the_users_text_kept(personas, client_for):
    w = world(personas)
    opinion = services.opinion_create(actor=w.monitor, item=w.bill, title="Op", text="One")
    url = reverse("legislation:opinion_revise", args=[w.bill.pk, opinion.pk])
    client_for(personas["head"]).post(url, {"title": "Op", "text": "Head's text", "version": 1})
    response = client_for(personas["monitor"]).post(
        url, {"title": "Op", "text": "Monitor's long paragraph", "version": 1}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Monitor&#x27;s long paragraph" in html and "Head&#x27;s text" in html
    opinion.refresh_from_db()
    assert opinion.text == "Head's text"


def test_sending_with_a_future_date_is_refused_with_a_message(personas, client_for):
    w = world(personas)
    opinion = services.opinion_create(actor=w.monitor, item=w.bill, title="Op", text="One")
    url = reverse("legislation:opinion_send", args=[w.bill.pk, opinion.pk])
    response = client_for(personas["head"]).post(
        url, {"sent_on": "2999-01-01", "sent_to": "Parliament"}
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.state == Opinion.State.DRAFT


# -- advocacy, outcome, links ------------------------------------------------------------------


def test_an_advocacy_step_with_partners_is_recorded(personas, client_for):
    w = world(personas)
    partner = partner_services.partner_create(
        actor=w.head, name="Lawyers' Association", kind="ngo", acronym="LA"
    )
    client = client_for(personas["comms"])
    url = reverse("legislation:step_add", args=[w.bill.pk])
    assert "Lawyers&#x27; Association" in client.get(url).content.decode()
    data = {
        "kind": AdvocacyStep.Kind.JOINT_STATEMENT,
        "held_on": timezone.localdate().isoformat(),
        "with_whom": "Members of the committee on justice",
        "partners": [partner.pk],
        "summary": "A joint statement against art. 7.",
    }
    assert client.post(url, data).status_code == 302
    step = AdvocacyStep.objects.get(item=w.bill)
    assert list(step.partners.all()) == [partner]
    assert _actions("legislation.step_add") == 1
    html = _detail(client, w.bill)
    assert "Joint statement with partners" in html and "A joint statement against art. 7." in html


def test_a_step_without_a_date_is_refused(personas, client_for):
    w = world(personas)
    url = reverse("legislation:step_add", args=[w.bill.pk])
    response = client_for(personas["monitor"]).post(url, {"kind": "meeting", "held_on": ""})
    assert response.status_code == 400 and not AdvocacyStep.objects.exists()


def test_the_outcome_is_recorded(personas, client_for):
    w = world(personas)
    client = client_for(personas["monitor"])
    url = reverse("legislation:outcome", args=[w.bill.pk])
    data = {"outcome": Outcome.PARTLY, "note": "Access from the 4th hour, not the 24th."}
    assert client.post(url, data).status_code == 302
    w.bill.refresh_from_db()
    assert w.bill.outcome == Outcome.PARTLY
    assert "Partly adopted" in _detail(client, w.bill)
    assert client.post(url, {"outcome": "won"}).status_code == 400


def test_links_show_only_what_the_reader_may_see_and_keep_the_rest(personas, client_for):
    w = world(personas)
    head = client_for(personas["head"])
    url = reverse("legislation:links", args=[w.bill.pk])
    data = {
        "add_recommendations": w.recommendation.reference,
        "add_register_entries": w.entry.reference,
    }
    assert head.post(url, data).status_code == 302
    assert list(w.bill.recommendations.all()) == [w.recommendation]
    assert list(w.bill.register_entries.all()) == [w.entry]
    html = _detail(head, w.bill)
    assert w.recommendation.reference in html and w.entry.reference in html

    # The communications officer may not see the register: no entry, no way to unlink it.
    comms = client_for(personas["comms"])
    html = _detail(comms, w.bill)
    assert w.recommendation.reference in html and w.entry.reference not in html
    form = comms.get(url).content.decode()
    assert w.entry.reference not in form
    assert comms.post(url, {"recommendations": []}).status_code == 302
    assert not w.bill.recommendations.exists()
    assert list(w.bill.register_entries.all()) == [w.entry]

    # A reference the user may not see reads as unknown, and nothing changes.
    response = comms.post(
        url, {"add_register_entries": w.entry.reference, "add_recommendations": "R-1999-00001"}
    )
    assert response.status_code == 400
    assert "No record with these references: R-1999-00001." in response.content.decode()
    assert list(w.bill.register_entries.all()) == [w.entry]


# -- benchmarks ---------------------------------------------------------------------------------


def test_the_data_officer_adds_and_reweighs_a_benchmark(personas, client_for):
    w = world(personas)
    client = client_for(personas["data_officer"])
    data = {
        "code": "custody-video",
        "group": "first_hours",
        "title": "Interrogations are recorded on video",
        "source": "CPT/Inf(2019)9",
        "guidance": "",
        "weight": 4,
    }
    assert client.post(reverse("legislation:benchmark_create"), data).status_code == 302
    added = Benchmark.objects.get(code="custody-video")
    assert added.weight == 4 and _actions("legislation.benchmark_create") == 1
    listed = client.get(reverse("legislation:benchmarks")).content.decode()
    assert "Interrogations are recorded on video" in listed

    before = w.bill.priority
    edit = reverse("legislation:benchmark_edit", args=[w.lawyer.pk])
    changed = {
        "code": "tampered",
        "group": "first_hours",
        "title": w.lawyer.title,
        "source": w.lawyer.source,
        "guidance": w.lawyer.guidance,
        "weight": 1,
        "position": w.lawyer.position,
        "active": "on",
    }
    assert client.post(edit, changed).status_code == 302
    w.lawyer.refresh_from_db()
    w.bill.refresh_from_db()
    assert w.lawyer.weight == 1 and w.lawyer.code == "first-hours-lawyer"
    assert w.bill.priority < before


def test_a_benchmark_with_a_taken_code_is_refused(personas, client_for):
    world(personas)
    client = client_for(personas["head"])
    data = {"code": "first-hours-lawyer", "group": "other", "title": "Again", "weight": 3}
    response = client.post(reverse("legislation:benchmark_create"), data)
    assert response.status_code == 400
    assert Benchmark.objects.filter(code="first-hours-lawyer").count() == 1
