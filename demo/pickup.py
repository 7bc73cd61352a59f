"""The demo network's pickup point: the Center, at the Fab Lab, kept by the Fab Lab's people."""

from orders.models import PickupPoint
from producers.models import Producer

CENTER = {
    "slug": "the-center",
    "name": "The Center",
    "address": "1000 W Capitol St, Jackson, MS 39203",
    "opening_hours": "Tue–Sat 10 am–6 pm",
}


def seed_pickup_points(producers: dict[str, Producer]) -> int:
    """Open the Center once. Returns how many points were made."""
    spec = dict(CENTER)
    _, created = PickupPoint.objects.get_or_create(
        slug=spec.pop("slug"), defaults={**spec, "keeper": producers["fab-lab"]}
    )
    return int(created)
