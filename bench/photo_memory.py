"""Peak memory of one process checking four 7000 x 7000 uploads: python bench/photo_memory.py PNG|JPEG.

Runs the photo service's decode, metadata removal, encoding and thumbnail (what save_photo does before it
writes to the database) and prints the peak resident set size. The upload is made by a child process first,
so making it does not count.
"""

import resource
import subprocess
import sys
import tempfile
from pathlib import Path

MAKE = (
    "import sys; from PIL import Image; "
    "Image.new('RGB', (7000, 7000), (30, 60, 90)).save(sys.argv[1], format=sys.argv[2])"
)


def upload(image_format: str) -> bytes:
    path = Path(tempfile.gettempdir()) / f"bench-7000.{image_format.lower()}"
    if not path.exists():
        subprocess.run([sys.executable, "-c", MAKE, str(path), image_format], check=True)
    return path.read_bytes()


def main(image_format: str) -> None:
    from gis_app import create_app
    from gis_app.errors import AppError
    from gis_app.photos import service

    content = upload(image_format)
    app = create_app({"SECRET_KEY": "bench"})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with app.test_request_context():
        for _ in range(4):
            try:
                image = service._decode(content, "photo")
                clean = service._without_metadata(image)
                service._encode(clean, image.format)
                service._thumbnail(clean)
                outcome = f"stored at {clean.width} x {clean.height}"
            except AppError as error:
                outcome = f"refused {error.status}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{image_format} {len(content) // 1000} kB x4: {outcome}; peak RSS {peak // 1024} MB "
        f"(before the uploads {before // 1024} MB)"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "PNG")
