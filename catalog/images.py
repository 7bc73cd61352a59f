"""Product pictures: judge an upload by its content, then re-encode it without metadata.

Pure Pillow, no storage and no database: `prepare_image` either returns the bytes
to store or raises a `ValidationError` saying why the upload is refused.

- Accepted: JPEG, PNG and WebP, recognised from the bytes, never from the file's
  name or declared content type.
- Refused: files over 10 MB, images over 40 megapixels (checked from the header,
  before any pixel is decoded), truncated or corrupt files.
- The EXIF orientation is applied to the pixels, then every piece of metadata
  (EXIF with GPS, XMP, comments, text chunks, ICC profiles) is left behind:
  the output is encoded from bare pixels.
- Main image: at most 2000 px on its long side; JPEG (quality 85) when opaque,
  PNG when it has real transparency, so the master copy stays readable by
  anything (mail clients, feeds, printers) while the WebP renditions carry the
  weight on web pages.
- Renditions: WebP, 320 and 960 px wide, never wider than the main image; an
  image narrower than 320 px gets one rendition at its own width.
"""

import io
import struct
import warnings
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000
RENDITION_WIDTHS = (320, 960)
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
WEBP_QUALITY = 80

# What Pillow raises on bytes it cannot decode: truncated data, broken chunks,
# bad headers, oversized text chunks.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass(frozen=True)
class PreparedImage:
    main: bytes
    extension: str  # "jpg" or "png"
    width: int
    height: int
    # (WebP bytes, width, height), narrowest first.
    renditions: list[tuple[bytes, int, int]] = field(default_factory=list)
    source_format: str = ""  # what the content turned out to be: JPEG, PNG or WEBP


def refuse(message: str) -> ValidationError:
    return ValidationError({"image": message})


def prepare_image(upload) -> PreparedImage:
    """Check and re-encode an uploaded picture. Raises `ValidationError({"image": ...})`."""
    size = getattr(upload, "size", None)
    if size is None:
        raise refuse("The upload has no size; send the picture as a file.")
    if size > MAX_UPLOAD_BYTES:
        raise refuse(f"The file is {size / 1024 / 1024:.1f} MB; pictures may be 10 MB at most.")
    if size == 0:
        raise refuse("The file is empty.")

    image, source_format = _decode(upload)
    image, has_alpha = _to_srgb(image)
    image = _fit(image, MAX_SIDE)

    # Bare pixels only: the encoders copy some keys (comment, ICC profile,
    # transparency) from `info` unless told otherwise.
    image.info = {}
    if has_alpha:
        main, extension = _encode(image, "PNG", compress_level=6), "png"
    else:
        main = _encode(image, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = "jpg"

    renditions = []
    for width in rendition_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        resized.info = {}
        renditions.append((_encode(resized, "WEBP", quality=WEBP_QUALITY), width, height))

    return PreparedImage(
        main=main,
        extension=extension,
        width=image.width,
        height=image.height,
        renditions=renditions,
        source_format=source_format,
    )


def rendition_widths(width: int) -> list[int]:
    """Target widths no wider than the image; at least one, its own if it is narrow."""
    return [w for w in RENDITION_WIDTHS if w <= width] or [width]


def _decode(upload) -> tuple[Image.Image, str]:
    """Open, check the pixel count, decode fully and apply the EXIF orientation."""
    upload.seek(0)
    try:
        # Pillow only warns between its own limit and twice that; make the
        # warning an error so such files are refused like the bigger ones.
        # The filter is scoped to this block (and harmless if it outlived it).
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=ACCEPTED_FORMATS)
        source_format = "JPEG" if image.format == "MPO" else image.format
        if image.width * image.height > MAX_PIXELS:
            megapixels = image.width * image.height / 1_000_000
            raise refuse(
                f"The picture is {image.width}×{image.height} px ({megapixels:.0f} megapixels); "
                "pictures may be 40 megapixels at most."
            )
        # JPEG can decode at 1/2, 1/4 or 1/8 scale for free; never below MAX_SIDE.
        image.draft(image.mode, (MAX_SIDE, MAX_SIDE))
        # Decoding every pixel is what reveals a truncated or corrupt file.
        image.load()
        return ImageOps.exif_transpose(image), source_format
    except UnidentifiedImageError:
        raise refuse("The file is not a JPEG, PNG or WebP picture.") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse("The picture has too many pixels; 40 megapixels at most.") from None
    except DECODE_ERRORS:
        raise refuse("The picture is truncated or corrupt; please export it again.") from None


def _to_srgb(image: Image.Image) -> tuple[Image.Image, bool]:
    """RGB, or RGBA when some pixel is actually see-through; colours moved to sRGB."""
    if image.mode.startswith("I"):
        # 16-bit greys: a plain conversion clips everything above 255 to white.
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    has_alpha = image.has_transparency_data
    mode = "RGBA" if has_alpha else "RGB"
    # Palettes and transparency keys become real alpha here; CMYK and grey stay
    # as they are so that their own ICC profile can still be applied below.
    if image.mode != mode and (has_alpha or image.mode not in ("CMYK", "L")):
        image = image.convert(mode)

    # Dropping an ICC profile (Display P3 from phones, CMYK from print work)
    # without converting would shift the colours, so convert to sRGB first.
    icc = image.info.get("icc_profile")
    converted = None
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # an unusable profile: fall back to the plain conversion
    image = converted if converted is not None else image.convert(mode)

    if has_alpha and image.getchannel("A").getextrema()[0] == 255:
        image, has_alpha = image.convert("RGB"), False
    return image, has_alpha


def _fit(image: Image.Image, side: int) -> Image.Image:
    if max(image.size) <= side:
        return image
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.LANCZOS)


def _encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()
