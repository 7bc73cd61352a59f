"""Who may open and change which workbench page: one table per section, one test over all.

Each section module in this package holds:

- `ROWS`: `{(URL name, method, target): {role: expectation}}`. The target says whose
  objects fill the URL: "A" (co-op A's, the co-op of the member and manager roles), "B"
  (the other co-op's), or "-" (a page about no one co-op). A page that takes a co-op's
  slug or object needs both an "A" and a "B" row.
- optionally `prepare(side)`: adds what its pages need to a `Side` (co-op A and B each).
- optionally `kwargs(name, side) -> dict`: URL kwargs beyond the co-op's `slug`.
- optionally `body(name, side) -> dict`: a POST body the page accepts from a caller who
  may send it, so that an allowed cell succeeds and a refused one proves the refusal.

Expectations: `SIGN_IN` (sent to sign in), `OK` (2xx, or a redirect that is not to sign
in), or a status such as 403 and 404. A 400 or 409 in an `OK` cell fails the table: the
body, not the caller, was refused.
"""

from catalog.services.products import product_stock_receive
from catalog.services.stock import stock_receive
from producers.models import Membership
from tests.factories import (
    FabLabFactory,
    MaterialFactory,
    MembershipFactory,
    ProducerFactory,
    SharedLocationFactory,
    UserFactory,
    make_product,
    place,
)

ROLES = ("anon", "resident", "member", "manager", "fablab", "staff")
SIGN_IN = "sign in"
OK = "ok"


def roles(anon, resident, member, manager, fablab, staff) -> dict:
    return dict(zip(ROLES, (anon, resident, member, manager, fablab, staff), strict=True))


def network_page() -> dict:
    """A page for anyone in the network: every member, and staff."""
    return roles(SIGN_IN, 403, OK, OK, OK, OK)


def coop_page(name: str, *, methods=("get", "post"), members_change: bool = False) -> dict:
    """The rows of a page of one co-op: its members see, its managers change.

    Another co-op's page is not found; the Fab Lab's staff are another producer's people.
    `members_change` is for the work every member does (moving jobs along).
    """
    rows = {}
    for method in methods:
        member = OK if method == "get" or members_change else 403
        rows[(name, method, "A")] = roles(SIGN_IN, 403, member, OK, 404, OK)
        rows[(name, method, "B")] = roles(SIGN_IN, 403, 404, 404, 404, OK)
    return rows


def managers_page(name: str, *, methods=("get",)) -> dict:
    """A page only the co-op's managers (and staff) open, such as the data export."""
    rows = {}
    for method in methods:
        rows[(name, method, "A")] = roles(SIGN_IN, 403, 403, OK, 404, OK)
        rows[(name, method, "B")] = roles(SIGN_IN, 403, 404, 404, 404, OK)
    return rows


class Side:
    """One co-op, its people and its objects. Section modules add theirs in `prepare`."""

    def __init__(self, name: str, world, buyer):
        self.name = name
        self.world = world
        self.producer = ProducerFactory(slug=f"coop-{name}", name=f"Co-op {name}")
        self.manager = MembershipFactory(
            producer=self.producer, role=Membership.Role.MANAGER, user=UserFactory()
        ).user
        self.member = MembershipFactory(producer=self.producer, user=UserFactory()).user
        self.product = make_product(producer=self.producer, title=f"Stool {name}")
        product_stock_receive(product=self.product, quantity=10, by=None, reason="made")
        self.buyer = buyer

    def new_job(self):
        """A fresh job of this co-op's, just routed."""
        return place((self.product, 1), customer=self.buyer).jobs.get()


class World:
    """Co-op A and co-op B, the shared store, and one user per role."""

    def __init__(self, sections):
        fab_lab = FabLabFactory()
        self.shared = SharedLocationFactory(producer=fab_lab, code="shared-store")
        self.material = MaterialFactory(sku="PLY-SHARED")
        stock_receive(
            material=self.material, location=self.shared, quantity="20", by=None, reason="in"
        )
        resident = UserFactory(username="resident")
        self.a = Side("a", self, buyer=resident)
        self.b = Side("b", self, buyer=UserFactory(username="buyer-b"))
        for section in sections:
            if hasattr(section, "prepare"):
                section.prepare(self.a)
                section.prepare(self.b)
        self.users = {
            "anon": None,
            "resident": resident,
            "member": self.a.member,
            "manager": self.a.manager,
            "fablab": MembershipFactory(producer=fab_lab, user=UserFactory()).user,
            "staff": UserFactory(username="platform", is_staff=True),
        }
