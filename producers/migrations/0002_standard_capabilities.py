from django.db import migrations

CAPABILITIES = [
    ("laser_cutting", "Laser cutting", "Cutting and engraving sheet goods: plywood, acrylic, card."),
    ("3d_printing", "3D printing", "Printing parts in PLA, PETG and other filaments."),
    ("cnc_routing", "CNC routing", "Cutting sheet and solid wood on a CNC router."),
    ("sewing", "Sewing", "Cutting and sewing fabric goods."),
    ("woodworking", "Woodworking", "Joinery, finishing and assembly in wood."),
    ("screen_printing", "Screen printing", "Printing on fabric, paper and signs."),
    ("electronics", "Electronics", "Soldering, assembly and testing of circuits."),
    ("vinyl_cutting", "Vinyl cutting", "Decals, stencils and lettering."),
    ("growing", "Growing", "Plants, seedlings and garden goods."),
    ("landscaping", "Landscaping", "Installing beds, planters and outdoor work."),
]


def add_capabilities(apps, schema_editor):
    Capability = apps.get_model("producers", "Capability")
    for slug, name, description in CAPABILITIES:
        Capability.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("producers", "0001_initial")]

    operations = [migrations.RunPython(add_capabilities, migrations.RunPython.noop)]
