from catalog.permissions import is_network_member
from frontend.cart import Cart


def shop(request) -> dict:
    """What every page's header needs: the cart's size and whether to show the workbench."""
    return {
        "cart_count": Cart(request.session).count,
        "is_network_member": is_network_member(request.user),
    }
