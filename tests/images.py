"""Pictures made in memory for upload tests: encoded bytes, uploads, and what landed on disk."""

import io
import os
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from catalog.models import Product

RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS = ExifTags.IFD.GPSInfo


def encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def jpeg(size=(1200, 800), color=RED, **options) -> bytes:
    return encode(Image.new("RGB", size, color), "JPEG", **options)


def png(size=(1200, 800), mode="RGB", color=RED, **options) -> bytes:
    return encode(Image.new(mode, size, color), "PNG", **options)


def noisy_jpeg(size=(300, 200)) -> bytes:
    """Random pixels compress badly, so the file is long enough to cut in half."""
    pixels = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    return encode(pixels, "JPEG", quality=90)


def truncated_jpeg() -> bytes:
    whole = noisy_jpeg()
    return whole[: len(whole) // 2]


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def gps_exif() -> Image.Exif:
    """EXIF as a phone writes it: a maker, and where the picture was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(GPS)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (32.0, 17.0, 55.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (90.0, 12.0, 30.0)
    return exif


def files_in(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def cutting_board(producer, **fields) -> Product:
    """A published product to hang pictures on, made straight in the ORM."""
    defaults = {
        "title": "Cutting board",
        "slug": "cutting-board",
        "price": "25.00",
        "status": "published",
    }
    return Product.objects.create(producer=producer, **{**defaults, **fields})
