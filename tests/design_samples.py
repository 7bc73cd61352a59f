"""Small, real design files for the tests: one of each kind, and the bad ones."""

import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100mm" height="60mm" viewBox="0 0 100 60">'
    b'<rect x="1" y="1" width="98" height="58" fill="none" stroke="red" stroke-width="0.1"/>'
    b"</svg>\n"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DXF = (
    b"0\nSECTION\n2\nENTITIES\n0\nLINE\n8\n0\n10\n0.0\n20\n0.0\n11\n10.0\n21\n0.0\n"
    b"0\nENDSEC\n0\nEOF\n"
)
STL_ASCII = (
    b"solid cube\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n"
    b"   vertex 0 1 0\n  endloop\n endfacet\nendsolid cube\n"
)


def stl_binary(triangles: int = 2) -> bytes:
    header = b"binary stl".ljust(80, b" ")
    return header + struct.pack("<I", triangles) + b"\x00" * 50 * triangles


def three_mf(*, with_model: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_model:
            archive.writestr("3D/3dmodel.model", "<model/>")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def svg_with(body: bytes, *, prolog: bytes = b"") -> bytes:
    opening = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    return prolog + opening + body + b"</svg>"
