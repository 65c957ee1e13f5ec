"""Check an uploaded image by decoding it, refuse bombs, strip all metadata, make a thumbnail, store it once."""

import hashlib
import io
import warnings

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from gis_app.errors import AppError
from gis_app.extensions import db
from gis_app.photos.models import Photo

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)


def _read_limited(stream, field: str) -> bytes:
    limit = current_app.config["PHOTO_MAX_BYTES"]
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise AppError(
            _("The photo is larger than %(mb)d MB.", mb=limit // 1_000_000),
            field=field,
            status=413,
            code="PayloadTooLarge",
        )
    if not content:
        raise AppError(_("The photo is empty."), field=field)
    return content


# Photos are stored at most this many pixels on their long side: enough for any screen or A4 print, and what
# keeps every later step (orientation, metadata removal, encoding) small.
STORED_MAX_SIDE = 4096
# Bytes a decoded pixel takes in each mode Pillow decodes into (P and 1 are counted as the RGBA they become).
BYTES_PER_PIXEL = {
    "1": 4,
    "L": 1,
    "LA": 2,
    "P": 4,
    "RGB": 3,
    "RGBA": 4,
    "CMYK": 4,
    "YCbCr": 3,
    "I;16": 2,
    "I": 4,
    "F": 4,
}


def _decoded_bytes(image: Image.Image) -> int:
    """How much memory decoding the image at its current (possibly drafted) size takes."""
    width, height = image.size
    return width * height * BYTES_PER_PIXEL.get(image.mode, 8)


def _decode(content: bytes, field: str) -> Image.Image:
    """Open and decode the image within the pixel and memory limits, both checked from the header before any
    pixel is decoded; a JPEG larger than it will be stored is decoded already scaled down (draft)."""
    not_an_image = AppError(
        _("The file is not a JPEG, PNG or WebP image."), field=field, status=415, code="UnsupportedMediaType"
    )
    too_many_pixels = AppError(_("The image has too many pixels."), field=field, status=422, code="ImageTooLarge")
    config = current_app.config
    Image.MAX_IMAGE_PIXELS = config["PHOTO_MAX_PIXELS"]  # Pillow's own bomb check, at the same limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.format not in FORMATS:
                raise not_an_image
            width, height = image.size
            if width * height > config["PHOTO_MAX_PIXELS"]:
                raise too_many_pixels
            if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale, keeping at least half the stored size
                image.draft(image.mode, (STORED_MAX_SIDE // 2, STORED_MAX_SIDE // 2))
            if _decoded_bytes(image) > config["PHOTO_MAX_DECODED_BYTES"]:
                raise too_many_pixels
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise not_an_image from None
    return image


def _without_metadata(image: Image.Image) -> Image.Image:
    """Only the pixels, upright by the EXIF orientation and at most STORED_MAX_SIDE, so no EXIF, GPS or text
    chunk survives; the image shrinks (in place) before any copy is made, to keep memory small."""
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA" if "transparency" in image.info or upright.mode == "P" else "RGB")
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    return clean


def _encode(image: Image.Image, image_format: str) -> bytes:
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=image_format, quality=88)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    if small.mode in ("RGBA", "LA"):
        background = Image.new("RGB", small.size, "white")
        background.paste(small, mask=small.getchannel("A"))
        small = background
    return _encode(small.convert("RGB"), "JPEG")


def save_photo(stream, field: str = "photo") -> Photo:
    """Check and store an uploaded photo in the current transaction; the same image twice is stored once."""
    image = _decode(_read_limited(stream, field), field)
    image_format = image.format
    clean = _without_metadata(image)
    data = _encode(clean, image_format)
    checksum = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(select(Photo).where(Photo.sha256 == checksum))
    if existing:
        return existing
    photo = Photo(
        sha256=checksum,
        content_type=FORMATS[image_format],
        width=clean.width,
        height=clean.height,
        size_bytes=len(data),
        data=data,
        thumbnail=_thumbnail(clean),
        created_by_id=current_user.id if current_user and current_user.is_authenticated else None,
    )
    db.session.add(photo)
    db.session.flush()
    return photo
