"""The Fab Lab's shared store for the demo network: real materials at real prices.

Used by `manage.py seed_demo`. Stock goes in through the stock services, so the
ledger explains every number; a material that already has movements is left alone.
"""

from decimal import Decimal

from catalog.models import Category, Material, Product, StockLocation, StockMovement, Unit
from catalog.services.stock import stock_draw_down, stock_receive
from producers.models import Capability, Producer

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

CATEGORIES = [
    ("kitchen", "Kitchen and table"),
    ("home", "Home and furniture"),
    ("signs", "Signs and lettering"),
    ("bags", "Bags and textiles"),
    ("garden", "Garden"),
    ("parts", "Parts and repairs"),
    ("kids", "Kids and learning"),
]

STOCK, MTO = "stock", "made_to_order"

# producer, title, category, price, fulfilment, lead days, stock on hand, picture,
# bill of materials [(sku, per unit)], open design capabilities, description
PRODUCTS = [
    (
        "west-jackson-woodshop",
        "Walnut end-grain cutting board",
        "kitchen",
        "65.00",
        STOCK,
        0,
        6,
        "board",
        [],
        [],
        "End-grain walnut and maple, finished with food-safe mineral oil. 12 × 16 in.",
    ),
    (
        "west-jackson-woodshop",
        "Birch coasters, set of four",
        "kitchen",
        "14.00",
        MTO,
        3,
        0,
        "board",
        [("PLY-BIRCH-3MM", "0.125")],
        [],
        "Laser-cut Baltic birch, engraved with a magnolia or your initials.",
    ),
    (
        "west-jackson-woodshop",
        "Floating wall shelf, 24 in",
        "home",
        "38.00",
        MTO,
        7,
        0,
        "shelf",
        [("PLY-BIRCH-6MM", "0.5"), ("SCREW-8X114", "6")],
        [],
        "Hidden bracket, holds 30 lb. Oiled birch.",
    ),
    (
        "west-jackson-woodshop",
        "Step stool",
        "home",
        "55.00",
        STOCK,
        0,
        2,
        "shelf",
        [],
        [],
        "Pine step stool, 9 in high, holds a grown-up.",
    ),
    (
        "west-jackson-woodshop",
        "Serving tray with handles",
        "kitchen",
        "42.00",
        STOCK,
        0,
        4,
        "board",
        [],
        [],
        "Walnut tray with cut-out handles, 18 × 12 in.",
    ),
    (
        "west-jackson-woodshop",
        "Kids' bookshelf",
        "kids",
        "95.00",
        MTO,
        10,
        0,
        "shelf",
        [("PLY-BIRCH-6MM", "1"), ("SCREW-8X114", "16"), ("GLUE-TB3", "0.05")],
        [],
        "Front-facing shelves so little ones can see the covers. 30 in high.",
    ),
    (
        "west-jackson-woodshop",
        "Spice rack",
        "kitchen",
        "28.00",
        MTO,
        5,
        0,
        "shelf",
        [("PLY-BIRCH-3MM", "0.25")],
        [],
        "Holds twelve jars. Wall-mounted.",
    ),
    (
        "west-jackson-woodshop",
        "Porch bench",
        "home",
        "180.00",
        MTO,
        14,
        0,
        "shelf",
        [("PINE-2X4-8FT", "6"), ("SCREW-8X114", "40")],
        [],
        "Five-foot pine bench, sealed for outdoors.",
    ),
    (
        "capitol-sign-and-print",
        "House number sign",
        "signs",
        "35.00",
        MTO,
        4,
        0,
        "sign",
        [("ACR-BLACK-3MM", "0.25")],
        [],
        "Black acrylic with your house number cut out. Screws included.",
    ),
    (
        "capitol-sign-and-print",
        "Church directory sign",
        "signs",
        "120.00",
        MTO,
        10,
        0,
        "sign",
        [("ACR-CLEAR-3MM", "1")],
        [],
        "Clear acrylic board with changeable lettering.",
    ),
    (
        "capitol-sign-and-print",
        "Water is a human right yard sign",
        "signs",
        "15.00",
        STOCK,
        0,
        25,
        "sign",
        [],
        [],
        "18 × 24 in corrugated yard sign with a wire stake.",
    ),
    (
        "capitol-sign-and-print",
        "Jackson Made T-shirt",
        "bags",
        "22.00",
        STOCK,
        0,
        30,
        "shirt",
        [],
        [],
        "Screen-printed on heavyweight cotton. Sizes S to 3XL.",
    ),
    (
        "capitol-sign-and-print",
        "Laser-cut name tags, set of ten",
        "signs",
        "30.00",
        MTO,
        3,
        0,
        "sign",
        [("ACR-CLEAR-3MM", "0.125")],
        [],
        "Clear acrylic name tags with magnet backs.",
    ),
    (
        "capitol-sign-and-print",
        "West Jackson neighbourhood map poster",
        "home",
        "18.00",
        STOCK,
        0,
        15,
        "sign",
        [],
        [],
        "18 × 24 in print of the neighbourhood, drawn by local kids.",
    ),
    (
        "capitol-sign-and-print",
        "Vinyl window lettering",
        "signs",
        "60.00",
        MTO,
        5,
        0,
        "sign",
        [],
        [],
        "Shop hours and name for your window. We come and put it up.",
    ),
    (
        "capitol-sign-and-print",
        "Business door sign",
        "signs",
        "45.00",
        MTO,
        6,
        0,
        "sign",
        [("PLY-BIRCH-3MM", "0.25")],
        [],
        "Engraved birch sign with open and closed sides.",
    ),
    (
        "common-thread-sewing",
        "Market tote",
        "bags",
        "28.00",
        STOCK,
        0,
        12,
        "bag",
        [],
        [],
        "10 oz natural canvas with long webbing handles. Carries a week of groceries.",
    ),
    (
        "common-thread-sewing",
        "Canvas apron",
        "kitchen",
        "32.00",
        STOCK,
        0,
        2,
        "bag",
        [],
        [],
        "Cross-back apron with two deep pockets.",
    ),
    (
        "common-thread-sewing",
        "Produce bags, set of three",
        "bags",
        "16.00",
        STOCK,
        0,
        20,
        "bag",
        [],
        [],
        "Drawstring bags for the farmers' market.",
    ),
    (
        "common-thread-sewing",
        "Custom embroidered tote",
        "bags",
        "40.00",
        MTO,
        7,
        0,
        "bag",
        [("CANVAS-10OZ", "0.8"), ("WEBBING-1IN", "1.2")],
        [],
        "Your name or your group's on a market tote.",
    ),
    (
        "common-thread-sewing",
        "Tool roll",
        "parts",
        "36.00",
        MTO,
        5,
        0,
        "bag",
        [("CANVAS-10OZ", "0.5")],
        [],
        "Ten pockets for chisels, brushes or kitchen knives.",
    ),
    (
        "common-thread-sewing",
        "Pot holders, pair",
        "kitchen",
        "12.00",
        STOCK,
        0,
        18,
        "bag",
        [],
        [],
        "Quilted cotton, heat-safe to 400 °F.",
    ),
    (
        "common-thread-sewing",
        "Cushion cover",
        "home",
        "30.00",
        MTO,
        6,
        0,
        "bag",
        [("CANVAS-10OZ", "0.6")],
        [],
        "18 × 18 in, envelope back. Pick your colour.",
    ),
    (
        "common-thread-sewing",
        "Kids' backpack",
        "kids",
        "48.00",
        MTO,
        10,
        0,
        "bag",
        [("CANVAS-10OZ", "0.9"), ("WEBBING-1IN", "2")],
        [],
        "Sized for school children, with a name tag inside.",
    ),
    (
        "freedom-farms",
        "Raised-bed kit, 4 × 8 ft",
        "garden",
        "140.00",
        MTO,
        10,
        0,
        "planter",
        [("PINE-2X4-8FT", "8"), ("SCREW-8X114", "48")],
        [],
        "Pre-cut and pre-drilled; we deliver and help set it up.",
    ),
    (
        "freedom-farms",
        "Herb seedling flat",
        "garden",
        "24.00",
        STOCK,
        0,
        10,
        "seedlings",
        [],
        [],
        "Twelve starts: basil, thyme, oregano, parsley and mint.",
    ),
    (
        "freedom-farms",
        "Planter box",
        "garden",
        "65.00",
        MTO,
        7,
        0,
        "planter",
        [("PINE-2X4-8FT", "2"), ("SCREW-8X114", "16"), ("POTTING-MIX", "20")],
        [],
        "Porch planter filled with our potting mix.",
    ),
    (
        "freedom-farms",
        "Tomato starts, six-pack",
        "garden",
        "9.00",
        STOCK,
        0,
        0,
        "seedlings",
        [],
        [],
        "Cherokee Purple and Sungold. Back in stock in spring.",
    ),
    (
        "freedom-farms",
        "Potting mix, 20 lb bag",
        "garden",
        "12.00",
        STOCK,
        0,
        15,
        "planter",
        [],
        [],
        "Compost-rich mix from the farm.",
    ),
    (
        "freedom-farms",
        "Worm compost bin",
        "garden",
        "85.00",
        MTO,
        14,
        0,
        "planter",
        [("PLY-BIRCH-6MM", "1"), ("SCREW-8X114", "12")],
        [],
        "Two-tray bin with a starter pound of red wigglers.",
    ),
    (
        "fab-lab",
        "3D-printed replacement knob",
        "parts",
        "6.00",
        MTO,
        2,
        0,
        "printed",
        [("PLA-BLACK", "0.03")],
        [],
        "Stove, dresser or radio knobs: bring the broken one, we print a match.",
    ),
    (
        "fab-lab",
        "Phone stand",
        "parts",
        "10.00",
        STOCK,
        0,
        14,
        "printed",
        [],
        [],
        "Printed in PLA, fits every phone with a case.",
    ),
    (
        "fab-lab",
        "Laser-cut jigsaw puzzle",
        "kids",
        "18.00",
        MTO,
        4,
        0,
        "board",
        [("PLY-BIRCH-3MM", "0.25")],
        ["laser_cutting"],
        "Sixty pieces of birch. Any co-op with a laser can make it.",
    ),
    (
        "fab-lab",
        "Plant-water sensor kit",
        "garden",
        "35.00",
        STOCK,
        0,
        5,
        "printed",
        [],
        [],
        "Solder-it-yourself kit: moisture probe, buzzer and a printed case.",
    ),
    (
        "west-jackson-woodshop",
        "Seed library box",
        "garden",
        "75.00",
        MTO,
        8,
        0,
        "shelf",
        [("PLY-BIRCH-6MM", "0.75")],
        ["laser_cutting", "woodworking"],
        "Open design: a wall box with twenty seed drawers for a community seed library.",
    ),
    (
        "west-jackson-woodshop",
        "Bike-rack planter",
        "garden",
        "110.00",
        MTO,
        12,
        0,
        "planter",
        [("PLY-BIRCH-6MM", "1.5")],
        ["cnc_routing"],
        "Open design: a CNC-cut planter that doubles as a bike rack.",
    ),
    (
        "capitol-sign-and-print",
        "Community fridge sign",
        "signs",
        "48.00",
        MTO,
        5,
        0,
        "sign",
        [("ACR-CLEAR-3MM", "0.5")],
        ["laser_cutting"],
        "Open design: take what you need, leave what you can.",
    ),
    (
        "west-jackson-woodshop",
        "Little free library",
        "home",
        "240.00",
        MTO,
        21,
        0,
        "shelf",
        [("PLY-BIRCH-6MM", "2"), ("PINE-2X4-8FT", "4"), ("SCREW-8X114", "60")],
        ["woodworking"],
        "Open design: a weatherproof book box on a post.",
    ),
    (
        "fab-lab",
        "Birch clipboard",
        "kids",
        "8.00",
        MTO,
        2,
        0,
        "board",
        [("PLY-BIRCH-3MM", "0.1")],
        ["laser_cutting"],
        "Open design: engraved clipboard with a steel clip.",
    ),
]

