"""Memory photos: checked, re-encoded and served only through short-lived signed URLs.

An upload is refused with a clear 400 when it is too large, not an image we accept (JPEG, PNG,
WebP, HEIF is not decoded), a decompression bomb (more pixels than MEMORY_PHOTO_MAX_PIXELS, checked
from the header before decoding) or truncated. Accepted images are decoded, turned upright (EXIF
orientation), and re-encoded as a fresh JPEG without any metadata (no EXIF: no GPS position, no
camera serial), plus a thumbnail. The stored keys are random; the storage is private (the
filesystem outside any served path on the embedded default, a private S3 bucket in production).
"""

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 2048
THUMBNAIL_SIDE = 320
_SALT = "dates.memory-photo"


@dataclass(frozen=True)
class Processed:
    photo: ContentFile
    thumbnail: ContentFile


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"photo": ValidationError(message, code=code)})


def process_upload(upload: Any) -> Processed:
    """The re-encoded photo and its thumbnail, or a ValidationError naming what is wrong."""
    if upload.size > settings.MEMORY_PHOTO_MAX_BYTES:
        raise _refuse(
            _("The photo is larger than %(mb)d MB.") % {"mb": settings.MEMORY_PHOTO_MAX_BYTES // (1024 * 1024)},
            "too_large",
        )
    data = upload.read(settings.MEMORY_PHOTO_MAX_BYTES + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise _refuse(_("Send a JPEG, PNG or WebP image."), "unsupported_type")
            width, height = image.size
            if width * height > settings.MEMORY_PHOTO_MAX_PIXELS:
                raise _refuse(_("The image has too many pixels."), "too_many_pixels")
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("The image has too many pixels."), "too_many_pixels") from None
    except UnidentifiedImageError:
        raise _refuse(_("Send a JPEG, PNG or WebP image."), "unsupported_type") from None
    except (OSError, SyntaxError, ValueError):  # truncated or corrupt data
        raise _refuse(_("The image is damaged or incomplete."), "damaged_image") from None
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = upright.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return Processed(photo=ContentFile(_jpeg(upright), "photo.jpg"), thumbnail=ContentFile(_jpeg(thumb), "thumb.jpg"))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # A new image with only pixels: Pillow writes no EXIF, ICC or XMP unless asked to.
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def signed_url(*, memory_id: Any, variant: str, name: str, request: Any) -> str | None:
    """A URL to the photo (or thumbnail) valid for MEMORY_PHOTO_URL_SECONDS.

    With a storage that presigns its own URLs (S3 in production) that URL; otherwise one of our
    own view with a signed, expiring token (django.core.signing). None when there is no photo."""
    if not name:
        return None
    from dates.models import DateMemory

    storage = DateMemory._meta.get_field("photo").storage
    if getattr(storage, "querystring_auth", False):
        return storage.url(name)
    token = signing.dumps({"m": str(memory_id), "v": variant}, salt=_SALT, compress=True)
    return request.build_absolute_uri(reverse("date-memory-photo", kwargs={"token": token}))


def unsign(token: str) -> tuple[str, str] | None:
    """(memory id, variant) of a valid, unexpired token; None otherwise."""
    try:
        value = signing.loads(token, salt=_SALT, max_age=settings.MEMORY_PHOTO_URL_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(value, dict) or value.get("v") not in {"photo", "thumbnail"}:
        return None
    return str(value.get("m")), str(value["v"])
