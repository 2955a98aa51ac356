"""factory_boy factories for the assessment tool (STYLE.md, Tests).

The home organisation ("This NPM") is created by migration 0002, so
`HomeOrganisationFactory()` returns that row (get-or-create on `is_home`) rather than
making a second one, which the database forbids. `FrameworkVersionFactory()` builds a
small framework of its own (two sections, three paragraphs, two listed items, one
indicator slot) so tests do not depend on the shipped SPT file; pass `outline=False`
for an empty version.

    home = HomeOrganisationFactory()
    version = FrameworkVersionFactory()
    assessment = AssessmentFactory(framework_version=version, assessors=[user])
    RatingFactory(assessment=assessment, criterion=version.criteria.get(ref="1"))
    ActionItemFactory(assessment=assessment, owner=user)
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import factory
from factory.django import DjangoModelFactory

from habeas.accounts.models import User
from habeas.assessment.models import (
    ActionItem,
    Assessment,
    Criterion,
    Evidence,
    Framework,
    FrameworkVersion,
    IndicatorSlot,
    Organisation,
    Rating,
    Section,
)


class UserFactory(DjangoModelFactory):
    """A bare account (no second factor); use conftest's `make_user` for signed-in tests."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"assessor{n}@npm.test")
    full_name = factory.Sequence(lambda n: f"Assessor {n}")
    role = "monitor"

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(**{"password": None, **kwargs})


class OrganisationFactory(DjangoModelFactory):
    """Another NPM by default; pass `kind=Organisation.Kind.SPT` etc. for an assessing body."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"NPM of Country {n}")
    kind = Organisation.Kind.NPM
    country = factory.Sequence(lambda n: f"Country {n}")
    is_home = False


class HomeOrganisationFactory(DjangoModelFactory):
    """This NPM: the row seeded by migration 0002 (or created if a test removed it)."""

    class Meta:
        model = Organisation
        django_get_or_create = ("is_home",)

    is_home = True
    name = "This NPM"
    kind = Organisation.Kind.NPM


class FrameworkFactory(DjangoModelFactory):
    class Meta:
        model = Framework

    code = factory.Sequence(lambda n: f"test-framework-{n}")
    name = factory.Sequence(lambda n: f"Test framework {n}")
    description = ""


# (ref, section ref, kind, parent ref, text); one slot on ¶1.
TEST_OUTLINE: list[tuple[str, str, str, str, str]] = [
    ("1", "A", "paragraph", "", "The NPM is independent."),
    ("2", "A", "paragraph", "", "The NPM has a strategy that includes:"),
    ("2.1", "A", "item", "2", "objectives;"),
    ("2.2", "A", "item", "2", "a budget."),
    ("3", "B", "paragraph", "", "The NPM visits all places of detention."),
]
TEST_SECTIONS: list[tuple[str, str]] = [("A", "Independence"), ("B", "Visits")]


class FrameworkVersionFactory(DjangoModelFactory):
    """A version with a small outline (see TEST_OUTLINE); `outline=False` leaves it empty."""

    class Meta:
        model = FrameworkVersion
        skip_postgeneration_save = True

    framework = factory.SubFactory(FrameworkFactory)
    version = factory.Sequence(lambda n: f"v{n}")
    published_on = dt.date(2016, 1, 1)
    source = "Test source"
    language = "en"
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.version.encode()).hexdigest())

    @factory.post_generation
    def outline(version: FrameworkVersion, create: bool, extracted: object, **kwargs: object):
        if not create or extracted is False:
            return
        sections = {
            ref: Section.objects.create(
                framework_version=version, ref=ref, title=title, position=position
            )
            for position, (ref, title) in enumerate(TEST_SECTIONS, start=1)
        }
        criteria: dict[str, Criterion] = {}
        for position, (ref, section, kind, parent, text) in enumerate(TEST_OUTLINE, start=1):
            criteria[ref] = Criterion.objects.create(
                framework_version=version,
                section=sections[section],
                parent=criteria.get(parent),
                kind=kind,
                ref=ref,
                text=text,
                position=position,
            )
        IndicatorSlot.objects.create(
            criterion=criteria["1"],
            key="test-budget-share",
            name="Share of budget spent",
            unit="%",
            description="Spent budget over allocated budget.",
        )


class AssessmentFactory(DjangoModelFactory):
    """A draft self-assessment of this NPM for 2024; `assessors=[user, …]` to set them."""

    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Self-assessment {n}")
    framework_version = factory.SubFactory(FrameworkVersionFactory)
    subject = factory.SubFactory(HomeOrganisationFactory)
    made_by = factory.SelfAttribute("subject")
    period_start = dt.date(2024, 1, 1)
    period_end = dt.date(2024, 12, 31)
    state = Assessment.State.DRAFT

    @factory.post_generation
    def assessors(assessment: Assessment, create: bool, extracted: object, **kwargs: object):
        if create and extracted:
            assessment.assessors.set(extracted)  # type: ignore[arg-type]


def _first_criterion(rating: Any) -> Criterion:
    return rating.assessment.framework_version.criteria.order_by("position").first()


class RatingFactory(DjangoModelFactory):
    """A rating of the version's first criterion unless `criterion=` is given."""

    class Meta:
        model = Rating

    assessment = factory.SubFactory(AssessmentFactory)
    criterion = factory.LazyAttribute(_first_criterion)
    level = Rating.Level.PARTIALLY
    reason = ""
    narrative = "Partly in place; see the annual report."


class EvidenceFactory(DjangoModelFactory):
    """A link to a public source supporting the first criterion."""

    class Meta:
        model = Evidence

    assessment = factory.SubFactory(AssessmentFactory)
    criterion = factory.LazyAttribute(_first_criterion)
    kind = Evidence.Kind.LINK
    title = factory.Sequence(lambda n: f"Annual report {n}")
    url = "https://npm.example/annual-report.pdf"
    added_by = factory.SubFactory(UserFactory)


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    assessment = factory.SubFactory(AssessmentFactory)
    criterion = None
    title = factory.Sequence(lambda n: f"Close gap {n}")
    description = ""
    owner = factory.SubFactory(UserFactory)
    deadline = dt.date(2025, 6, 30)
    status = ActionItem.Status.OPEN
