"""Who may call which API route: one table, checked against every route in the URL conf.

Each row is `(route name, method, target)`. The target says whose objects fill the URL
kwargs (and the body, for writes): "A" for co-op A's, "B" for co-op B's (the *other*
co-op, as seen by co-op A's member and manager), "-" for routes with no co-op's object.
Routes that take a co-op's object need both an "A" and a "B" row.

Every cell is either the success of the action or a refusal. A write is sent with a
body the action accepts, so an allowed cell gets exactly its success status (200, 201
or 204) and a refused one gets 401, 403 or 404 — or, when the body names an object the
caller may not see, a 400 naming that field (`Hidden`), which is a 404 said of a body.
A 400 or 409 for any other reason fails the table: it means the body, not the caller,
was refused, and the cell proves nothing. Every request runs in a savepoint that is
rolled back, so each one sees the same data.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from catalog.models import Product, StockMovement
from catalog.services.images import product_image_add
from catalog.services.offcuts import offcut_record
from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from community.services.fund import adjustment_record
from fablab.services.certifications import certification_grant
from orders.models import Payment, PickupPoint, WebhookDelivery
from orders.services import job_accept, job_ready, job_start
from producers.models import Membership
from producers.permissions import forget_roles
from producers.tokens import api_token_issue
from tests import design_samples
from tests.community.rounds import budgeting_world
from tests.fablab.matrix_world import bookings_world
from tests.factories import (
    CapabilityFactory,
    CategoryFactory,
    FabLabFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    StockLocationFactory,
    UserFactory,
    make_product,
    place,
)
from tests.images import jpeg, upload

PASSWORD = "pass-word-123"  # every UserFactory user's

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
# Stripe's webhook authenticates by signature, not by user: its own tests cover it.
SKIPPED_ROUTES = {"stripe-webhook"}
ROLES = ("anon", "resident", "member", "manager", "fablab", "staff")
WRITE_METHODS = ("post", "put", "patch", "delete")
SUCCESS = frozenset({200, 201, 204})
REFUSED = frozenset({401, 403, 404})
SHARED_OBJECT_ROUTES = {"capability-detail", "category-detail", "material-detail"}
# Budgeting rounds belong to the whole network, not to a co-op.
SHARED_OBJECT_ROUTES |= {
    "round-detail",
    "round-proposals",
    "round-ballot",
    "round-results",
    "round-publish",
    "proposal-moderate",
    "proposal-disburse",
}


@dataclass(frozen=True)
class Hidden:
    """A 400 whose errors name `field`: the body names an object the caller may not see."""

    field: str

    def matches(self, response) -> bool:
        if response.status_code != 400:
            return False
        return self.field in response.json().get("errors", {})

    def __str__(self) -> str:
        return f"400 naming {self.field!r}"


def answers(expected, response) -> bool:
    if isinstance(expected, Hidden):
        return expected.matches(response)
    return response.status_code == expected


LOCATION, SOURCE = Hidden("location"), Hidden("source")


def everyone(status):
    return dict.fromkeys(ROLES, status)


def roles(anon, resident, member, manager, fablab, staff):
    return dict(zip(ROLES, (anon, resident, member, manager, fablab, staff), strict=True))


# The answers: who gets what, route by route.
MATRIX = {
    ("root", "get", "-"): everyone(200),
    ("auth-token", "post", "-"): everyone(200),
    ("me", "get", "-"): roles(401, 200, 200, 200, 200, 200),
    # API tokens: only your own, not even staff see another's.
    ("auth-token-list", "get", "-"): roles(401, 200, 200, 200, 200, 200),
    ("auth-token-detail", "delete", "A"): roles(401, 404, 404, 204, 404, 404),
    ("auth-token-detail", "delete", "B"): roles(401, 404, 404, 404, 404, 404),
    # Producers: public read; managers edit their own; staff add and edit all.
    ("producer-list", "get", "-"): everyone(200),
    ("producer-list", "post", "-"): roles(401, 403, 403, 403, 403, 201),
    ("producer-detail", "get", "A"): everyone(200),
    ("producer-detail", "get", "B"): everyone(200),
    ("producer-detail", "patch", "A"): roles(401, 403, 403, 200, 403, 200),
    ("producer-detail", "patch", "B"): roles(401, 403, 403, 403, 403, 200),
    ("producer-members", "get", "A"): roles(401, 403, 200, 200, 403, 200),
    ("producer-members", "get", "B"): roles(401, 403, 403, 403, 403, 200),
    ("producer-members", "post", "A"): roles(401, 403, 403, 201, 403, 201),
    ("producer-members", "post", "B"): roles(401, 403, 403, 403, 403, 201),
    ("producer-member-detail", "patch", "A"): roles(401, 403, 403, 200, 403, 200),
    ("producer-member-detail", "patch", "B"): roles(401, 403, 403, 403, 403, 200),
    ("producer-member-detail", "delete", "A"): roles(401, 403, 403, 204, 403, 204),
    ("producer-member-detail", "delete", "B"): roles(401, 403, 403, 403, 403, 204),
    ("producer-rotate-webhook-secret", "post", "A"): roles(401, 403, 403, 200, 403, 200),
    ("producer-rotate-webhook-secret", "post", "B"): roles(401, 403, 403, 403, 403, 200),
    ("producer-webhook-deliveries", "get", "A"): roles(401, 403, 200, 200, 403, 200),
    ("producer-webhook-deliveries", "get", "B"): roles(401, 403, 403, 403, 403, 200),
    ("capability-list", "get", "-"): everyone(200),
    ("capability-detail", "get", "-"): everyone(200),
    ("category-list", "get", "-"): everyone(200),
    ("category-detail", "get", "-"): everyone(200),
    # Products: the detail row points at each co-op's draft, the others at published goods.
    ("product-list", "get", "-"): everyone(200),
    ("product-list", "post", "A"): roles(401, 403, 201, 201, 403, 201),
    ("product-list", "post", "B"): roles(401, 403, 403, 403, 403, 201),
    ("product-detail", "get", "A"): roles(404, 404, 200, 200, 404, 200),
    ("product-detail", "get", "B"): roles(404, 404, 404, 404, 404, 200),
    ("product-detail", "patch", "A"): roles(401, 404, 200, 200, 404, 200),
    ("product-detail", "patch", "B"): roles(401, 404, 404, 404, 404, 200),
    ("product-detail", "delete", "A"): roles(401, 404, 204, 204, 404, 204),
    ("product-detail", "delete", "B"): roles(401, 404, 404, 404, 404, 204),
    ("product-bom", "get", "A"): everyone(200),
    ("product-bom", "get", "B"): everyone(200),
    ("product-bom", "put", "A"): roles(401, 403, 200, 200, 403, 200),
    ("product-bom", "put", "B"): roles(401, 403, 403, 403, 403, 200),
    ("product-stock", "get", "A"): roles(401, 403, 200, 200, 403, 200),
    ("product-stock", "get", "B"): roles(401, 403, 403, 403, 403, 200),
    ("product-stock", "post", "A"): roles(401, 403, 201, 201, 403, 201),
    ("product-stock", "post", "B"): roles(401, 403, 403, 403, 403, 201),
    ("product-images", "get", "A"): roles(401, 403, 200, 200, 403, 200),
    ("product-images", "get", "B"): roles(401, 403, 403, 403, 403, 200),
    ("product-images", "post", "A"): roles(401, 403, 201, 201, 403, 201),
    ("product-images", "post", "B"): roles(401, 403, 403, 403, 403, 201),
    ("product-image-detail", "patch", "A"): roles(401, 403, 200, 200, 403, 200),
    ("product-image-detail", "patch", "B"): roles(401, 403, 403, 403, 403, 200),
    ("product-image-detail", "delete", "A"): roles(401, 403, 204, 204, 403, 204),
    ("product-image-detail", "delete", "B"): roles(401, 403, 403, 403, 403, 204),
    # Materials: anyone reads; Fab Lab staff (and platform staff) write.
    ("material-list", "get", "-"): everyone(200),
    ("material-list", "post", "-"): roles(401, 403, 403, 403, 201, 201),
    ("material-detail", "get", "-"): everyone(200),
    ("material-detail", "patch", "-"): roles(401, 403, 403, 403, 200, 200),
    # Stock: network members only; another co-op's shelf reads as unknown (404, or 400
    # when named in a body).
    ("stock-location-list", "get", "-"): roles(401, 403, 200, 200, 200, 200),
    ("stock-location-list", "post", "A"): roles(401, 403, 201, 201, 403, 201),
    ("stock-location-list", "post", "B"): roles(401, 403, 403, 403, 403, 201),
    ("stock-location-detail", "get", "A"): roles(401, 403, 200, 200, 404, 200),
    ("stock-location-detail", "get", "B"): roles(401, 403, 404, 404, 404, 200),
    ("stock-balance-list", "get", "-"): roles(401, 403, 200, 200, 200, 200),
    ("stock-movement-list", "get", "-"): roles(401, 403, 200, 200, 200, 200),
    ("stock-movement-detail", "get", "A"): roles(401, 403, 200, 200, 404, 200),
    ("stock-movement-detail", "get", "B"): roles(401, 403, 404, 404, 404, 200),
    ("stock-receipts", "post", "A"): roles(401, 403, 201, 201, LOCATION, 201),
    ("stock-receipts", "post", "B"): roles(401, 403, LOCATION, LOCATION, LOCATION, 201),
    ("stock-drawdowns", "post", "A"): roles(401, 403, 201, 201, LOCATION, 201),
    ("stock-drawdowns", "post", "B"): roles(401, 403, LOCATION, LOCATION, LOCATION, 201),
    ("stock-adjustments", "post", "A"): roles(401, 403, 201, 201, LOCATION, 201),
    ("stock-adjustments", "post", "B"): roles(401, 403, LOCATION, LOCATION, LOCATION, 201),
    ("stock-transfers", "post", "A"): roles(401, 403, 201, 201, SOURCE, 201),
    ("stock-transfers", "post", "B"): roles(401, 403, SOURCE, SOURCE, SOURCE, 201),
    ("report-materials-usage", "get", "-"): roles(401, 403, 200, 200, 200, 200),
    ("report-community-wealth", "get", "-"): everyone(200),
    # Orders: anyone places one; only its customer (or staff) sees it, others get 404.
    ("order-list", "get", "-"): roles(401, 200, 200, 200, 200, 200),
    ("order-list", "post", "-"): everyone(201),
    ("order-detail", "get", "A"): roles(404, 200, 404, 404, 404, 200),
    ("order-detail", "get", "B"): roles(404, 404, 404, 404, 404, 200),
    ("order-cancel", "post", "A"): roles(404, 200, 404, 404, 404, 200),
    ("order-cancel", "post", "B"): roles(404, 404, 404, 404, 404, 200),
    ("order-checkout", "post", "A"): roles(404, 200, 404, 404, 404, 200),
    ("order-checkout", "post", "B"): roles(404, 404, 404, 404, 404, 200),
    # Jobs: the producer's members move them; everyone else does not see them.
    ("job-list", "get", "-"): roles(401, 200, 200, 200, 200, 200),
    ("job-detail", "get", "A"): roles(401, 404, 200, 200, 404, 200),
    ("job-detail", "get", "B"): roles(401, 404, 404, 404, 404, 200),
}
# Pickup points: anyone reads them; their keepers (A's is kept by the Fab Lab, B's by
# co-op B) see the parts due in and mark them arrived.
MATRIX |= {
    ("pickup-point-list", "get", "-"): everyone(200),
    ("pickup-point-detail", "get", "A"): everyone(200),
    ("pickup-point-detail", "get", "B"): everyone(200),
    ("pickup-point-jobs", "get", "A"): roles(401, 403, 403, 403, 200, 200),
    ("pickup-point-jobs", "get", "B"): roles(401, 403, 403, 403, 403, 200),
    ("pickup-point-arrived", "post", "A"): roles(401, 403, 403, 403, 200, 200),
    ("pickup-point-arrived", "post", "B"): roles(401, 403, 403, 403, 403, 200),
}
# The community fund: anyone reads its figures and ledger; only platform staff record
# what it pays out and its corrections.
MATRIX |= {
    ("community-fund", "get", "-"): everyone(200),
    ("community-fund-entries", "get", "-"): everyone(200),
    ("community-disbursements", "get", "-"): everyone(200),
    ("community-disbursements", "post", "-"): roles(401, 403, 403, 403, 403, 201),
    ("community-fund-adjustments", "post", "-"): roles(401, 403, 403, 403, 403, 201),
}
# Budgeting rounds: anyone reads; verified residents and co-op members (not the unverified
# "resident" here, nor staff without a verified email) propose and vote; staff open rounds,
# moderate, publish results and pay the winners.
MATRIX |= {
    ("round-list", "get", "-"): everyone(200),
    ("round-list", "post", "-"): roles(401, 403, 403, 403, 403, 201),
    ("round-detail", "get", "-"): everyone(200),
    ("round-proposals", "get", "-"): everyone(200),
    ("round-proposals", "post", "-"): roles(401, 403, 201, 201, 201, 403),
    ("round-ballot", "get", "-"): roles(401, 200, 200, 200, 200, 200),
    ("round-ballot", "put", "-"): roles(401, 403, 200, 200, 200, 403),
    ("round-results", "get", "-"): everyone(200),
    ("round-publish", "post", "-"): roles(401, 403, 403, 403, 403, 200),
    ("proposal-moderate", "post", "-"): roles(401, 403, 403, 403, 403, 200),
    ("proposal-disburse", "post", "-"): roles(401, 403, 403, 403, 403, 201),
    ("my-proposal-list", "get", "-"): roles(401, 200, 200, 200, 200, 200),
}
# The Fab Lab: machine time booked per co-op, like materials used.
MATRIX |= {
    ("report-machine-usage", "get", "-"): roles(401, 403, 200, 200, 200, 200),
}
# Fab Lab certifications: a signed-in user reads their own and their co-ops' people's;
# Fab Lab staff (and platform staff) read all and certify, renew and revoke. Each side's
# row is a certification held by that co-op's member.
MATRIX |= {
    ("certification-list", "get", "-"): roles(401, 200, 200, 200, 200, 200),
    ("certification-list", "post", "-"): roles(401, 403, 403, 403, 201, 201),
    ("certification-detail", "get", "A"): roles(401, 404, 200, 200, 200, 200),
    ("certification-detail", "get", "B"): roles(401, 404, 404, 404, 200, 200),
    ("certification-detail", "patch", "A"): roles(401, 404, 403, 403, 200, 200),
    ("certification-detail", "patch", "B"): roles(401, 404, 404, 404, 200, 200),
    ("certification-detail", "delete", "A"): roles(401, 404, 403, 403, 204, 204),
    ("certification-detail", "delete", "B"): roles(401, 404, 404, 404, 204, 204),
}
for _action in ("accept", "decline", "start", "ready", "hand-over", "no-show"):
    MATRIX[(f"job-{_action}", "post", "A")] = roles(401, 404, 200, 200, 404, 200)
    MATRIX[(f"job-{_action}", "post", "B")] = roles(401, 404, 404, 404, 404, 200)
# Fab Lab machines and bookings: co-op members (and staff) only. A co-op sees the Fab
# Lab's machines and its own; Fab Lab staff see every machine and booking. Members book
# for their own co-op; the booker, the co-op's managers, Fab Lab staff and platform staff
# move and cancel a booking.
PRODUCER = Hidden("producer")
MATRIX |= {
    ("machine-list", "get", "-"): roles(401, 403, 200, 200, 200, 200),
    ("machine-detail", "get", "A"): roles(401, 403, 200, 200, 200, 200),
    ("machine-detail", "get", "B"): roles(401, 403, 404, 404, 200, 200),
    ("booking-list", "get", "-"): roles(401, 403, 200, 200, 200, 200),
    ("booking-list", "post", "A"): roles(401, 403, 201, 201, PRODUCER, 201),
    ("booking-list", "post", "B"): roles(401, 403, PRODUCER, PRODUCER, PRODUCER, 201),
    ("booking-detail", "get", "A"): roles(401, 403, 200, 200, 200, 200),
    ("booking-detail", "get", "B"): roles(401, 403, 404, 404, 200, 200),
    ("booking-detail", "patch", "A"): roles(401, 403, 200, 200, 200, 200),
    ("booking-detail", "patch", "B"): roles(401, 403, 404, 404, 200, 200),
    ("booking-cancel", "post", "A"): roles(401, 403, 200, 200, 200, 200),
    ("booking-cancel", "post", "B"): roles(401, 403, 404, 404, 200, 200),
}


# Offcuts: network members search the shared racks and their own shelves; a co-op
# records, draws down and throws away pieces on its own shelves only.
MATRIX |= {
    ("offcut-list", "get", "-"): roles(401, 403, 200, 200, 200, 200),
    ("offcut-list", "post", "A"): roles(401, 403, 201, 201, LOCATION, 201),
    ("offcut-list", "post", "B"): roles(401, 403, LOCATION, LOCATION, LOCATION, 201),
    ("offcut-detail", "get", "A"): roles(401, 403, 200, 200, 404, 200),
    ("offcut-detail", "get", "B"): roles(401, 403, 404, 404, 404, 200),
    ("offcut-draw-down", "post", "A"): roles(401, 403, 200, 200, 404, 200),
    ("offcut-draw-down", "post", "B"): roles(401, 403, 404, 404, 404, 200),
    ("offcut-discard", "post", "A"): roles(401, 403, 200, 200, 404, 200),
    ("offcut-discard", "post", "B"): roles(401, 403, 404, 404, 404, 200),
}


def api_routes():
    """(name, kwarg names, methods) of every route under `api/v1/`, read from the URL conf."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith(API_PREFIX):
                found.append(
                    (pattern.name, set(pattern.pattern.regex.groupindex), _methods(pattern))
                )

    walk(get_resolver().url_patterns, "")
    return found


