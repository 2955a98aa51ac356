"""Builders shared by the intake app's tests: submissions made through the public
service, as the form would make them, so every test starts from rows the application
itself could have written."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from habeas.intake import services
from habeas.intake.models import Consent, ReplyBy, SenderKind, Submission, Urgency
from habeas.places.tests.factories import PlaceFactory

BODY = (
    "My brother has been held in the punishment block for nine days. He says the guards "
    "take his mattress away every morning and he has not seen a doctor."
)


def submission_data(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sender_kind": SenderKind.RELATIVE,
        "urgency": Urgency.SOON,
        "body": BODY,
        "consent": Consent.ANONYMOUS,
        "reply_by": ReplyBy.RECEIPT,
        "place_text": "",
        "sender_name": "",
        "contact": "",
    }
    data.update(fields)
    if "place" not in data and not data["place_text"]:
        data["place"] = PlaceFactory()
    return data


def make_submission(**fields: Any) -> tuple[Submission, str]:
    """A submission through `submission_create`; returns it and its receipt."""
    return services.submission_create(**submission_data(**fields))


def pdf(name: str = "letter.pdf", text: str = "a letter from the prison") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + text.encode() + b"\n%%EOF\n", "application/pdf")


def photo(name: str = "cell.jpg", *, exif_text: str = "Canon EOS, GPS 48.85N 2.35E") -> Any:
    """A small JPEG with EXIF metadata (camera, place) that must not survive."""
    from PIL import Image

    image = Image.new("RGB", (32, 24), (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F] = exif_text  # Make
    exif[0x0132] = "2026:01:02 03:04:05"  # DateTime
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")
