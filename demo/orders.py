"""A few orders in different states, so the job board and order pages have something to show."""

from catalog.models import Product
from catalog.services.options import Chosen
from orders import services
from orders.models import Order


def seed_orders(*, resident, co_op_people: dict[str, object]) -> int:
    """Orders by the demo resident and a neighbour; left alone once the resident has any."""
    if Order.objects.filter(customer=resident).exists():
        return 0
    products = {p.title: p for p in Product.objects.published()}

    def place(lines, *, customer=resident, contact=None, **kwargs):
        contact = contact or services.Contact(
            name=customer.get_full_name(), email=customer.email, phone="601-555-0142"
        )
        return services.order_place(
            customer=customer,
            contact=contact,
            lines=[(products[title], qty, *chosen) for title, qty, *chosen in lines],
            fulfilment=kwargs.pop("fulfilment", "pickup"),
            payment_method="pay_at_pickup",
            **kwargs,
        )

    def advance(order, *steps):
        for job in order.jobs.select_related("producer"):
            member = co_op_people.get(job.producer.slug)
            for step in steps:
                if step is services.job_hand_over:
                    cash = services.CounterPaymentInput(method="cash", amount=job.total)
                    step(job=job, by=member, payment=cash)
                else:
                    step(job=job, by=member)

    placed = [
        place([("Market tote", 2), ("Walnut end-grain cutting board", 1)]),
        place(
            [("Raised-bed kit, 4 × 8 ft", 1), ("Herb seedling flat", 2)],
            fulfilment="delivery",
            delivery_address="1212 Rose St, Jackson, MS 39203",
        ),
        place([("Laser-cut jigsaw puzzle", 2)]),
        place(
            [("Jackson Made T-shirt", 3, Chosen(options={"Size": "L"}))],
            customer=None,
            contact=services.Contact(name="Darius Cole", email="darius@example.org"),
        ),
    ]
    advance(placed[1], services.job_accept, services.job_start)
    advance(placed[3], services.job_accept, services.job_start, services.job_ready)
    completed = place([("Phone stand", 1), ("Pot holders, pair", 1)])
    advance(
        completed,
        services.job_accept,
        services.job_start,
        services.job_ready,
        services.job_hand_over,
    )
    return len(placed) + 1
