"""What a file is (from its first bytes, never from the client's label) and an image's size and thumbnail."""

from __future__ import annotations

import io
from typing import NamedTuple

import filetype
from PIL import Image, ImageOps

# The images browsers show inline and Pillow reads; anything else, SVG included, is a download.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
SNIFF_BYTES = 8192
THUMBNAIL_SIDE = 400
# A decompression bomb (a small file that decodes to gigapixels) is refused before it is decoded.
Image.MAX_IMAGE_PIXELS = 50_000_000


def sniff(head: bytes) -> str:
    """The content type the bytes' magic numbers say, `application/octet-stream` when they say nothing."""
    kind = filetype.guess(head)
    return kind.mime if kind is not None else "application/octet-stream"


class Thumbnail(NamedTuple):
    width: int
    height: int
    data: bytes
    content_type: str


def thumbnail(data: bytes) -> Thumbnail | None:
    """The image's displayed size and a thumbnail (longest side 400 px, EXIF orientation applied, no metadata).

    None when Pillow cannot decode it: a file whose magic numbers lie is kept as a plain download.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            width, height = upright.size
            upright.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            has_alpha = upright.mode in ("RGBA", "LA", "P")
            converted = upright.convert("RGBA" if has_alpha else "RGB")
            output = io.BytesIO()
            # Saved from pixels alone: no EXIF, GPS or comments are carried over.
            if has_alpha:
                converted.save(output, format="PNG", optimize=True)
                return Thumbnail(width, height, output.getvalue(), "image/png")
            converted.save(output, format="JPEG", quality=85)
            return Thumbnail(width, height, output.getvalue(), "image/jpeg")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
