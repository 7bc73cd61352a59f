"""The demo's open designs: their licences and small, real cut files and assembly sheets.

Each SVG is a laser cut file in millimetres (red hairlines cut, black fills engrave);
each PDF is a one-page sheet of instructions. They go in through the design file
services, which judge them as they would any upload.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Licence, Product
from catalog.services.designs import design_file_add
from catalog.services.products import product_update

CUT = 'fill="none" stroke="#ff0000" stroke-width="0.1"'


def _svg(width: int, height: int, body: str, title: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}">\n<title>{title}</title>\n{body}\n</svg>\n'
    ).encode()


def jigsaw_svg() -> bytes:
    """A 200 x 150 mm board cut into a 10 x 6 grid of pieces with round tabs."""
    cols, rows, w, h = 10, 6, 20, 25
    parts = [f'<rect x="0" y="0" width="{cols * w}" height="{rows * h}" {CUT}/>']
    for c in range(1, cols):
        x = c * w
        path = [f"M {x} 0"]
        for r in range(rows):
            y, bump = r * h, 4 if (r + c) % 2 else -4
            path.append(
                f"L {x} {y + 9} C {x + bump * 2} {y + 7} {x + bump * 2} {y + 18} {x} {y + 16} "
                f"L {x} {y + h}"
            )
        parts.append(f'<path d="{" ".join(path)}" {CUT}/>')
    for r in range(1, rows):
        y = r * h
        path = [f"M 0 {y}"]
        for c in range(cols):
            x, bump = c * w, 4 if (r + c) % 2 else -4
            path.append(
                f"L {x + 7} {y} C {x + 5} {y + bump * 2} {x + 15} {y + bump * 2} {x + 13} {y} "
                f"L {x + w} {y}"
            )
        parts.append(f'<path d="{" ".join(path)}" {CUT}/>')
    return _svg(cols * w, rows * h, "\n".join(parts), "Laser-cut jigsaw puzzle, 60 pieces")


def seed_box_svg() -> bytes:
    """The back panel and twenty drawer fronts with finger pulls."""
    parts = ['<rect x="0" y="0" width="400" height="300" rx="3" ' + CUT + "/>"]
    for row in range(4):
        for col in range(5):
            x, y = 10 + col * 78, 10 + row * 72
            parts.append(f'<rect x="{x}" y="{y}" width="72" height="64" rx="2" {CUT}/>')
            parts.append(f'<circle cx="{x + 36}" cy="{y + 52}" r="6" {CUT}/>')
    for x in (5, 395):
        for y in range(20, 300, 40):
            parts.append(f'<rect x="{x - 3}" y="{y}" width="6" height="20" {CUT}/>')
    return _svg(400, 300, "\n".join(parts), "Seed library box: back panel and drawer fronts")


def fridge_sign_svg() -> bytes:
    parts = [
        f'<rect x="0" y="0" width="300" height="200" rx="12" {CUT}/>',
        f'<circle cx="20" cy="20" r="3" {CUT}/>',
        f'<circle cx="280" cy="20" r="3" {CUT}/>',
        '<text x="150" y="80" font-family="sans-serif" font-size="28" text-anchor="middle" '
        'fill="#000000">COMMUNITY FRIDGE</text>',
        '<text x="150" y="130" font-family="sans-serif" font-size="16" text-anchor="middle" '
        'fill="#000000">Take what you need, leave what you can.</text>',
        '<path d="M 150 185 C 120 160 125 145 150 155 C 175 145 180 160 150 185 Z" '
        'fill="#000000"/>',
    ]
    return _svg(300, 200, "\n".join(parts), "Community fridge sign")


def clipboard_svg() -> bytes:
    parts = [
        f'<rect x="0" y="0" width="230" height="320" rx="8" {CUT}/>',
        f'<circle cx="100" cy="18" r="2.5" {CUT}/>',
        f'<circle cx="130" cy="18" r="2.5" {CUT}/>',
        f'<rect x="95" y="295" width="40" height="12" rx="6" {CUT}/>',
    ]
    return _svg(230, 320, "\n".join(parts), "Birch clipboard")


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def instructions_pdf(title: str, steps: list[str]) -> bytes:
    """A one-page PDF: the title and numbered steps, in Helvetica."""
    lines = [f"BT /F1 18 Tf 56 780 Td ({_pdf_text(title)}) Tj ET"]
    for n, step in enumerate(steps, start=1):
        lines.append(f"BT /F1 11 Tf 56 {750 - n * 22} Td ({n}. {_pdf_text(step)}) Tj ET")
    stream = "\n".join(lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


# Title -> the licence and the files: (name, bytes, what changed).
def demo_designs() -> dict[str, tuple[str, list[tuple[str, bytes]]]]:
    return {
        "Laser-cut jigsaw puzzle": (
            Licence.CC_BY_SA_4,
            [("jigsaw-60-pieces.svg", jigsaw_svg())],
        ),
        "Seed library box": (
            Licence.CERN_OHL_S_2,
            [
                ("seed-box-panels.svg", seed_box_svg()),
                (
                    "seed-box-assembly.pdf",
                    instructions_pdf(
                        "Seed library box: assembly",
                        [
                            "Cut the panels from 6 mm birch plywood, red lines at full power.",
                            "Glue the drawer fronts to the drawer boxes; let them dry an hour.",
                            "Fix the back panel to the wall with four screws into studs.",
                            "Label each drawer with the seed and the year it was saved.",
                        ],
                    ),
                ),
            ],
        ),
        "Community fridge sign": (
            Licence.CC_BY_SA_4,
            [("fridge-sign.svg", fridge_sign_svg())],
        ),
        "Birch clipboard": (
            Licence.ALL_RIGHTS_RESERVED,
            [("clipboard.svg", clipboard_svg())],
        ),
    }


def seed_designs(*, by=None) -> int:
    """Give the demo's open designs their licence and files. Returns how many files were added.

    A product that already has design files is left alone, so seeding twice adds nothing.
    """
    added = 0
    for title, (licence, files) in demo_designs().items():
        product = Product.objects.filter(title=title).first()
        if product is None or product.design_files.exists():
            continue
        product_update(product=product, licence=licence)
        for name, data in files:
            design_file_add(
                product=product,
                upload=SimpleUploadedFile(name, data),
                uploaded_by=by,
                note="First version",
            )
            added += 1
    return added
