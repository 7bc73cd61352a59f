"""One co-op's own data, for a co-op leaving the platform or keeping its own records.

Only its own rows: its producer record (never the webhook signing secrets), members,
products with their bills of materials and picture names, its stock locations with
balances and ledger, its jobs with their lines and history, and its payouts. Customers
appear as in the webhook payload: name, phone and delivery address, never the email or
the order's access token. `export_producer` gives it as a dict (the JSON);
`producer_export_zip` as one zip: the JSON, a CSV per table, and the pictures.
"""

import csv
import io
import json
import tempfile
import zipfile

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.utils import timezone

from catalog.models import StockBalance, StockLocation, StockMovement
from orders.models import Job, JobTransition, OrderLine, Payout
from producers.models import Producer

FORMAT_VERSION = 1

PRODUCER_FIELDS = [
    "slug",
    "name",
    "kind",
    "description",
    "website",
    "address",
    "latitude",
    "longitude",
    "contact_email",
    "contact_phone",
    "max_open_jobs",
    "status",
    "stripe_account_id",
    "webhook_url",
    "webhook_secret_rotated_at",
    "webhook_disabled_at",
    "created_at",
    "updated_at",
]


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _producer(producer: Producer) -> dict:
    record = {field: getattr(producer, field) for field in PRODUCER_FIELDS}
    record["capabilities"] = sorted(producer.capabilities.values_list("slug", flat=True))
    return record


def _members(producer: Producer) -> list[dict]:
    return [
        {"username": m.user.get_username(), "role": m.role, "since": m.created_at}
        for m in producer.memberships.select_related("user").order_by("user__username")
    ]


def _products(producer: Producer) -> list[dict]:
    products = (
        producer.products.select_related("category", "stock_item")
        .prefetch_related("bom_lines__material", "images", "required_capabilities")
        .order_by("slug")
    )
    return [
        {
            "slug": p.slug,
            "title": p.title,
            "description": p.description,
            "category": p.category.slug if p.category else None,
            "price": p.price,
            "status": p.status,
            "fulfilment": p.fulfilment,
            "lead_time_days": p.lead_time_days,
            "open_design": p.open_design,
            "required_capabilities": sorted(c.slug for c in p.required_capabilities.all()),
            "stock_item": p.stock_item.sku if p.stock_item else None,
            "published_at": p.published_at,
            "created_at": p.created_at,
            "bill_of_materials": [
                {
                    "material": line.material.sku,
                    "name": line.material.name,
                    "quantity": line.quantity,
                }
                for line in sorted(p.bom_lines.all(), key=lambda line: line.material.sku)
            ],
            "images": [
                {
                    "name": image.image.name,
                    "alt_text": image.alt_text,
                    "position": image.position,
                    "renditions": [r["name"] for r in image.renditions or []],
                }
                for image in sorted(p.images.all(), key=lambda i: (i.position, i.pk))
            ],
        }
        for p in products
    ]


def _locations(producer: Producer) -> list[dict]:
    locations = StockLocation.objects.filter(producer=producer).prefetch_related(
        Prefetch(
            "balances",
            queryset=StockBalance.objects.select_related("material").order_by("material__sku"),
        )
    )
    return [
        {
            "code": location.code,
            "name": location.name,
            "shared": location.shared,
            "balances": [
                {
                    "material": b.material.sku,
                    "name": b.material.name,
                    "unit": b.material.unit,
                    "on_hand": b.on_hand,
                    "reserved": b.reserved,
                }
                for b in location.balances.all()
            ],
        }
        for location in locations.order_by("code")
    ]


def _ledger(producer: Producer) -> list[dict]:
    """Movements at its own locations, and those made for it elsewhere (the shared store)."""
    movements = (
        StockMovement.objects.filter(Q(location__producer=producer) | Q(producer=producer))
        .select_related("material", "location", "created_by")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": m.pk,
            "at": m.created_at,
            "location": m.location.code,
            "material": m.material.sku,
            "kind": m.kind,
            "quantity": m.quantity,
            "on_hand_after": m.on_hand_after,
            "reserved_after": m.reserved_after,
            "unit_cost": m.unit_cost,
            "reason": m.reason,
            "reference": m.reference,
            "by": _username(m.created_by),
        }
        for m in movements.iterator(chunk_size=2000)
    ]


def _jobs(producer: Producer) -> list[dict]:
    jobs = (
        Job.objects.filter(producer=producer)
        .select_related("order")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("pk")),
            Prefetch(
                "transitions",
                queryset=JobTransition.objects.select_related("by").order_by("created_at", "pk"),
            ),
        )
        .order_by("created_at", "pk")
    )
    exported = []
    for job in jobs:
        order = job.order
        customer = {"name": order.contact_name, "phone": order.contact_phone}
        if order.delivery_address:
            customer["delivery_address"] = order.delivery_address
        exported.append(
            {
                "id": job.pk,
                "order_number": order.number,
                "fulfilment": order.fulfilment,
                "customer": customer,
                "status": job.status,
                "due_date": job.due_date,
                "routing_reason": job.routing_reason,
                "total": job.total,
                "decline_reason": job.decline_reason,
                "created_at": job.created_at,
                "lines": [
                    {
                        "product": line.product.slug,
                        "title": line.title,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "line_total": line.line_total,
                        "cancelled": line.cancelled,
                    }
                    for line in job.lines.all()
                ],
                "transitions": [
                    {
                        "from": t.from_status,
                        "to": t.to_status,
                        "by": _username(t.by),
                        "note": t.note,
                        "at": t.created_at,
                    }
                    for t in job.transitions.all()
                ],
            }
        )
    return exported