def _methods(pattern: URLPattern) -> set[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        # DRF adds HEAD to this dict on the first GET; HEAD answers as GET does.
        return set(actions) & {"get", *WRITE_METHODS}
    view_class = callback.view_class
    return {m for m in ("get", *WRITE_METHODS) if hasattr(view_class, m)}


def photo():
    return upload(jpeg(size=(64, 48)))


# Job action -> the moves that bring a fresh job to where that action applies.
JOB_SETUP = {
    "accept": [],
    "decline": [],
    "start": [job_accept],
    "ready": [job_accept, job_start],
    "hand-over": [job_accept, job_start, job_ready],
    "no-show": [job_accept, job_start, job_ready],
}


class Side:
    """One co-op's objects."""

    def __init__(self, name: str, material, buyer):
        self.producer = ProducerFactory(
            slug=f"coop-{name}", name=f"Co-op {name}", contact_email=f"private-{name}@example.net"
        )
        self.manager = MembershipFactory(
            producer=self.producer, role=Membership.Role.MANAGER, user=UserFactory()
        ).user
        self.membership = MembershipFactory(producer=self.producer, user=UserFactory())
        self.token, _ = api_token_issue(user=self.manager)
        self.product = make_product(producer=self.producer, title=f"Stool {name}")
        product_stock_receive(product=self.product, quantity=10, by=None, reason="made")
        self.draft = make_product(
            producer=self.producer,
            title=f"Secret {name}",
            slug=f"secret-draft-{name}",
            status=Product.Status.DRAFT,
        )
        self.image = product_image_add(product=self.product, upload=photo(), alt_text="A stool")
        self.shelf = StockLocationFactory(producer=self.producer, code=f"private-shelf-{name}")
        self.back_room = StockLocationFactory(producer=self.producer, code=f"back-room-{name}")
        stock_receive(material=material, location=self.shelf, quantity="5", by=None, reason="in")
        self.movement = StockMovement.objects.filter(location=self.shelf).latest("id")
        self.order = self._order(buyer)
        self.job = self.order.jobs.get()
        self.card_order = self._order(buyer, payment_method="stripe")
        # A payment page already open: the checkout answers with it, Stripe is not asked.
        Payment.objects.create(
            order=self.card_order,
            amount=self.card_order.total,
            status=Payment.Status.OPEN,
            session_expires_at=timezone.now() + datetime.timedelta(minutes=30),
            checkout_session_id=f"cs_test_{name}",
            checkout_url=f"https://checkout.stripe.test/{name}",
        )
        self.jobs = {}
        for action, moves in JOB_SETUP.items():
            job = self._order(buyer).jobs.get()
            for move in moves:
                job = move(job=job, by=self.manager)
            self.jobs[action] = job
        self.delivery = WebhookDelivery.objects.create(
            producer=self.producer,
            job=self.job,
            event="job.routed",
            message_id=f"msg-private-{name}",
            payload={},
        )
        self.spool = MaterialFactory(sku=f"PLA-{name.upper()}", unit="kg")
        stock_receive(material=self.spool, location=self.shelf, quantity="2", by=None, reason="in")
        self.offcut = offcut_record(
            material=self.spool,
            location=self.shelf,
            amount="0.5",
            kept_at="Spool shelf",
            source="Job 3",
            by=None,
        )

    def _order(self, buyer, payment_method="pay_at_pickup"):
        return place((self.product, 1), customer=buyer, payment_method=payment_method)

    def markers(self) -> list[str]:
        """What only this co-op's members (and platform staff) may read."""
        return [
            self.producer.contact_email,
            self.shelf.code,
            self.draft.slug,
            self.order.number,
            self.card_order.number,
            self.delivery.message_id,
        ]


class World:
    def __init__(self):
        fablab = FabLabFactory()
        self.shared = SharedLocationFactory(producer=fablab, code="shared-store")
        self.material = MaterialFactory(sku="PLY-SHARED")
        stock_receive(
            material=self.material, location=self.shared, quantity="20", by=None, reason="in"
        )
        self.capability = CapabilityFactory(slug="woodworking")
        self.category = CategoryFactory(slug="furniture")
        self.resident = UserFactory(username="resident")
        self.a = Side("a", self.material, buyer=self.resident)
        self.b = Side("b", self.material, buyer=UserFactory(username="buyer-b"))
        self.users = {
            "anon": None,
            "resident": self.resident,
            "member": self.a.membership.user,
            "manager": self.a.manager,
            "fablab": MembershipFactory(producer=fablab, user=UserFactory()).user,
            "staff": UserFactory(username="platform", is_staff=True),
        }
        for side, keeper in ((self.a, fablab), (self.b, self.b.producer)):
            side.point = PickupPoint.objects.create(
                slug=f"point-{side.producer.slug}",
                name=f"Point {side.producer.slug}",
                address="1000 W Capitol St",
                opening_hours="Tue–Sat 10 am–6 pm",
                keeper=keeper,
            )
            order = place((side.product, 1), customer=self.resident, pickup_point=side.point)
            job = order.jobs.get()
            for move in JOB_SETUP["hand-over"]:
                job = move(job=job, by=None)
            side.point_job = job
        # Something in the community fund, so that staff can pay out of it.
        adjustment_record(amount=Decimal("50.00"), reason="Opening", by=self.users["staff"])
        self.budgeting = budgeting_world()
        self.fablab = bookings_world(self)
        for side in (self.a, self.b):
            side.certification = certification_grant(
                person=side.membership.user,
                capability=self.capability,
                expires_on=timezone.localdate() + datetime.timedelta(days=200),
                by=None,
            )

    def kwargs(self, name: str, names: set[str], side: Side | None) -> dict:
        if side is None:
            slug = self.capability.slug if name == "capability-detail" else self.category.slug
            values = {"slug": slug, "sku": self.material.sku, **self.budgeting.kwargs(name)}
            return {key: values[key] for key in names}
        values = {
            "slug": self._slug(name, side),
            "code": side.shelf.code,
            "number": side.card_order.number if name == "order-checkout" else side.order.number,
            "membership_id": side.membership.pk,
            "pk": self._pk(name, side),
            "job_id": side.point_job.pk,
        }
        return {key: values[key] for key in names}

    @staticmethod
    def _slug(name: str, side: Side) -> str:
        if name.startswith("machine-"):
            return side.machine.slug
        if name == "product-detail":
            return side.draft.slug
        if name.startswith("pickup-point-"):
            return side.point.slug
        if name.startswith("product-"):
            return side.product.slug
        return side.producer.slug

    @staticmethod
    def _pk(name: str, side: Side) -> int:
        if name.startswith("booking-"):
            return side.booking.pk
        if name == "certification-detail":
            return side.certification.pk
        if name == "job-detail":
            return side.job.pk
        if name.startswith("job-"):
            return side.jobs[name.removeprefix("job-")].pk
        if name == "stock-movement-detail":
            return side.movement.pk
        if name == "auth-token-detail":
            return side.token.pk
        if name.startswith("offcut-"):
            return side.offcut.pk
        return side.image.pk

    def body(self, name: str, side: Side | None) -> dict:
        """A body the action accepts from a caller who may take it (a fresh one each call)."""
        location = side.shelf.code if side else None
        stock = {"material": self.material.sku, "reason": "checking", "quantity": "1"}
        bodies = {
            "auth-token": {"username": self.resident.username, "password": PASSWORD},
            "producer-list": {"name": "Northside Bike Co-op", "slug": "northside-bikes"},
            "producer-members": {"username": "resident"},
            "producer-member-detail": {"role": "manager"},
            "product-list": {
                "title": "A new lamp",
                "price": "10.00",
                "producer": side.producer.slug if side else None,
            },
            "product-bom": {"lines": [{"material": self.material.sku, "quantity": "2"}]},
            "product-stock": {"action": "receipt", "quantity": "1", "reason": "made"},
            "product-images": {"image": photo(), "alt_text": "A stool, front view"},
            "product-image-detail": {"alt_text": "A stool, side view"},
            "material-list": {
                "sku": "FELT-3MM",
                "name": "Wool felt 3 mm",
                "unit": "sheet",
                "category": "fabric",
                "unit_cost": "4.50",
            },
            "material-detail": {"reorder_point": "4"},
            "stock-location-list": {
                "code": "new-shelf",
                "name": "New shelf",
                "shared": False,
                "producer": side.producer.slug if side else None,
            },
            "stock-receipts": {**stock, "location": location},
            "stock-drawdowns": {**stock, "location": location},
            "stock-adjustments": {**stock, "location": location, "counted": "3"},
            # Between the co-op's own shelves: who may move stock in and out of the
            # shared store is a rule of its own, tested with the stock services.
            "stock-transfers": {
                **stock,
                "source": location,
                "destination": side.back_room.code if side else None,
            },
            "order-list": {
                "lines": [{"product": self.a.product.slug, "quantity": 1}],
                "contact": {"name": "Pat Doe", "email": "pat@example.org"},
                "fulfilment": "pickup",
                "payment_method": "pay_at_pickup",
            },
            "job-decline": {"reason": "No time this week"},
            "community-disbursements": {
                "amount": "12.50",
                "paid_to": "Westside Garden",
                "purpose": "Seed",
            },
            "community-fund-adjustments": {"amount": "-1.00", "reason": "Bank fee"},
            "job-hand-over": {
                "payment": {"method": "cash", "amount": str(side.jobs["hand-over"].total)}
            }
            if side
            else {},
        }
        bodies |= self.budgeting.bodies()
        bodies |= self.fablab.bodies(side)
        bodies["certification-list"] = {
            "person": self.resident.username,
            "capability": self.capability.slug,
            "expires_on": (timezone.localdate() + datetime.timedelta(days=365)).isoformat(),
        }
        bodies["certification-detail"] = {
            "expires_on": (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
        }
        bodies["product-design-files"] = {"file": upload_design()}
        bodies |= {
            "offcut-list": {
                "material": side.spool.sku if side else None,
                "location": location,
                "amount": "0.2",
                "kept_at": "Bin 2",
                "source": "Job 4",
            },
            "offcut-draw-down": {"reason": "Test print"},
            "offcut-discard": {"reason": "Tangled"},
        }
        return bodies.get(name, {})


def call(api, user, method: str, url: str, body: dict):
    if user is not None:
        forget_roles(user)
    api.force_authenticate(user=user)
    files = any(hasattr(value, "read") for value in body.values())
    with transaction.atomic():
        if method == "get":
            response = api.get(url)
        else:
            response = getattr(api, method)(url, body, format="multipart" if files else "json")
        transaction.set_rollback(True)
    return response


def test_every_cell_is_a_success_or_a_refusal():
    odd = [
        (row, role, expected)
        for row, cells in MATRIX.items()
        for role, expected in cells.items()
        if not (isinstance(expected, Hidden) or expected in SUCCESS | REFUSED)
    ]

    assert not odd, "a 400 or 409 in the table says nothing about who may act"


def test_every_api_route_answers_each_role_as_the_permission_table_says(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = World()
    sides = {"A": world.a, "B": world.b, "-": None}
    routes = [r for r in api_routes() if r[0] not in SKIPPED_ROUTES]
    assert len(routes) > 40, "the walk of the URL conf found too few routes"

    problems = []
    seen = set()
    for name, kwarg_names, methods in routes:
        for method in sorted(methods):
            targets = [t for t in sides if (name, method, t) in MATRIX]
            if not targets:
                problems.append(f"new route without a permission row: {name} {method.upper()}")
                continue
            owned = bool(kwarg_names) and name not in SHARED_OBJECT_ROUTES
            if owned and set(targets) != {"A", "B"}:
                problems.append(f"{name} {method.upper()} needs both an A and a B row")
            for target in targets:
                seen.add((name, method, target))
                side = sides[target]
                url = reverse(f"api:{name}", kwargs=world.kwargs(name, kwarg_names, side))
                for role, expected in MATRIX[(name, method, target)].items():
                    body = world.body(name, side)
                    sent = url + json.dumps(body, default=str)
                    response = call(api, world.users[role], method, url, body)
                    if not answers(expected, response):
                        problems.append(
                            f"{method.upper()} {url} [{target}] as {role}: "
                            f"{response.status_code} {response.content[:200]!r}, "
                            f"expected {expected}"
                        )
                    if role == "staff":
                        continue
                    text = response.content.decode(errors="replace")
                    # What the caller sent itself (a code in a 400 body) is no leak.
                    for marker in world.b.markers():
                        if marker in text and marker not in sent:
                            problems.append(f"{method.upper()} {url} as {role} leaks {marker!r}")

    stale = set(MATRIX) - seen
    problems.extend(f"row for a route that is gone: {row}" for row in sorted(stale))
    assert not problems, "\n".join(problems)


# --- Design files: the producer's members list and upload them ---------------------------


def upload_design():
    return design_samples.upload("frame.svg", design_samples.SVG)


MATRIX |= {
    ("product-design-files", "get", "A"): roles(401, 403, 200, 200, 403, 200),
    ("product-design-files", "get", "B"): roles(401, 403, 403, 403, 403, 200),
    ("product-design-files", "post", "A"): roles(401, 403, 201, 201, 403, 201),
    ("product-design-files", "post", "B"): roles(401, 403, 403, 403, 403, 201),
}
