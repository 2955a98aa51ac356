"""Photographs (¶15): JPEG or PNG by content, metadata stripped, sealed, team only."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from habeas.core.models import AuditEvent
from habeas.visits.models import Photo
from habeas.visits.photos import photo_open, photo_upload
from habeas.visits.tests.test_interviews_builders import field_world, image_bytes

pytestmark = pytest.mark.django_db


def _upload(world, content: bytes, name="cell.jpg", actor=None, **extra):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return photo_upload(actor=actor or world.monitor, visit=world.visit, upload=upload, **extra)


def test_the_sample_really_carries_gps_metadata():
    with Image.open(io.BytesIO(image_bytes())) as original:
        assert original.getexif().get_ifd(0x8825)
        assert original.info.get("comment") == b"secret comment"


def test_it_strips_exif_gps_and_comments_and_seals_the_picture(personas):
    world = field_world(personas)
    photo = _upload(world, image_bytes(), caption="Cell 12, broken window")
    raw = bytes(Photo.objects.values_list("content", flat=True).get(pk=photo.pk))
    assert b"CanaryCam" not in raw and not raw.startswith(b"\xff\xd8")
    clean = photo_open(actor=world.monitor, photo=photo)
    assert b"CanaryCam" not in clean and b"Model-SN" not in clean and b"secret" not in clean
    with Image.open(io.BytesIO(clean)) as stripped:
        assert stripped.format == "JPEG" and stripped.size == (32, 24)
        assert not stripped.getexif() and "comment" not in stripped.info
    assert photo_open(actor=world.monitor, photo=photo, what="caption") == (
        b"Cell 12, broken window"
    )
    assert AuditEvent.objects.filter(action="visits.photo.read").count() == 2


def test_it_strips_png_text(personas):
    world = field_world(personas)
    photo = _upload(world, image_bytes("PNG"), name="x.png")
    assert photo.content_type == "image/png"
    assert b"secret comment" not in photo_open(actor=world.monitor, photo=photo)


def test_it_refuses_what_is_not_an_image_whatever_its_name(personas):
    world = field_world(personas)
    with pytest.raises(ValidationError):
        _upload(world, b"<html><script>alert(1)</script></html>", name="cell.jpg")
    with pytest.raises(ValidationError):
        _upload(world, b"\xff\xd8\xff" + b"\x00" * 64)  # a JPEG header, no picture
    assert not Photo.objects.exists()


def test_it_refuses_a_file_over_the_limit(personas, settings):
    settings.HABEAS_UPLOAD_MAX_BYTES = 100
    world = field_world(personas)
    with pytest.raises(ValidationError) as refused:
        _upload(world, image_bytes())
    assert "too large" in str(refused.value)


@pytest.mark.parametrize("who", ["doctor", "comms", "outsider"])
def test_it_keeps_photographs_to_the_team(personas, who):
    world = field_world(personas)
    photo = _upload(world, image_bytes())
    with pytest.raises(PermissionDenied):
        photo_open(actor=personas[who], photo=photo)
    with pytest.raises(PermissionDenied):
        _upload(world, image_bytes(), actor=personas[who])
