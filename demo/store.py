"""The Fab Lab's shared store for the demo network: real materials at real prices.

Used by `manage.py seed_demo`. Stock goes in through the stock services, so the
ledger explains every number; a material that already has movements is left alone.
"""

from decimal import Decimal

from catalog.models import Material, Offcut, Product, StockLocation, StockMovement, Unit
from catalog.services.offcuts import OffcutFit, offcut_record
from catalog.services.products import bom_line_put
from catalog.services.stock import stock_draw_down, stock_receive
from producers.models import Producer

C = Material.Category

# sku, name, unit, category, unit cost, reorder point
MATERIALS = [
    (
        "PLY-BIRCH-3MM",
        "Baltic birch plywood, 3 mm, 24 × 48 in",
        Unit.SHEET,
        C.SHEET_GOODS,
        "18.50",
        "10",
    ),
    (
        "PLY-BIRCH-6MM",
        "Baltic birch plywood, 6 mm, 24 × 48 in",
        Unit.SHEET,
        C.SHEET_GOODS,
        "27.00",
        "6",
    ),
    ("MDF-6MM", "MDF, 6 mm, 24 × 48 in", Unit.SHEET, C.SHEET_GOODS, "11.75", "8"),
    (
        "ACR-CLEAR-3MM",
        "Cast acrylic, clear, 3 mm, 24 × 48 in",
        Unit.SHEET,
        C.SHEET_GOODS,
        "42.00",
        "5",
    ),
    (
        "ACR-BLACK-3MM",
        "Cast acrylic, black, 3 mm, 24 × 48 in",
        Unit.SHEET,
        C.SHEET_GOODS,
        "44.00",
        "3",
    ),
    ("PLA-BLACK", "PLA filament, black, 1.75 mm", Unit.KG, C.FILAMENT, "21.99", "3"),
    ("PLA-WHITE", "PLA filament, white, 1.75 mm", Unit.KG, C.FILAMENT, "21.99", "3"),
    ("PETG-CLEAR", "PETG filament, clear, 1.75 mm", Unit.KG, C.FILAMENT, "24.99", "2"),
    ("CANVAS-10OZ", "Cotton canvas, natural, 10 oz, 60 in wide", Unit.M, C.FABRIC, "8.40", "20"),
    ("WEBBING-1IN", "Cotton webbing, 1 in", Unit.M, C.FABRIC, "0.95", "50"),
    ("PINE-2X4-8FT", "Southern yellow pine 2 × 4, 8 ft", Unit.EACH, C.SHEET_GOODS, "4.85", "20"),
    ("SCREW-8X114", "Wood screws, #8 × 1-1/4 in", Unit.EACH, C.HARDWARE, "0.06", "500"),
    ("GLUE-TB3", "Titebond III wood glue", Unit.KG, C.FINISHES, "14.20", "1"),
    ("POTTING-MIX", "Potting mix", Unit.KG, C.GARDEN, "0.62", "40"),
]

LOCATIONS = [
    # producer slug, code, name, shared
    ("fab-lab", "fablab-sheet-rack", "Fab Lab sheet rack", True),
    ("fab-lab", "fablab-store-room", "Fab Lab store room", True),
    ("west-jackson-woodshop", "woodshop-lumber-rack", "Woodshop lumber rack", False),
    ("common-thread-sewing", "sewing-fabric-shelf", "Sewing co-op fabric shelf", False),
]

# sku, location, quantity, reason
RECEIPTS = [
    ("PLY-BIRCH-3MM", "fablab-sheet-rack", "40", "Delivery from Jackson Hardwood Supply"),
    ("PLY-BIRCH-6MM", "fablab-sheet-rack", "20", "Delivery from Jackson Hardwood Supply"),
    ("MDF-6MM", "fablab-sheet-rack", "25", "Delivery from Jackson Hardwood Supply"),
    ("ACR-CLEAR-3MM", "fablab-sheet-rack", "12", "Delivery from Delta Plastics"),
    ("ACR-BLACK-3MM", "fablab-sheet-rack", "6", "Delivery from Delta Plastics"),
    ("PLA-BLACK", "fablab-store-room", "10", "Filament order"),
    ("PLA-WHITE", "fablab-store-room", "8", "Filament order"),
    ("PETG-CLEAR", "fablab-store-room", "5", "Filament order"),
    ("CANVAS-10OZ", "fablab-store-room", "80", "Bolt order, two 40 m bolts"),
    ("WEBBING-1IN", "fablab-store-room", "200", "Roll order"),
    ("PINE-2X4-8FT", "woodshop-lumber-rack", "60", "Lumber yard pickup"),
    ("PINE-2X4-8FT", "fablab-store-room", "40", "Lumber yard delivery for the farm kits"),
    ("SCREW-8X114", "fablab-store-room", "2000", "Hardware order"),
    ("GLUE-TB3", "fablab-store-room", "4", "Hardware order"),
    ("POTTING-MIX", "fablab-store-room", "200", "Donated by the county extension office"),
]

