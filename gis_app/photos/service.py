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
        raise AppError(_("The photo is larger than %(mb)d MB.", mb=limit // 1_000_000), field=field, status=413,
                       code="PayloadTooLarge")
    if not content:
        raise AppError(_("The photo is empty."), field=field)
    return content


def _decode(content: bytes, field: str) -> Image.Image:
    """Open and fully decode the image; its size is checked from the header before any pixel is decoded."""
    not_an_image = AppError(_("The file is not a JPEG, PNG or WebP image."), field=field, status=415,
                            code="UnsupportedMediaType")
    too_many_pixels = AppError(_("The image has too many pixels."), field=field, status=422, code="ImageTooLarge")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.format not in FORMATS:
                raise not_an_image
            width, height = image.size
            if width * height > current_app.config["PHOTO_MAX_PIXELS"]:
                raise too_many_pixels
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise not_an_image from None
    return image


def _without_metadata(image: Image.Image) -> Image.Image:
    """Copy only the pixels (after applying the EXIF orientation), so no EXIF, GPS or text chunk survives."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA" if "transparency" in image.info or upright.mode == "P" else "RGB")
    return Image.frombytes(upright.mode, upright.size, upright.tobytes())


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
    photo = Photo(sha256=checksum, content_type=FORMATS[image_format], width=clean.width, height=clean.height,
                  size_bytes=len(data), data=data, thumbnail=_thumbnail(clean),
                  created_by_id=current_user.id if current_user and current_user.is_authenticated else None)
    db.session.add(photo)
    db.session.flush()
    return photo
