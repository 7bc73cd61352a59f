"""`manage.py export_producer <slug>`: everything one co-op owns on the platform, as JSON.

For a co-op leaving the platform or keeping its own records. Only its own rows:
its producer record (never the webhook signing secrets), members, products with
their bills of materials and picture names, its stock locations with balances
and ledger, its jobs with their lines and history, and its payouts. Customers
appear as in the webhook payload: name, phone and delivery address, never the
email or the order's access token.
"""

import json

from django.core.management.base import BaseCommand, CommandError
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


class Command(BaseCommand):
    help = (
        "Write one co-op's own data (record, members, products, stock, jobs, payouts) as "
        "JSON, without its webhook signing secrets."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The producer's slug.")
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, slug: str, output: str | None = None, **options):
        producer = Producer.objects.filter(slug=slug).first()
        if producer is None:
            raise CommandError(f"No producer has the slug {slug!r}.")
        text = json.dumps(export_producer(producer), cls=DjangoJSONEncoder, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            self.stderr.write(f"Wrote {producer.name}'s data to {output}.")
        else:
            self.stdout.write(text)
