"""API representations of case files.

Only the fields named here are read from a request; `lead`, grants and anything else
sent along are ignored, never mass-assigned. Sealed fields are unsealed for the answer
only: identities for those who may see them (for anyone else the keys are absent, not
empty), testimony for every grantee (only grantees ever reach a case).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.fields import SkipField

from habeas.cases import services
from habeas.cases.models import Case, Element, Recipient
from habeas.places.models import Authority, Place
from habeas.places.serializers import (
    PatchMixin,
    RestrictedPrimaryKeyRelatedField,
    VersionField,
)

IDENTITY_LENGTHS = {
    "victim": 300,
    "victim_details": 20000,
    "complainant": 300,
    "officials": 20000,
    "witnesses": 20000,
}
TESTIMONY_LENGTHS = {"acts": 20000, "circumstances": 20000}
SUMMARY_FIELDS = [
    "id",
    "reference",
    "kind",
    "status",
    "place",
    "authority",
    "occurred_on",
    "occurred_until",
    "reported_on",
    "source",
    "source_ref",
    "pattern",
    "lead",
    "watch",
    "consent_use",
    "consent_elements",
    "consent_recipients",
    "consent_publish",
    "consent_recorded_on",
    "closed_at",
    "version",
    "created_at",
    "updated_at",
]
READ_ONLY = (
    "id",
    "reference",
    "status",
    "lead",
    "watch",
    "closed_at",
    "version",
    "created_at",
    "updated_at",
)


class SealedTextField(serializers.CharField):
    """A sealed field of the case, in the clear; an identity field is left out of the
    answer for a reader who may not see identities."""

    def __init__(self, *, identity: bool, **kwargs: Any) -> None:
        self.identity = identity
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Case) -> str:
        reader = self._reader()
        if self.identity and not self._may_see_identity(instance, reader):
            raise SkipField
        return instance.unseal(str(self.source), actor=reader)

    def _reader(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _may_see_identity(self, instance: Case, reader: Any) -> bool:
        cache = self.context.setdefault("_may_see_identity", {})
        if instance.pk not in cache:
            cache[instance.pk] = reader is not None and services.may_see_identity(reader, instance)
        return bool(cache[instance.pk])


class CaseSummarySerializer(serializers.ModelSerializer):
    """A case in a list: its facts and consent; no identity, no testimony."""

    place = RestrictedPrimaryKeyRelatedField(  # type: ignore[assignment]
        model=Place, allow_null=True, required=False
    )
    authority = RestrictedPrimaryKeyRelatedField(  # type: ignore[assignment]
        model=Authority, allow_null=True, required=False
    )
    consent_elements = serializers.ListField(
        child=serializers.ChoiceField(choices=Element.choices), required=False, max_length=10
    )
    consent_recipients = serializers.ListField(
        child=serializers.ChoiceField(choices=Recipient.choices), required=False, max_length=10
    )
    version = VersionField(read_only=True)

    class Meta:
        model = Case
        fields = SUMMARY_FIELDS
        read_only_fields: tuple[str, ...] = READ_ONLY
        extra_kwargs: ClassVar[dict[str, Any]] = {"reported_on": {"required": False}}


class CaseSerializer(CaseSummarySerializer):
    """One case, with its identities (for those who may see them) and its testimony."""

    victim = SealedTextField(identity=True, max_length=IDENTITY_LENGTHS["victim"])
    victim_details = SealedTextField(identity=True, max_length=IDENTITY_LENGTHS["victim_details"])
    complainant = SealedTextField(identity=True, max_length=IDENTITY_LENGTHS["complainant"])
    officials = SealedTextField(identity=True, max_length=IDENTITY_LENGTHS["officials"])
    witnesses = SealedTextField(identity=True, max_length=IDENTITY_LENGTHS["witnesses"])
    acts = SealedTextField(identity=False, max_length=TESTIMONY_LENGTHS["acts"])
    circumstances = SealedTextField(identity=False, max_length=TESTIMONY_LENGTHS["circumstances"])

    class Meta(CaseSummarySerializer.Meta):
        fields = [*SUMMARY_FIELDS, *IDENTITY_LENGTHS, *TESTIMONY_LENGTHS]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("occurred_on"), attrs.get("occurred_until")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"occurred_until": "The end cannot come before the start."}
            )
        return attrs


class CasePatchSerializer(PatchMixin, CaseSerializer):
    """A change to a case: any of its writable fields, and the version it was read at.

    Identity and consent fields from someone who may not see identities are ignored
    (the service keeps them as they were)."""

    class Meta(CaseSerializer.Meta):
        read_only_fields = tuple(name for name in READ_ONLY if name != "version")
