"""The demo network: the Fab Lab and the co-ops around it in West Jackson.

Used by `manage.py seed_demo`. Everything is looked up by a natural key before
it is created, so loading twice changes nothing.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model

from producers.models import Capability, Membership, Producer

User = get_user_model()

# (username, password, first, last, email, is_staff) — printed by `make run`.
DEMO_ACCOUNTS = [
    ("admin", "admin-demo-pass", "Ada", "Okafor", "admin@example.org", True),
    ("resident", "resident-demo-pass", "Keisha", "Brown", "keisha@example.org", False),
    ("woodshop", "woodshop-demo-pass", "Marcus", "Hill", "marcus@example.org", False),
    ("technician", "technician-demo-pass", "Tasha", "Reed", "tasha@example.org", False),
    ("sewing", "sewing-demo-pass", "Lorraine", "Jackson", "lorraine@example.org", False),
    ("printer", "printer-demo-pass", "Andre", "Wells", "andre@example.org", False),
    ("grower", "grower-demo-pass", "Ruby", "Davis", "ruby@example.org", False),
    ("woodshop-member", "member-demo-pass", "Darnell", "Moore", "darnell@example.org", False),
]

DEMO_LOGINS = [
    ("Platform admin (back office)", "admin", "admin-demo-pass"),
    ("Resident", "resident", "resident-demo-pass"),
    ("Co-op manager (West Jackson Woodshop)", "woodshop", "woodshop-demo-pass"),
    ("Fab Lab technician", "technician", "technician-demo-pass"),
]

PRODUCERS = [
    {
        "slug": "fab-lab",
        "opening_hours": "Tue–Sat 10 am–6 pm",
        "public_phone": "601-555-0100",
        "name": "Center for Community Production Fab Lab",
        "kind": Producer.Kind.FABLAB,
        "description": (
            "The shared workshop: two laser cutters, a ShopBot CNC router, six 3D printers, "
            "industrial sewing machines and an electronics bench. Keeps the network's shared "
            "store of plywood, acrylic, filament and fabric, and trains members to use it all."
        ),
        "address": "1000 W Capitol St, Jackson, MS 39203",
        "latitude": Decimal("32.300100"),
        "longitude": Decimal("-90.200900"),
        "contact_email": "fablab@example.org",
        "contact_phone": "601-555-0100",
        "max_open_jobs": 30,
        "capabilities": ["laser_cutting", "3d_printing", "cnc_routing", "electronics"],
        "members": [("technician", Membership.Role.MANAGER)],
    },
    {
        "slug": "west-jackson-woodshop",
        "opening_hours": "Tue–Fri 9 am–5 pm, Sat 10 am–2 pm",
        "public_phone": "601-555-0111",
        "name": "West Jackson Woodshop Co-op",
        "description": (
            "Five worker-owners building cutting boards, shelves, benches and raised beds "
            "from local pine and Fab Lab plywood."
        ),
        "address": "1124 Robinson St, Jackson, MS 39203",
        "latitude": Decimal("32.295400"),
        "longitude": Decimal("-90.207300"),
        "contact_email": "woodshop@example.org",
        "contact_phone": "601-555-0111",
        "max_open_jobs": 8,
        "capabilities": ["woodworking", "cnc_routing", "laser_cutting"],
        "members": [
            ("woodshop", Membership.Role.MANAGER),
            ("woodshop-member", Membership.Role.MEMBER),
        ],
    },
    {
        "slug": "capitol-sign-and-print",
        "opening_hours": "Mon–Fri 9 am–5 pm",
        "public_phone": "601-555-0122",
        "name": "Capitol Street Sign & Print Co-op",
        "description": (
            "Yard signs, banners, screen-printed shirts and laser-cut lettering for "
            "neighbourhood groups, churches and small businesses."
        ),
        "address": "845 W Capitol St, Jackson, MS 39203",
        "latitude": Decimal("32.301200"),
        "longitude": Decimal("-90.197500"),
        "contact_email": "print@example.org",
        "contact_phone": "601-555-0122",
        "max_open_jobs": 12,
        "capabilities": ["screen_printing", "vinyl_cutting", "laser_cutting"],
        "members": [("printer", Membership.Role.MANAGER)],
    },
    {
        "slug": "common-thread-sewing",
        "opening_hours": "Wed–Sat 11 am–6 pm",
        "public_phone": "601-555-0133",
        "name": "Common Thread Sewing Co-op",
        "description": (
            "Tote bags, aprons, market bags and mending. Cotton canvas from the Fab Lab store, "
            "sewn on the lab's industrial machines."
        ),
        "address": "310 Rose St, Jackson, MS 39203",
        "latitude": Decimal("32.298700"),
        "longitude": Decimal("-90.203100"),
        "contact_email": "sewing@example.org",
        "contact_phone": "601-555-0133",
        "max_open_jobs": 10,
        "capabilities": ["sewing", "screen_printing"],
        "members": [("sewing", Membership.Role.MANAGER)],
    },
    {
        "slug": "freedom-farms",
        "opening_hours": "Sat 8 am–noon at the farm stand",
        "public_phone": "601-555-0144",
        "name": "Freedom Farms Growers Co-op",
        "description": (
            "Urban farm on three lots off Dalton Street: seedlings, herbs, planters and "
            "raised-bed kits, delivered by bike in West Jackson."
        ),
        "address": "1520 Dalton St, Jackson, MS 39203",
        "latitude": Decimal("32.291800"),
        "longitude": Decimal("-90.211600"),
        "contact_email": "farm@example.org",
        "contact_phone": "601-555-0144",
        "max_open_jobs": 6,
        "capabilities": ["growing", "woodworking"],
        "members": [("grower", Membership.Role.MANAGER)],
    },
    {
        "slug": "green-hands-landscaping",
        "name": "Green Hands Landscaping Co-op",
        "description": (
            "Lawn care, tree work and installing the farm's raised beds and planters. "
            "Paused for the winter."
        ),
        "address": "Jackson, MS 39203",
        "contact_email": "landscaping@example.org",
        "max_open_jobs": 4,
        "status": Producer.Status.PAUSED,
        "capabilities": ["landscaping"],
        "members": [("grower", Membership.Role.MEMBER)],
    },
]


def seed_accounts() -> dict[str, object]:
    users = {}
    for username, password, first, last, email, is_staff in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": email,
                "is_staff": is_staff,
                "is_superuser": is_staff,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        users[username] = user
    return users


def seed_producers(users: dict[str, object]) -> dict[str, Producer]:
    producers = {}
    for spec in PRODUCERS:
        spec = dict(spec)
        capabilities = spec.pop("capabilities")
        members = spec.pop("members")
        slug = spec.pop("slug")
        producer, created = Producer.objects.get_or_create(slug=slug, defaults=spec)
        if created:
            producer.capabilities.set(Capability.objects.filter(slug__in=capabilities))
        for username, role in members:
            Membership.objects.get_or_create(
                user=users[username], producer=producer, defaults={"role": role}
            )
        producers[slug] = producer
    return producers


# Extra co-ops for the benchmark network: (name, trade, capabilities).
MORE_CO_OPS = [
    ("Farish Street Furniture Co-op", "furniture", ["woodworking", "cnc_routing"]),
    ("Lynch Street Laser Works", "laser", ["laser_cutting", "vinyl_cutting"]),
    ("Medgar Evers Makers", "makers", ["3d_printing", "electronics"]),
    ("Belhaven Stitch Collective", "stitch", ["sewing"]),
    ("Fondren Print Shop Co-op", "print", ["screen_printing", "vinyl_cutting"]),
    ("Pearl River Planters", "planters", ["growing", "woodworking"]),
    ("Midtown Metal & Wood", "metal-wood", ["woodworking", "cnc_routing", "laser_cutting"]),
    ("Georgetown Garden Co-op", "garden", ["growing"]),
    ("Bailey Avenue Builders", "builders", ["woodworking"]),
    ("Jackson Filament Guild", "filament", ["3d_printing"]),
    ("Rankin Street Textiles", "textiles", ["sewing", "screen_printing"]),
    ("Hinds County Crafters", "crafters", ["laser_cutting", "woodworking"]),
    ("Dalton Street Sign Co-op", "signs", ["vinyl_cutting", "screen_printing"]),
    ("Mill Street Makerspace Co-op", "makerspace", ["3d_printing", "laser_cutting"]),
    ("Westside Bike & Fix Co-op", "bikes", ["electronics", "woodworking"]),
    ("Robinson Road Repair Co-op", "repair", ["electronics"]),
]


def seed_more_co_ops(total: int) -> int:
    """Grow the network to `total` active producers, for benchmarks. Returns how many were added."""
    missing = total - Producer.objects.active().count()
    added = 0
    for index, (name, trade, capabilities) in enumerate(MORE_CO_OPS):
        if added >= missing:
            break
        producer, created = Producer.objects.get_or_create(
            slug=f"{trade}-co-op",
            defaults={
                "name": name,
                "description": f"Worker-owned {trade.replace('-', ' ')} co-op in Jackson.",
                "address": "Jackson, MS 39203",
                "latitude": Decimal("32.2900") + Decimal(index) / 1000,
                "longitude": Decimal("-90.2000") - Decimal(index) / 1000,
                "contact_email": f"{trade}@example.org",
                "max_open_jobs": 10,
            },
        )
        if created:
            producer.capabilities.set(Capability.objects.filter(slug__in=capabilities))
            added += 1
    return added
