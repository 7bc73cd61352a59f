import datetime
from decimal import Decimal

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Category, Material, Product, StockLocation, Unit
from catalog.services.options import FieldSpec, OptionSpec, product_options_set
from catalog.services.products import product_create, product_stock_receive
from fablab.models import Booking, Machine, OpeningHours
from fablab.services.certifications import certification_grant
from orders.services import (
    Contact,
    CounterPaymentInput,
    job_accept,
    job_hand_over,
    job_ready,
    job_start,
    order_place,
    takes_payment_at_counter,
)
from producers.models import Capability, Membership, Producer

# The guest who places the orders of the tests that do not care who buys.
GUEST = Contact(name="Keisha Brown", email="keisha@example.org", phone="601-555-0142")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"capability_{n}")
    name = factory.LazyAttribute(lambda c: c.slug.replace("_", " ").title())


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Co-op {n}")
    slug = factory.Sequence(lambda n: f"coop-{n}")
    kind = Producer.Kind.COOP
    description = "A worker co-op."
    contact_email = factory.LazyAttribute(lambda p: f"{p.slug}@example.org")
    contact_phone = "601-555-0199"

    @factory.post_generation
    def capabilities(self, create, extracted, **kwargs):
        if create and extracted:
            self.capabilities.set(
                [CapabilityFactory(slug=c) if isinstance(c, str) else c for c in extracted]
            )

    @factory.post_generation
    def certified(self, create, extracted, **kwargs):
        """A co-op with capabilities has a member certified for each, unless `certified=False`:
        starting work needs one (see `fablab.services.certifications.require_certified`)."""
        if create and extracted is not False:
            certify_a_member(self)


class FabLabFactory(ProducerFactory):
    class Meta:
        model = Producer
        django_get_or_create = ["kind"]

    name = "Fab Lab"
    slug = "fab-lab"
    kind = Producer.Kind.FABLAB


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    producer = factory.SubFactory(ProducerFactory)
    role = Membership.Role.MEMBER


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    sku = factory.Sequence(lambda n: f"MAT-{n:04d}")
    name = factory.Sequence(lambda n: f"Material {n}")
    unit = Unit.SHEET
    category = Material.Category.SHEET_GOODS
    unit_cost = Decimal("12.5000")


class StockLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLocation

    producer = factory.SubFactory(ProducerFactory)
    code = factory.Sequence(lambda n: f"shelf-{n}")
    name = factory.Sequence(lambda n: f"Shelf {n}")
    shared = False


class SharedLocationFactory(StockLocationFactory):
    producer = factory.SubFactory(FabLabFactory)
    shared = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda c: c.slug.replace("-", " ").title())


def make_product(**fields) -> Product:
    """A product made the way producers make them: through the product service."""
    if "producer" not in fields:
        fields["producer"] = ProducerFactory()
    fields.setdefault("title", f"Product {Product.objects.count() + 1}")
    fields.setdefault("price", Decimal("25.00"))
    fields.setdefault("status", Product.Status.PUBLISHED)
    return product_create(**fields)


def make_stocked_product(*, quantity: int = 5, **fields) -> Product:
    """A finished product with `quantity` made and on the shelf."""
    product = make_product(**fields)
    product_stock_receive(product=product, quantity=quantity, by=None, reason="made")
    return product


def order_body(*lines, **extra) -> dict:
    """The JSON body with which the guest orders through the API: `lines` are
    (product, quantity) pairs; `extra` adds or replaces fields."""
    return {
        "contact": {"name": GUEST.name, "email": GUEST.email, "phone": GUEST.phone},
        "fulfilment": "pickup",
        "payment_method": "pay_at_pickup",
        "lines": [{"product": product.slug, "quantity": quantity} for product, quantity in lines],
        **extra,
    }


