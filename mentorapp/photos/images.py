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
# A small file that claims more pixels than these is a decompression bomb. A JPEG is
# decoded at a reduced scale (draft), so 40 MP costs little; PNG and WebP are decoded
# whole, about 12 MB per megapixel at the peak (bench/photos.py), so they get less.
MAX_PIXELS = 40_000_000
MAX_PIXELS_DECODED_WHOLE = 16_000_000
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
    if image.width * image.height > _pixel_limit(image.format):
        raise PhotoRefused(_too_many_pixels(image.format))
    return image


def _pixel_limit(format_: str | None) -> int:
    return MAX_PIXELS if format_ == "JPEG" else MAX_PIXELS_DECODED_WHOLE


def _too_many_pixels(format_: str | None = None) -> str:
    most = f"at most {MAX_PIXELS // 1_000_000} megapixels for a JPEG, " + (
        f"{MAX_PIXELS_DECODED_WHOLE // 1_000_000} for a PNG or WebP"
    )
    return f"This picture has too many pixels ({most}): save a smaller copy and choose that."


def _upright_srgb(image: Image.Image) -> Image.Image:
    """The pixels turned as the camera meant, in sRGB, RGB or RGBA, without metadata."""
    if image.format == "JPEG":
        # Decode at a reduced scale when the photo is far larger than we keep: less
        # memory and time for a 40 MP picture.
        image.draft("RGB", (max(SIZES) * 2, max(SIZES) * 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image.load()
    profile = image.info.get("icc_profile")
    # Shrink by a whole factor first (the largest size is still made from twice its
    # pixels), so the copies below are small. `reduce` keeps `info`, EXIF's turn with it.
    factor = min(image.size) // (max(SIZES) * 2)
    if factor >= 2:
        image = image.reduce(factor)
    upright = ImageOps.exif_transpose(image) or image
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
