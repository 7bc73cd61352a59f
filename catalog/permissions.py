"""Who may change which stock. Built on `producers.permissions`.

- A location's own producer's members manage it: receipts, counts, drawdowns.
  The shared store belongs to the Fab Lab, so Fab Lab staff manage it.
- Any co-op's members may draw down from the shared store for their own co-op,
  and pull from it into their own shelves.
- Platform staff may do everything.
"""

from catalog.models import StockLocation
from producers.models import Producer
from producers.permissions import can_act_for, is_member, is_platform_staff, producer_ids_for


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
    if is_platform_staff(user):
        return True
    if is_member(user, source.producer_id):
        may_take = True
    else:
        # A co-op may pull from the shared store onto its own shelf.
        may_take = source.shared and is_member(user, destination.producer_id)
    may_put = destination.shared or is_member(user, destination.producer_id)
    return may_take and may_put
