"""Turning an uploaded picture into the square photos the site shows (no Flask here).

The type is decided by decoding the content with Pillow, never by the file's name or
the browser's word for it: only JPEG, PNG and WebP decoders are tried. What is kept is
the pixels alone, turned upright (EXIF orientation) and into sRGB; EXIF (GPS, camera,
times), XMP, comments and colour profiles are left behind.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
# 40 megapixels: more than a phone's photo, and about 160 MB once decoded; a small file
# that claims more is a decompression bomb.
MAX_PIXELS = 40_000_000
# Square sizes made of each photo (pixels a side): cards, profile, large screens.
SIZES = (64, 160, 480)
FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPE = "image/webp"
EXTENSION = "webp"

NOT_A_PHOTO = "This file is not a JPEG, PNG or WebP picture. Choose a photo in one of those."
DAMAGED = "This picture could not be read to the end; it may be damaged. Try another file."
TOO_LARGE = f"This file is larger than {MAX_BYTES // (1024 * 1024)} MB. Choose a smaller photo."


class PhotoRefused(ValueError):
    """The upload is not a photo we keep; the message says why, for the person."""


@dataclass(frozen=True)
class Photo:
    sizes: dict[int, bytes]  # side in pixels -> WebP file


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow warns between its own limit and twice that; here both refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PhotoRefused(_too_many_pixels()) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise PhotoRefused(NOT_A_PHOTO) from error
    if image.width * image.height > MAX_PIXELS:
        raise PhotoRefused(_too_many_pixels())
    return image


def _too_many_pixels() -> str:
    return (
        f"This picture has too many pixels (at most {MAX_PIXELS // 1_000_000} megapixels): "
        "save a smaller copy and choose that."
    )


def _upright_srgb(image: Image.Image) -> Image.Image:
    """The pixels turned as the camera meant, in sRGB, RGB or RGBA, without metadata."""
    if image.format == "JPEG":
        # Decode at a reduced scale when the photo is far larger than we keep: less
        # memory and time for a 40 MP picture.
        image.draft("RGB", (max(SIZES) * 2, max(SIZES) * 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image.load()
    upright = ImageOps.exif_transpose(image) or image
    profile = image.info.get("icc_profile")
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    pixels = upright.convert("RGBA" if has_alpha else "RGB")
    if profile:
        # A broken profile: the pixels as they are.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError):
            pixels = ImageCms.profileToProfile(
                pixels,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode=pixels.mode,
            )
    # A fresh image holds only the pixels: nothing of `info` (EXIF, XMP, text) follows.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    return clean


def make_photo(data: bytes) -> Photo:
    """The sizes of a photo from an uploaded file, or PhotoRefused with the reason."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused(TOO_LARGE)
    if not data:
        raise PhotoRefused("This file is empty. Choose a photo.")
    image = _open(data)
    try:
        pixels = _upright_srgb(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRefused(_too_many_pixels()) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoRefused(DAMAGED) from error
    finally:
        image.close()
    sizes = {}
    for side in SIZES:
        square = ImageOps.fit(pixels, (side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        square.save(out, "WEBP", quality=82, method=4)
        sizes[side] = out.getvalue()
    return Photo(sizes)
