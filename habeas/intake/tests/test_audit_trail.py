"""The audit trail names a submission or a partner's communication only to those who may
see it: to the auditor, its very existence is need-to-know (like a case file)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habeas.intake import services
from habeas.intake.tests.factories import make_submission

pytestmark = pytest.mark.django_db


def test_the_auditor_sees_who_opened_a_submission_but_not_which(personas, client_for):
    submission, _receipt = make_submission()
    services.submission_open(actor=personas["monitor"], submission=submission)
    trail = reverse("core:audit")

    for_auditor = client_for(personas["auditor"]).get(trail).content.decode()
    for_head = client_for(personas["head"]).get(trail).content.decode()

    assert "intake.submission.read" in for_auditor
    assert str(submission.pk) not in for_auditor
    assert str(submission.pk) in for_head
