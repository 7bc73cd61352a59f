"""Who may change which stock. Built on `producers.permissions`.

- A location's own producer's members manage it: receipts, counts, drawdowns.
  The shared store belongs to the Fab Lab, so Fab Lab staff manage it.
- Any co-op's members may draw down from the shared store for their own co-op.
- Stock moves into or out of the shared store only by its keepers (Fab Lab and
  platform staff): `catalog.services.stock_guards.require_keeper` holds that in
  the services; a co-op moves stock between its own shelves.
- Platform staff may do everything.
"""

from catalog.models import StockLocation
from producers.models import Producer
from producers.permissions import can_act_for, is_platform_staff, producer_ids_for


def is_network_member(user) -> bool:
    return is_platform_staff(user) or bool(producer_ids_for(user))


def may_manage_location(user, location: StockLocation) -> bool:
    return can_act_for(user, location.producer_id)


def may_draw_down(user, location: StockLocation, producer: Producer) -> bool:
    if location.shared:
        # Fab Lab staff record drawdowns for anyone; a co-op for itself.
        return can_act_for(user, location.producer_id) or can_act_for(user, producer)
    return can_act_for(user, location.producer_id) and can_act_for(user, producer)


def may_transfer(user, source: StockLocation, destination: StockLocation) -> bool:
    """Between two co-op shelves: the user acts for both (the shared store is its keepers')."""
    return can_act_for(user, source.producer_id) and can_act_for(user, destination.producer_id)