# sku, location, quantity, producer slug, reason
DRAWDOWNS = [
    (
        "PLY-BIRCH-3MM",
        "fablab-sheet-rack",
        "6",
        "west-jackson-woodshop",
        "Cutting boards and coasters",
    ),
    ("PLY-BIRCH-6MM", "fablab-sheet-rack", "4", "west-jackson-woodshop", "Wall shelves"),
    ("ACR-CLEAR-3MM", "fablab-sheet-rack", "8", "capitol-sign-and-print", "Church sign lettering"),
    ("CANVAS-10OZ", "fablab-store-room", "24", "common-thread-sewing", "Market tote run"),
    ("WEBBING-1IN", "fablab-store-room", "40", "common-thread-sewing", "Tote handles"),
    ("PLA-BLACK", "fablab-store-room", "1.250", "fab-lab", "Replacement printer parts"),
    ("POTTING-MIX", "fablab-store-room", "60", "freedom-farms", "Spring seedling trays"),
    ("SCREW-8X114", "fablab-store-room", "300", "freedom-farms", "Raised-bed kits"),
]


def seed_materials(by) -> dict[str, Material]:
    materials = {}
    for sku, name, unit, category, cost, reorder in MATERIALS:
        material, _ = Material.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "unit": unit,
                "category": category,
                "unit_cost": Decimal(cost),
                "reorder_point": Decimal(reorder),
            },
        )
        materials[sku] = material
    return materials


def seed_locations() -> dict[str, StockLocation]:
    producers = {p.slug: p for p in Producer.objects.all()}
    locations = {}
    for producer_slug, code, name, shared in LOCATIONS:
        location, _ = StockLocation.objects.get_or_create(
            code=code,
            defaults={"producer": producers[producer_slug], "name": name, "shared": shared},
        )
        locations[code] = location
    return locations


def seed_stock(by) -> int:
    """Receipts and drawdowns, once per material. Returns how many movements were written."""
    materials = seed_materials(by)
    locations = seed_locations()
    producers = {p.slug: p for p in Producer.objects.all()}
    stocked = set(StockMovement.objects.values_list("material__sku", flat=True).distinct())
    written = 0
    for sku, code, quantity, reason in RECEIPTS:
        if sku in stocked:
            continue
        stock_receive(
            material=materials[sku],
            location=locations[code],
            quantity=quantity,
            by=by,
            reason=reason,
        )
        written += 1
    for sku, code, quantity, producer_slug, reason in DRAWDOWNS:
        if sku in stocked:
            continue
        stock_draw_down(
            material=materials[sku],
            location=locations[code],
            quantity=quantity,
            by=by,
            reason=reason,
            producer=producers[producer_slug],
        )
        written += 1
    return written


# --- Products -----------------------------------------------------------------------


# --- Offcuts on the racks ------------------------------------------------------------

# 24 × 48 in sheets, in millimetres.
SHEET_SIZES = {
    "PLY-BIRCH-3MM": (610, 1220),
    "PLY-BIRCH-6MM": (610, 1220),
    "MDF-6MM": (610, 1220),
    "ACR-CLEAR-3MM": (610, 1220),
    "ACR-BLACK-3MM": (610, 1220),
}

# sku, location, width mm, height mm (or what is left of a spool), where kept, left from
OFFCUTS = [
    ("PLY-BIRCH-3MM", "fablab-sheet-rack", 300, 400, "Offcut bin B, front", "Coasters job"),
    ("PLY-BIRCH-3MM", "fablab-sheet-rack", 450, 610, "Offcut bin B, back", "Spice rack job"),
    ("PLY-BIRCH-3MM", "fablab-sheet-rack", 250, 300, "Offcut bin B, front", "Puzzle job"),
    ("ACR-CLEAR-3MM", "fablab-sheet-rack", 200, 600, "Acrylic slot 2", "Church sign lettering"),
    ("ACR-CLEAR-3MM", "fablab-sheet-rack", 350, 450, "Acrylic slot 2", "Name tags job"),
    ("PLA-BLACK", "fablab-store-room", None, "0.350", "Spool ends shelf", "Printer parts"),
]

# The open design that may be cut from an offcut: product title, material, smallest piece.
OFFCUT_BOM = ("Birch clipboard", "PLY-BIRCH-3MM", 250, 330)


def seed_offcuts(by) -> int:
    """Sheet sizes, a few pieces on the racks, and one open design that may use them.
    Once: a rack that already has offcuts is left alone. Returns how many were recorded."""
    for sku, (width, height) in SHEET_SIZES.items():
        Material.objects.filter(sku=sku, sheet_width_mm__isnull=True).update(
            sheet_width_mm=width, sheet_height_mm=height
        )
    title, sku, width, height = OFFCUT_BOM
    product = Product.objects.filter(title=title).first()
    if product is not None:
        line = product.bom_lines.filter(material__sku=sku).first()
        if line is not None and not line.may_use_offcut:
            bom_line_put(
                product=product,
                material=line.material,
                quantity=line.quantity,
                offcut=OffcutFit(width, height),
            )
    if Offcut.objects.exists():
        return 0
    materials = {m.sku: m for m in Material.objects.filter(sku__in={r[0] for r in OFFCUTS})}
    locations = {loc.code: loc for loc in StockLocation.objects.all()}
    for sku, code, width, size, kept_at, source in OFFCUTS:
        sheet = width is not None
        offcut_record(
            material=materials[sku],
            location=locations[code],
            width_mm=width if sheet else None,
            height_mm=size if sheet else None,
            amount=None if sheet else size,
            kept_at=kept_at,
            source=source,
            by=by,
        )
    return len(OFFCUTS)
