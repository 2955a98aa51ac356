"""API representations of places, authorities and regions.

Categories and groups travel by code, regions and authorities by id. Only the fields
named here are read from a request: anything else is ignored, never mass-assigned.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.places.models import (
    Authority,
    Category,
    Place,
    PopulationGroup,
    Region,
)

READ_ONLY: tuple[str, ...] = ("id", "version", "created_at", "updated_at")


class RestrictedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must name a record the requesting user may see."""

    def __init__(self, *, model: Any, **kwargs: Any) -> None:
        self.model = model
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return self.model.objects.restrict(getattr(request, "user", None), "view")


class CodeRelatedField(serializers.SlugRelatedField):
    """A related record named by its code. A code with a NUL byte names none: PostgreSQL
    refuses to be asked, which would be a server error."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class VersionField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault(
            "help_text",
            "The version you read. A PATCH from an older version is refused with 409.",
        )
        super().__init__(**kwargs)


def or_empty(**string: Any) -> dict[str, Any]:
    """The schema of a string in a format (email, uri), or empty when none is known.

    A blank-allowed EmailField or URLField would be documented by its format alone, which
    an empty string fails, so clients validating answers against the schema would reject
    every record without an address.
    """
    return {"anyOf": [{"type": "string", **string}, {"type": "string", "maxLength": 0}]}


@extend_schema_field(or_empty(format="email", maxLength=254))
class OptionalEmailField(serializers.EmailField):
    """An e-mail address, or empty."""


class RegionSerializer(serializers.ModelSerializer):
    parent = RestrictedPrimaryKeyRelatedField(  # type: ignore[assignment]
        model=Region, allow_null=True, required=False
    )

    class Meta:
        model = Region
        fields = ["id", "name", "code", "parent", "version", "created_at", "updated_at"]
        read_only_fields: tuple[str, ...] = READ_ONLY


class AuthoritySerializer(serializers.ModelSerializer):
    region = RestrictedPrimaryKeyRelatedField(model=Region, allow_null=True, required=False)
    parent = RestrictedPrimaryKeyRelatedField(  # type: ignore[assignment]
        model=Authority, allow_null=True, required=False
    )
    email = OptionalEmailField(max_length=254, required=False, allow_blank=True)

    class Meta:
        model = Authority
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "parent",
            "response_days",
            "email",
            "phone",
            "urgent_contact",
            "address",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields: tuple[str, ...] = READ_ONLY


class PlaceSerializer(serializers.ModelSerializer):
    category = CodeRelatedField(slug_field="code", queryset=Category.objects.all())
    groups = CodeRelatedField(
        slug_field="code", queryset=PopulationGroup.objects.all(), many=True, required=False
    )
    region = RestrictedPrimaryKeyRelatedField(model=Region, allow_null=True, required=False)
    authority = RestrictedPrimaryKeyRelatedField(model=Authority, allow_null=True, required=False)
    latest_population = serializers.IntegerField(
        source="population_now",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The latest count of people held, if any.",
    )
    latest_population_on = serializers.DateField(
        source="population_on", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Place
        fields = [
            "id",
            "name",
            "external_ref",
            "category",
            "operator",
            "authority",
            "region",
            "address",
            "latitude",
            "longitude",
            "capacity",
            "groups",
            "official",
            "status",
            "closed_on",
            "last_visit_on",
            "notes",
            "latest_population",
            "latest_population_on",
            "version",
            "created_at",
            "updated_at",
        ]
        # Closing and reopening are their own acts (services place_close / place_reopen).
        read_only_fields: tuple[str, ...] = (*READ_ONLY, "status", "closed_on")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        latitude = attrs.get("latitude", getattr(self.instance, "latitude", None))
        longitude = attrs.get("longitude", getattr(self.instance, "longitude", None))
        if (latitude is None) != (longitude is None):
            raise serializers.ValidationError("Give both latitude and longitude, or neither.")
        if latitude is not None and not -90 <= latitude <= 90:
            raise serializers.ValidationError({"latitude": "Latitude runs from -90 to 90."})
        if longitude is not None and not -180 <= longitude <= 180:
            raise serializers.ValidationError({"longitude": "Longitude runs from -180 to 180."})
        return attrs


class PatchMixin(serializers.Serializer):
    """A partial update must say which version it edits (optimistic locking)."""

    version = VersionField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A partial update skips absent required fields, so the version is checked here.
        if "version" not in attrs:
            raise serializers.ValidationError({"version": "This field is required."})
        return super().validate(attrs)


class PlacePatchSerializer(PatchMixin, PlaceSerializer):
    class Meta(PlaceSerializer.Meta):
        read_only_fields = tuple(
            name for name in PlaceSerializer.Meta.read_only_fields if name != "version"
        )


class AuthorityPatchSerializer(PatchMixin, AuthoritySerializer):
    class Meta(AuthoritySerializer.Meta):
        read_only_fields = tuple(name for name in READ_ONLY if name != "version")


class RegionPatchSerializer(PatchMixin, RegionSerializer):
    class Meta(RegionSerializer.Meta):
        read_only_fields = tuple(name for name in READ_ONLY if name != "version")
