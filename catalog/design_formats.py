"""What a design file really is, judged by its bytes, never by its name.

`sniff_design` returns the kind of file the content is (svg, dxf, stl, 3mf, pdf) or
raises a `ValidationError` saying why it is refused. An SVG is parsed with expat,
refusing entity declarations (no "billion laughs", no external entities), and
refused outright when it could run anything: scripts, event handlers,
`javascript:` addresses, embedded HTML.
"""

import io
import re
import struct
import zipfile
from xml.parsers import expat

from django.core.exceptions import ValidationError

from catalog.models import DesignKind

EXTENSIONS = {
    "svg": DesignKind.SVG,
    "dxf": DesignKind.DXF,
    "stl": DesignKind.STL,
    "3mf": DesignKind.THREE_MF,
    "pdf": DesignKind.PDF,
}
WORDS = {
    DesignKind.SVG: "an SVG drawing",
    DesignKind.DXF: "a DXF drawing",
    DesignKind.STL: "an STL model",
    DesignKind.THREE_MF: "a 3MF model",
    DesignKind.PDF: "a PDF",
}
SVG_NS = "http://www.w3.org/2000/svg"
# Elements that run code or embed a page, in any namespace.
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "handler", "iframe", "embed", "object"}
# Address schemes that run code when followed.
_SCRIPT_SCHEME = re.compile(r"(java|vb)script:|data:text/html", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\s\x00-\x1f]+")


def refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def kind_for_name(name: str) -> str:
    """The kind a file's name claims, from its extension."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise refuse(
            "Design files must be SVG, DXF, STL, 3MF or PDF (named .svg, .dxf, .stl, .3mf or .pdf)."
        )
    return EXTENSIONS[extension]


def sniff_design(data: bytes) -> str:
    """The kind of design `data` holds; a refusal when it is none of them or unsafe."""
    if not data:
        raise refuse("The file is empty.")
    if data.startswith(b"%PDF-"):
        return DesignKind.PDF
    if data.startswith(b"PK\x03\x04"):
        return _three_mf(data)
    if _binary_stl(data):
        return DesignKind.STL
    text = _text(data)
    if text is None:
        raise refuse("The file is not an SVG, DXF, STL, 3MF or PDF design.")
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("solid") and re.search(r"^\s*facet\s", text, re.MULTILINE):
        return DesignKind.STL
    if _dxf(stripped):
        return DesignKind.DXF
    if stripped.startswith("<"):
        _check_svg(data)
        return DesignKind.SVG
    raise refuse("The file is not an SVG, DXF, STL, 3MF or PDF design.")


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Old DXF and STL exporters write Latin-1; binary data has control bytes.
    if re.search(rb"[\x00-\x08\x0e-\x1f]", data):
        return None
    return data.decode("latin-1")


def _binary_stl(data: bytes) -> bool:
    """An 80-byte header, a triangle count, and 50 bytes per triangle: exactly."""
    if len(data) < 84:
        return False
    (triangles,) = struct.unpack_from("<I", data, 80)
    return triangles > 0 and len(data) == 84 + 50 * triangles


def _dxf(text: str) -> bool:
    """Group code / value pairs: a `0` / `SECTION` pair, and the first code a number."""
    lines = [line.strip() for line in text.splitlines()]
    if not lines or not lines[0].isdigit():
        return False
    return any(lines[i] == "0" and lines[i + 1] == "SECTION" for i in range(0, len(lines) - 1))


def _three_mf(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {name.lower().lstrip("/") for name in archive.namelist()}
    except (zipfile.BadZipFile, ValueError):
        raise refuse("The file is a broken ZIP archive, not a 3MF model.") from None
    if "3d/3dmodel.model" not in names:
        raise refuse("The file is a ZIP archive without a 3D model in it, not a 3MF model.")
    return DesignKind.THREE_MF


def _check_svg(data: bytes) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    # Never read a DTD or an external entity from anywhere.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    seen = {"root": None}

    def no_entities(*args):
        raise refuse("The SVG declares XML entities; export it again without a DOCTYPE.")

    def no_external(*args):
        raise refuse("The SVG refers to an external entity; export it again without one.")

    def start(name: str, attributes: dict) -> None:
        namespace, _, local = name.rpartition(" ")
        if seen["root"] is None:
            seen["root"] = (namespace, local)
        if local.lower() in _FORBIDDEN_ELEMENTS:
            raise refuse(f"The SVG has a <{local}> element; drawings with scripts are refused.")
        for attribute, value in attributes.items():
            attribute_local = attribute.rpartition(" ")[2].lower()
            if attribute_local.startswith("on"):
                raise refuse(
                    f"The SVG has an event handler ({attribute_local}); "
                    "drawings with scripts are refused."
                )
            if _SCRIPT_SCHEME.search(_INVISIBLE.sub("", value)):
                raise refuse(
                    "The SVG has a javascript: address; drawings with scripts are refused."
                )

    def no_stylesheets(target: str, data: str) -> None:
        if target.lower() == "xml-stylesheet":
            raise refuse("The SVG links a stylesheet; drawings with scripts are refused.")

    parser.ProcessingInstructionHandler = no_stylesheets
    parser.EntityDeclHandler = no_entities
    parser.UnparsedEntityDeclHandler = no_entities
    parser.ExternalEntityRefHandler = no_external
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        why = expat.ErrorString(error.code)
        raise refuse(f"The file is not well-formed XML ({why}, line {error.lineno}).") from None
    if seen["root"] is None or seen["root"][1] != "svg":
        raise refuse("The file is XML but not an SVG drawing: its root element is not <svg>.")
