"""Memories of a date: rating, note, photo; uploads checked, re-encoded, served only by signed URL."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dates.models import DateMemory
from tests.dates.helpers import make_plan, url

GPS_IFD = 0x8825


def _jpeg_with_gps(size=(1200, 800)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _png(size=(64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


def _upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def past_date(couple, me_user):
    return make_plan(couple, me_user, status="accepted", on=datetime.now(UTC).date() - timedelta(days=1))


@pytest.fixture(autouse=True)
def _media(tmp_path, monkeypatch):
    """Photos of this test in its own directory (the field's storage is resolved once, at import)."""
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=str(tmp_path))
    for name in ("photo", "thumbnail"):
        monkeypatch.setattr(DateMemory._meta.get_field(name), "storage", storage)


def test_a_memory_with_a_photo_is_re_encoded_without_exif_and_has_a_thumbnail(me, anon, past_date, me_user):
    response = me.post(
        url(past_date, "memory"),
        {"rating": 5, "note": "Best pasta ever", "photo": _upload(_jpeg_with_gps())},
        format="multipart",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rating"], body["note"], body["author"]) == (5, "Best pasta ever", str(me_user.pk))
    photo = anon.get(body["photo_url"])
    thumb = anon.get(body["thumbnail_url"])
    assert photo.status_code == thumb.status_code == 200
    stored = Image.open(io.BytesIO(b"".join(photo.streaming_content)))
    assert stored.format == "JPEG"
    assert stored.size == (1200, 800)
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert max(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size) == 320


def test_the_partner_sees_the_memory_in_the_date(me, partner, past_date):
    me.post(url(past_date, "memory"), {"rating": 4, "note": "Lovely"}, format="json")
    (memory,) = partner.get(url(past_date)).json()["memories"]
    assert (memory["rating"], memory["note"], memory["photo_url"]) == (4, "Lovely", None)


def test_saving_again_edits_the_one_memory(me, past_date):
    me.post(url(past_date, "memory"), {"rating": 2}, format="json")
    me.post(url(past_date, "memory"), {"note": "Better on second thought", "rating": 4}, format="json")
    memory = DateMemory.objects.get()
    assert (memory.rating, memory.note) == (4, "Better on second thought")


def test_a_memory_before_the_date_is_a_409(me, me_user, couple):
    plan = make_plan(couple, me_user, status="accepted")
    response = me.post(url(plan, "memory"), {"rating": 5}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["current_status"] == "accepted"


@pytest.mark.parametrize("rating", [0, 6, "x"])
def test_a_rating_outside_one_to_five_is_a_400(me, past_date, rating):
    assert me.post(url(past_date, "memory"), {"rating": rating}, format="json").status_code == 400


def _refused(me, plan, upload) -> str:
    response = me.post(url(plan, "memory"), {"photo": upload}, format="multipart")
    assert response.status_code == 400, response.content
    assert not DateMemory.objects.exists()
    return response.json()["error"]["fields"]["photo"][0]["code"]


def test_an_oversize_upload_is_refused(me, past_date, settings):
    settings.MEMORY_PHOTO_MAX_BYTES = 10_000
    assert _refused(me, past_date, _upload(_jpeg_with_gps((2000, 2000)))) == "too_large"


def test_a_wrong_type_is_refused(me, past_date):
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    assert _refused(me, past_date, _upload(gif.getvalue(), "a.gif", "image/gif")) == "unsupported_type"
    assert _refused(me, past_date, _upload(b"%PDF-1.4 not an image", "a.jpg")) == "unsupported_type"


def test_a_decompression_bomb_is_refused_before_it_is_decoded(me, past_date, settings):
    settings.MEMORY_PHOTO_MAX_PIXELS = 1_000_000
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, format="PNG")  # 400 megapixels in a few dozen KB
    assert len(bomb.getvalue()) < 100_000
    assert _refused(me, past_date, _upload(bomb.getvalue(), "bomb.png", "image/png")) == "too_many_pixels"


def test_a_truncated_image_is_refused(me, past_date):
    data = _jpeg_with_gps()
    assert _refused(me, past_date, _upload(data[: len(data) // 2])) == "damaged_image"


def test_photo_urls_expire_and_cannot_be_forged(me, anon, past_date, settings):
    body = me.post(url(past_date, "memory"), {"photo": _upload(_png())}, format="multipart").json()
    link = body["photo_url"]
    token = link.rsplit("/", 1)[1]
    assert anon.get(f"/api/v1/date-memory-photos/{token[:-2]}xx").status_code == 404
    assert anon.get("/api/v1/date-memory-photos/not-a-token").status_code == 404
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=settings.MEMORY_PHOTO_URL_SECONDS + 5)):
        assert anon.get(link).status_code == 404


def test_a_photo_is_not_served_after_the_couple_ended(me, anon, past_date, couple):
    from couples.services import couple_unpair

    link = me.post(url(past_date, "memory"), {"photo": _upload(_png())}, format="multipart").json()["photo_url"]
    couple_unpair(user=me.user)
    assert anon.get(link).status_code == 404


def test_another_couple_cannot_add_or_see_memories(stranger, me, past_date):
    me.post(url(past_date, "memory"), {"photo": _upload(_png())}, format="multipart")
    assert stranger.post(url(past_date, "memory"), {"rating": 1}, format="json").status_code == 404
    assert stranger.get(url(past_date)).status_code == 404


def test_the_memory_is_exported_and_deleted_with_its_author_photo_included(
    me, past_date, me_user, tmp_path, django_capture_on_commit_callbacks
):
    me.post(url(past_date, "memory"), {"rating": 5, "note": "ours", "photo": _upload(_png())}, format="multipart")
    export = me.get("/api/v1/me/export").json()
    assert [(m["note"], m["has_photo"]) for m in export["date_memories"]] == [("ours", True)]
    assert len(list(tmp_path.rglob("*.jpg"))) == 2
    with django_capture_on_commit_callbacks(execute=True):
        me_user.delete()
    assert not DateMemory.objects.exists()
    assert list(tmp_path.rglob("*.jpg")) == []
