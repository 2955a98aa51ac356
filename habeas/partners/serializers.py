"""API representations of partners, contacts, agreements, communications and awareness
activities (¶4, 23, 30–33).

Only the fields named here are read from a request: anything else is ignored, never
mass-assigned. A communication in a list carries its subject, never what was said; the
record read one at a time (an audited read) carries its details. Linked records are
listed only as far as the reader may see each one: a case file the reader is not
granted on is simply absent.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from habeas.cases.models import Case, ReprisalWatch
from habeas.legislation.models import LegislationItem
from habeas.partners.models import (
    Agreement,
    AwarenessActivity,
    Communication,
    Contact,
    Partner,
    PartnerKind,
)
from habeas.places.models import Place, Region
from habeas.places.serializers import PatchMixin, RestrictedPrimaryKeyRelatedField
from habeas.recommendations.models import Recommendation

TEXT_LIMIT = 20000


# Generic names ("kind") name other choice sets elsewhere in the API: each set is named
# in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (PartnerKindEnum, …).
PartnerKindField = serializers.ChoiceField
AgreementKindField = serializers.ChoiceField
CommunicationKindField = serializers.ChoiceField
DirectionField = serializers.ChoiceField
ActivityKindField = serializers.ChoiceField
AudienceField = serializers.ChoiceField


def _related(model: Any, **kwargs: Any) -> RestrictedPrimaryKeyRelatedField:
    return RestrictedPrimaryKeyRelatedField(model=model, **kwargs)


# -- partners ----------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    # A plain string: an empty one (no address known) is not an e-mail address.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "partner",
            "name",
            "position",
            "email",
            "phone",
            "notes",
            "active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContactCreateSerializer(serializers.Serializer):
    partner = _related(Partner)
    name = serializers.CharField(max_length=200)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=64, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ContactPatchSerializer(PatchMixin):
    name = serializers.CharField(max_length=200, required=False)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=64, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class AgreementSerializer(serializers.ModelSerializer):
    kind = AgreementKindField(choices=Agreement.Kind.choices, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "partner",
            "kind",
            "title",
            "signed_on",
            "expires_on",
            "terms",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AgreementCreateSerializer(serializers.Serializer):
    partner = _related(Partner)
    kind = AgreementKindField(choices=Agreement.Kind.choices)
    title = serializers.CharField(max_length=300)
    signed_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    terms = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)


class AgreementPatchSerializer(PatchMixin):
    kind = AgreementKindField(choices=Agreement.Kind.choices, required=False)
    title = serializers.CharField(max_length=300, required=False)
    signed_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    terms = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)


class PartnerSerializer(serializers.ModelSerializer):
    """One row of the list, with the communications the reader may see."""

    kind = PartnerKindField(choices=PartnerKind.choices, read_only=True)
    # A plain string: an empty one (no website) is not a URI.
    website = serializers.CharField(read_only=True)
    communications = serializers.IntegerField(source="communication_count", read_only=True)
    last_contact = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "acronym",
            "kind",
            "areas",
            "website",
            "address",
            "notes",
            "active",
            "communications",
            "last_contact",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PartnerDetailSerializer(PartnerSerializer):
    contacts = ContactSerializer(many=True, read_only=True)
    agreements = AgreementSerializer(many=True, read_only=True)

    class Meta(PartnerSerializer.Meta):
        fields = [*PartnerSerializer.Meta.fields, "contacts", "agreements"]
        read_only_fields = fields


class PartnerCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    kind = PartnerKindField(choices=PartnerKind.choices)
    acronym = serializers.CharField(max_length=32, required=False, allow_blank=True)
    areas = serializers.CharField(max_length=500, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)


class PartnerPatchSerializer(PatchMixin):
    name = serializers.CharField(max_length=300, required=False)
    kind = PartnerKindField(choices=PartnerKind.choices, required=False)
    acronym = serializers.CharField(max_length=32, required=False, allow_blank=True)
    areas = serializers.CharField(max_length=500, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


# -- communications ----------------------------------------------------------------------------


class CommunicationSerializer(serializers.ModelSerializer):
    """One row of the log: its subject, never what was said."""

    kind = CommunicationKindField(choices=Communication.Kind.choices, read_only=True)
    direction = DirectionField(choices=Communication.Direction.choices, read_only=True)
    partners: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    reprisal_watch = serializers.SerializerMethodField()

    class Meta:
        model = Communication
        fields = [
            "id",
            "reference",
            "kind",
            "direction",
            "occurred_on",
            "subject",
            "confidential",
            "partners",
            "reprisal_signal",
            "reprisal_routed_at",
            "reprisal_watch",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_reprisal_watch(self, communication: Communication) -> Any:
        """The watch it led to, only for those granted on that watch."""
        visible = self.context.get("visible_watches") or set()
        watch = communication.reprisal_watch_id
        return str(watch) if watch is not None and watch in visible else None


class CommunicationLinksSerializer(CommunicationSerializer):
    """A communication with what it links to that the reader may see (the answer to a
    write: what was said is read only through a retrieve, which is audited)."""

    places = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField()
    recommendations = serializers.SerializerMethodField()
    legislation = serializers.SerializerMethodField()

    class Meta(CommunicationSerializer.Meta):
        fields = [
            *CommunicationSerializer.Meta.fields,
            "places",
            "cases",
            "recommendations",
            "legislation",
        ]
        read_only_fields = fields

    def _links(self) -> Any:
        return self.context["links"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_places(self, communication: Communication) -> list[int]:
        return [place.pk for place in self._links().places]

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_cases(self, communication: Communication) -> list[str]:
        return [str(case.pk) for case in self._links().cases]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_recommendations(self, communication: Communication) -> list[int]:
        return [rec.pk for rec in self._links().recommendations]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_legislation(self, communication: Communication) -> list[int]:
        return [item.pk for item in self._links().legislation]


class CommunicationDetailSerializer(CommunicationLinksSerializer):
    """One communication, read one at a time: what was said, too."""

    details = serializers.SerializerMethodField()

    class Meta(CommunicationLinksSerializer.Meta):
        fields = [*CommunicationLinksSerializer.Meta.fields, "details"]
        read_only_fields = fields

    def get_details(self, communication: Communication) -> str:
        return str(self.context.get("details", ""))


class _CommunicationWrite(serializers.Serializer):
    kind = CommunicationKindField(choices=Communication.Kind.choices)
    direction = DirectionField(choices=Communication.Direction.choices, required=False)
    occurred_on = serializers.DateField()
    subject = serializers.CharField(max_length=300)
    details = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    confidential = serializers.BooleanField(required=False)
    reprisal_signal = serializers.BooleanField(required=False)
    partners = _related(Partner, many=True, allow_empty=False)
    places = _related(Place, many=True, required=False)
    cases = _related(Case, many=True, required=False)
    recommendations = _related(Recommendation, many=True, required=False)
    legislation = _related(LegislationItem, many=True, required=False)


class CommunicationCreateSerializer(_CommunicationWrite):
    pass


class CommunicationPatchSerializer(PatchMixin, _CommunicationWrite):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class LinkWatchSerializer(serializers.Serializer):
    watch = _related(
        ReprisalWatch,
        allow_null=True,
        help_text="A reprisal watch you are granted on; null unlinks.",
    )


# -- awareness activities ----------------------------------------------------------------------


class ActivitySerializer(serializers.ModelSerializer):
    kind = ActivityKindField(choices=AwarenessActivity.Kind.choices, read_only=True)
    audience = AudienceField(choices=AwarenessActivity.Audience.choices, read_only=True)
    partners: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = AwarenessActivity
        fields = [
            "id",
            "kind",
            "title",
            "held_on",
            "audience",
            "reached",
            "region",
            "partners",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _ActivityWrite(serializers.Serializer):
    kind = ActivityKindField(choices=AwarenessActivity.Kind.choices)
    title = serializers.CharField(max_length=300)
    held_on = serializers.DateField()
    audience = AudienceField(choices=AwarenessActivity.Audience.choices)
    reached = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False)
    region = _related(Region, required=False, allow_null=True)
    partners = _related(Partner, many=True, required=False)
    notes = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)


class ActivityCreateSerializer(_ActivityWrite):
    pass


class ActivityPatchSerializer(PatchMixin, _ActivityWrite):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class FigureRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    activities = serializers.IntegerField()
    reached = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    activities = serializers.IntegerField()
    reached = serializers.IntegerField()
    by_kind = FigureRowSerializer(many=True)
    by_audience = FigureRowSerializer(many=True)
    by_year = FigureRowSerializer(many=True)
    years = serializers.ListField(child=serializers.IntegerField())


class FiguresQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