def _payouts(producer: Producer) -> list[dict]:
    payouts = Payout.objects.filter(producer=producer).select_related("job").order_by("pk")
    return [
        {
            "job": p.job_id,
            "amount": p.amount,
            "community_share": p.community_share,
            "community_percent": p.community_percent,
            "status": p.status,
            "destination": p.destination,
            "stripe_transfer_id": p.stripe_transfer_id,
            "paid_at": p.paid_at,
            "created_at": p.created_at,
        }
        for p in payouts
    ]


def export_producer(producer: Producer) -> dict:
    return {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now(),
        "producer": _producer(producer),
        "members": _members(producer),
        "products": _products(producer),
        "stock_locations": _locations(producer),
        "stock_ledger": _ledger(producer),
        "jobs": _jobs(producer),
        "payouts": _payouts(producer),
    }


# The zip is written to memory up to this size, then to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
# Pictures beyond this many bytes in all are listed in the JSON but left out of the zip.
MAX_PICTURE_BYTES = 256 * 1024 * 1024

# (file name, columns, rows from the export): one CSV per table.
TABLES = {
    "members": ["username", "role", "since"],
    "products": [
        "slug",
        "title",
        "description",
        "category",
        "price",
        "status",
        "fulfilment",
        "lead_time_days",
        "open_design",
        "required_capabilities",
        "stock_item",
        "published_at",
        "created_at",
    ],
    "bill_of_materials": ["product", "material", "name", "quantity"],
    "product_images": ["product", "name", "alt_text", "position", "renditions"],
    "stock_locations": ["code", "name", "shared"],
    "stock_balances": ["location", "material", "name", "unit", "on_hand", "reserved"],
    "stock_ledger": [
        "id",
        "at",
        "location",
        "material",
        "kind",
        "quantity",
        "on_hand_after",
        "reserved_after",
        "unit_cost",
        "reason",
        "reference",
        "by",
    ],
    "jobs": [
        "id",
        "order_number",
        "fulfilment",
        "customer_name",
        "customer_phone",
        "customer_delivery_address",
        "status",
        "due_date",
        "routing_reason",
        "total",
        "decline_reason",
        "created_at",
    ],
    "job_lines": ["job", "product", "title", "quantity", "unit_price", "line_total", "cancelled"],
    "job_transitions": ["job", "from", "to", "by", "note", "at"],
    "payouts": [
        "job",
        "amount",
        "community_share",
        "community_percent",
        "status",
        "destination",
        "stripe_transfer_id",
        "paid_at",
        "created_at",
    ],
}


def spreadsheet_safe(value) -> str:
    """A cell as text; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows(data: dict) -> dict[str, list[dict]]:
    """The nested export flattened into one list of rows per table."""
    products, bom, images = [], [], []
    for product in data["products"]:
        products.append(
            {**product, "required_capabilities": " ".join(product["required_capabilities"])}
        )
        bom += [{"product": product["slug"], **line} for line in product["bill_of_materials"]]
        images += [
            {**image, "product": product["slug"], "renditions": " ".join(image["renditions"])}
            for image in product["images"]
        ]
    balances = [
        {"location": location["code"], **balance}
        for location in data["stock_locations"]
        for balance in location["balances"]
    ]
    jobs, lines, transitions = [], [], []
    for job in data["jobs"]:
        customer = job["customer"]
        jobs.append(
            {
                **job,
                "customer_name": customer.get("name"),
                "customer_phone": customer.get("phone"),
                "customer_delivery_address": customer.get("delivery_address"),
            }
        )
        lines += [{"job": job["id"], **line} for line in job["lines"]]
        transitions += [{"job": job["id"], **step} for step in job["transitions"]]
    return {
        "members": data["members"],
        "products": products,
        "bill_of_materials": bom,
        "product_images": images,
        "stock_locations": data["stock_locations"],
        "stock_balances": balances,
        "stock_ledger": data["stock_ledger"],
        "jobs": jobs,
        "job_lines": lines,
        "job_transitions": transitions,
        "payouts": data["payouts"],
    }


def write_csv(file, columns: list[str], rows) -> None:
    writer = csv.writer(file)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(column)) for column in columns])


def _add_pictures(archive: zipfile.ZipFile, data: dict) -> list[str]:
    """Each product picture's original file under pictures/; returns the names left out."""
    left_out, total = [], 0
    for product in data["products"]:
        for image in product["images"]:
            name = image["name"]
            try:
                size = default_storage.size(name)
                if total + size > MAX_PICTURE_BYTES:
                    left_out.append(name)
                    continue
                with (
                    default_storage.open(name, "rb") as source,
                    archive.open(f"pictures/{name}", "w") as target,
                ):
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
                total += size
            except OSError:
                left_out.append(name)
    return left_out


def producer_export_zip(producer: Producer):
    """The co-op's export as one zip: export.json, csv/<table>.csv, pictures/<file>.

    Returns an open binary file at its start (in memory up to SPOOL_BYTES, then on
    disk); the caller closes it. Pictures beyond MAX_PICTURE_BYTES are named in the
    JSON's `pictures_left_out` instead.
    """
    data = export_producer(producer)
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned open
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        data["pictures_left_out"] = _add_pictures(archive, data)
        archive.writestr(
            "export.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        producer_row = {
            **data["producer"],
            "capabilities": " ".join(data["producer"]["capabilities"]),
        }
        text = io.StringIO()
        write_csv(text, [*PRODUCER_FIELDS, "capabilities"], [producer_row])
        archive.writestr("csv/producer.csv", text.getvalue())
        for table, rows in _rows(data).items():
            text = io.StringIO()
            write_csv(text, TABLES[table], rows)
            archive.writestr(f"csv/{table}.csv", text.getvalue())
    file.seek(0)
    return file
