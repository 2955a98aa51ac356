"""factory_boy factories for the inventory (STYLE.md, Tests).

Categories and groups held are seeded by migration 0002, so the factories reuse the
seeded rows (`django_get_or_create` on the code) rather than inventing new ones.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from habeas.places.models import (
    Authority,
    Category,
    Place,
    PopulationGroup,
    PopulationRecord,
    Region,
    Unit,
)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "prison-sentenced"
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())


class PopulationGroupFactory(DjangoModelFactory):
    class Meta:
        model = PopulationGroup
        django_get_or_create = ("code",)

    code = "women"
    name = factory.LazyAttribute(lambda o: o.code.capitalize())


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Region {n}")
    code = factory.Sequence(lambda n: f"R{n:04d}")
    parent = None


class AuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Authority

    name = factory.Sequence(lambda n: f"Prison administration {n}")
    kind = Authority.Kind.SUPERVISORY
    region = None
    response_days = 60
    email = factory.Sequence(lambda n: f"authority{n}@gov.test")


class PlaceFactory(DjangoModelFactory):
    class Meta:
        model = Place
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Place of detention {n}")
    external_ref = factory.Sequence(lambda n: f"EXT-{n:06d}")
    category = factory.SubFactory(CategoryFactory)
    operator = Place.Operator.PUBLIC
    authority = factory.SubFactory(AuthorityFactory)
    region = factory.SubFactory(RegionFactory)
    address = factory.Sequence(lambda n: f"{n} Prison Road")
    latitude = Decimal("48.856600")
    longitude = Decimal("2.352200")
    capacity = 100
    official = True
    status = Place.Status.OPEN
    last_visit_on = None

    @factory.post_generation
    def groups(self, create: bool, extracted: object, **kwargs: object) -> None:
        """`PlaceFactory(groups=["women", "children"])` takes codes or PopulationGroup rows."""
        if not create or not extracted:
            return
        rows = [
            g if isinstance(g, PopulationGroup) else PopulationGroupFactory(code=g)
            for g in extracted  # type: ignore[attr-defined]
        ]
        self.groups.set(rows)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Wing {n}")
    description = ""
    capacity = 20
    active = True


class PopulationRecordFactory(DjangoModelFactory):
    class Meta:
        model = PopulationRecord

    place = factory.SubFactory(PlaceFactory)
    recorded_on = factory.Sequence(lambda n: dt.date(2024, 1, 1) + dt.timedelta(days=n))
    population = 80
    source = "Prison administration"