def place(*lines, payment_method="pay_at_pickup", customer=None, **kwargs):
    """An order placed through `order_place`: `lines` are (product, quantity) pairs."""
    # Card orders are taken only where Stripe is configured; placing one needs no call to it.
    stripe_key = settings.STRIPE_SECRET_KEY or "sk_test_placing_only"
    with override_settings(STRIPE_SECRET_KEY=stripe_key):
        return order_place(
            customer=customer,
            contact=kwargs.pop("contact", GUEST),
            lines=list(lines),
            fulfilment=kwargs.pop("fulfilment", "pickup"),
            payment_method=payment_method,
            **kwargs,
        )


def hand_over(job, *, payment: CounterPaymentInput | None = None):
    """Move a job through accepted, started and ready to handed over, as its co-op would.

    A pay-at-pickup job is paid in full in cash unless `payment` says otherwise.
    """
    for move in (job_accept, job_start, job_ready):
        job = move(job=job, by=None)
    if payment is None and takes_payment_at_counter(job):
        payment = paid_in_full(job)
    return job_hand_over(job=job, by=None, payment=payment)


def paid_in_full(job, *, method: str = "cash") -> CounterPaymentInput:
    """What a customer pays at the counter for the whole of a pay-at-pickup job."""
    return CounterPaymentInput(method=method, amount=job.total)


# --- Options and personal text ---------------------------------------------------------------


def make_sized_product(*, sizes: dict[str, int], deltas: dict[str, str] | None = None, **fields):
    """A ready-made product with a "Size" option and `sizes[label]` made of each size."""
    product = make_product(**fields)
    deltas = deltas or {}
    product_options_set(
        product=product,
        options=[OptionSpec("Size", [(s, Decimal(deltas.get(s, "0"))) for s in sizes])],
        fields=[],
    )
    for variant in product.variants.filter(active=True):
        count = sizes[variant.label.removeprefix("Size: ")]
        if count:
            product_stock_receive(
                product=product, variant=variant, quantity=count, by=None, reason="made"
            )
    return product


def make_personal_product(*, label="Name to embroider", max_length=30, required=True, **fields):
    """A made-to-order product that takes one personal text."""
    fields.setdefault("fulfilment", Product.Fulfilment.MADE_TO_ORDER)
    product = make_product(**fields)
    product_options_set(
        product=product,
        options=[],
        fields=[FieldSpec(label, max_length=max_length, required=required)],
    )
    return product


def size_variant(product, size: str):
    return product.variants.get(label=f"Size: {size}", active=True)


def certify_a_member(producer, *, capabilities=None, expires_in_days: int = 365):
    """A member of `producer` certified, for a year, for each of `capabilities`
    (by default every capability the producer has). Returns the member, or None
    when there is nothing to certify."""
    capabilities = list(producer.capabilities.all() if capabilities is None else capabilities)
    if not capabilities:
        return None
    maker = UserFactory(username=f"certified-{producer.slug}")
    Membership.objects.get_or_create(user=maker, producer=producer)
    for capability in capabilities:
        certification_grant(
            person=maker,
            capability=capability,
            expires_on=timezone.localdate() + datetime.timedelta(days=expires_in_days),
            by=None,
        )
    return maker


# --- Fab Lab machines and bookings -------------------------------------------------------------


def make_machine(*, name: str = "Laser cutter A", slug: str | None = None, keeper=None, **fields):
    """A machine (the Fab Lab's unless `keeper` says otherwise), open Monday to Saturday
    9 am to 5 pm, Chicago time."""
    fields.setdefault("capability", CapabilityFactory(slug="laser_cutting"))
    machine = Machine.objects.create(
        name=name, slug=slug or slugify(name), keeper=keeper or FabLabFactory(), **fields
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(machine=machine, weekday=day, opens=datetime.time(9), closes=datetime.time(17))
        for day in range(6)
    )
    return machine


def make_booking(*, machine, producer, starts_at, minutes: int = 60, booked_by=None, **fields):
    """A booking made straight in the database: no rules are checked."""
    if booked_by is None:
        booked_by = UserFactory()
        Membership.objects.get_or_create(user=booked_by, producer=producer)
    starts_at = starts_at.astimezone(datetime.UTC)  # so the minutes are real ones
    return Booking.objects.create(
        machine=machine,
        producer=producer,
        booked_by=booked_by,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        **fields,
    )
