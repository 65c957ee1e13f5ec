"""Photos: decoded to check them, bombs refused, EXIF (GPS too) stripped, thumbnail and checksum, staff only."""

import hashlib
import io

import pytest
from PIL import Image, ImageFile

from gis_app.errors import AppError
from gis_app.extensions import db
from gis_app.photos.models import Photo
from gis_app.photos.service import save_photo

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (63.0, 10.0, 36.0), 3: "E", 4: (14.0, 38.0, 14.0)})
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 40, 40)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def save(app, content: bytes) -> Photo:
    with app.test_request_context():
        photo = save_photo(io.BytesIO(content))
        db.session.commit()
        return db.session.get(Photo, photo.id)


def test_exif_and_gps_are_stripped_and_a_thumbnail_made(app, app_context):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    photo = save(app, original)
    stored = Image.open(io.BytesIO(photo.data))
    assert not stored.getexif() and "exif" not in stored.info
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()
    assert (photo.width, photo.height, photo.content_type) == (800, 600, "image/jpeg")
    assert max(Image.open(io.BytesIO(photo.thumbnail)).size) == 320


@pytest.mark.parametrize("image_format,mode", [("PNG", "RGBA"), ("WEBP", "RGB"), ("PNG", "P")])
def test_png_and_webp_are_accepted(app, app_context, image_format, mode):
    out = io.BytesIO()
    Image.new(mode, (50, 40)).save(out, format=image_format)
    assert save(app, out.getvalue()).width == 50


def test_the_same_photo_twice_is_stored_once(app, app_context):
    content = jpeg_with_gps()
    assert save(app, content).id == save(app, content).id
    assert db.session.query(Photo).count() == 1


def rejected(app, content: bytes) -> AppError:
    with app.test_request_context(), pytest.raises(AppError) as error:
        save_photo(io.BytesIO(content))
    return error.value


def test_bad_files_get_a_4xx_and_nothing_is_stored(app, app_context, monkeypatch):
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, format="PNG")  # about 50 kB on disk, 400 megapixels decoded
    assert len(bomb.getvalue()) < 200_000
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    cases = {
        b"%PDF-1.4 not an image": 415,
        b"": 400,
        bomb.getvalue(): 422,
        gif.getvalue(): 415,
        jpeg_with_gps()[:300]: 415,
    }
    for content, status in cases.items():
        error = rejected(app, content)
        assert error.status == status and error.field == "photo"
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1000)
    assert rejected(app, jpeg_with_gps()).status == 413
    assert db.session.query(Photo).count() == 0


def test_only_staff_see_photos(app, app_context, client, client_as):
    photo = save(app, jpeg_with_gps())
    assert client.get(f"/photos/{photo.id}").status_code == 302  # to the login page
    staff = client_as("field_staff")
    response = staff.get(f"/photos/{photo.id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg" and response.data == photo.data
    assert staff.get(f"/photos/{photo.id}/thumbnail").mimetype == "image/jpeg"
    assert staff.get("/photos/999999").status_code == 404


def _large(image_format: str, side: int = 7000) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (30, 60, 90)).save(out, format=image_format)
    return out.getvalue()


def test_decoding_is_bounded_in_memory_not_only_in_pixels(app, app_context, monkeypatch):
    """A 7000 x 7000 image is under the pixel limit but would take 147 MB decoded (and copies of it)."""
    png, jpeg = _large("PNG"), _large("JPEG")
    assert len(png) < 500_000
    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append((self.size, self.mode)) or real_load(self)
    )
    error = rejected(app, png)  # cannot be decoded scaled down: refused from its header
    assert error.status == 422 and error.field == "photo"
    assert not [size for size, _mode in decoded if size == (7000, 7000)]
    decoded.clear()
    photo = save(app, jpeg)  # decoded at half scale, so at most 3500 x 3500 x 3 bytes
    assert max(size[0] * size[1] for size, _mode in decoded) <= 3500 * 3500
    assert (photo.width, photo.height) == (3500, 3500)
    assert db.session.query(Photo).count() == 1
