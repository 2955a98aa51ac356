"""The same seed builds the same demo: visits, interviews, findings, cases and
recommendations (`shared_demo.fingerprint`).

A fresh load rolls the shared demo back, so this test comes last of the demo tests: in
their xdist group, this module is collected after every other.
"""

from __future__ import annotations

import pytest

from habeas.core.tests import shared_demo


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_it_builds_the_same_demo_from_the_same_seed():
    # What the shared demo's load built (or, when no test read it before, a first load
    # of the same seed) is built again by a fresh load.
    expected = shared_demo.STATE.fingerprint or shared_demo.fingerprint_of_a_load()
    again = shared_demo.fingerprint_of_a_load()

    assert len(again["visits"]) >= 35
    assert again == expected