DRAFTS = [
    (
        "west-jackson-woodshop",
        "Rocking chair (prototype)",
        "home",
        "420.00",
        MTO,
        30,
        0,
        "shelf",
        [],
        [],
        "Still testing the runners. Not for sale yet.",
    ),
]


def seed_categories() -> dict[str, Category]:
    categories = {}
    for position, (slug, name) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
    return categories


def seed_products(by, *, with_images: bool = True, progress=None) -> int:
    """The demo catalog, made through the product services. Returns how many were created."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.demo_images import draw_product
    from catalog.services.images import product_image_add
    from catalog.services.products import bom_replace, product_create, product_stock_receive

    categories = seed_categories()
    producers = {p.slug: p for p in Producer.objects.all()}
    materials = {m.sku: m for m in Material.objects.raw_materials()}
    capabilities = {c.slug: c for c in Capability.objects.all()}
    existing = set(Product.objects.values_list("title", flat=True))
    rows = [(row, Product.Status.PUBLISHED) for row in PRODUCTS]
    rows += [(row, Product.Status.DRAFT) for row in DRAFTS]
    created = 0
    for index, (row, status) in enumerate(rows, start=1):
        producer, title, category, price, fulfilment, lead, on_hand, picture, bom, caps, text = row
        if title in existing:
            continue
        product = product_create(
            producer=producers[producer],
            title=title,
            description=text,
            category=categories[category],
            price=Decimal(price),
            fulfilment=fulfilment,
            lead_time_days=lead,
            open_design=bool(caps),
            required_capabilities=[capabilities[c] for c in caps],
            status=status,
        )
        if bom:
            bom_replace(product=product, lines=[(materials[sku], Decimal(q)) for sku, q in bom])
        if on_hand:
            product_stock_receive(product=product, quantity=on_hand, by=by, reason="Opening count")
        if with_images:
            upload = SimpleUploadedFile(
                f"{product.slug}.png", draw_product(picture, title), content_type="image/png"
            )
            product_image_add(
                product=product, upload=upload, alt_text=f"Drawing of the {title.lower()}"
            )
        created += 1
        if progress:
            progress(index, len(rows))
    return created
