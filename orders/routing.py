"""Routing: which producer makes each line of an order, and from which shelves.

A line goes to its product's own producer, or for an open design to the best
candidate: active, has every required capability, has room under
`max_open_jobs`, and can take the materials from its own shelves or the shared
store. Ties are broken by fewest open jobs, then distance to the delivery
point when both locations are known, then a stable order (the producer's id).

Routing only reads. It plans against the balances it read; the stock services
re-check every line under row locks when the plan is reserved, so a plan that
raced another order fails cleanly there with `insufficient_stock`.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Prefetch
from django.utils import timezone

from catalog.exceptions import InsufficientStock, Shortage
from catalog.models import BillOfMaterialsLine, Material, Offcut, Product, StockBalance
from catalog.services.options import CHOICE_PREFETCH, NO_CHOICE, Choice
from catalog.services.stock import StockLine
from fablab.capacity import Capacity
from orders.exceptions import ProducerUnavailable
from orders.models import Job
from producers.models import Producer

ZERO = Decimal("0")


@dataclass(frozen=True)
class LineRequest:
    product: Product
    quantity: int
    # What the resident chose; its variant (ready-made goods with options) holds the stock.
    choice: Choice = NO_CHOICE

    @property
    def stock_item(self) -> Material | None:
        variant = self.choice.variant
        return variant.stock_item if variant is not None else self.product.stock_item

    @property
    def stock_item_id(self) -> int | None:
        variant = self.choice.variant
        return variant.stock_item_id if variant is not None else self.product.stock_item_id


@dataclass
class RoutedLine:
    request: LineRequest
    producer: Producer
    reason: str
    stock: list[StockLine]


@dataclass
class Shelves:
    """What routing believes is free, less what earlier lines of this order already took."""

    free: dict[tuple[int, int], Decimal]
    locations: dict[int, object]
    by_producer: dict[int, list[int]] = field(default_factory=dict)
    shared: list[int] = field(default_factory=list)

    def take(self, material_id: int, location_ids: list[int], need: Decimal) -> list[tuple]:
        """Whole lines from one shelf: the first (in the given order) that has enough."""
        for location_id in location_ids:
            if self.free.get((material_id, location_id), ZERO) >= need:
                return [(location_id, need)]
        return []

    def take_split(self, material_id: int, location_ids: list[int], need: Decimal) -> list[tuple]:
        """Finished goods may come from several of the producer's shelves."""
        taken, left = [], need
        for location_id in location_ids:
            free = self.free.get((material_id, location_id), ZERO)
            if free <= 0:
                continue
            part = min(free, left)
            taken.append((location_id, part))
            left -= part
            if left == 0:
                return taken
        return []

    def commit(self, material_id: int, taken: list[tuple]) -> None:
        for location_id, quantity in taken:
            self.free[(material_id, location_id)] -= quantity

    def best(self, material_id: int, location_ids: list[int]) -> Decimal:
        return max((self.free.get((material_id, loc), ZERO) for loc in location_ids), default=ZERO)


def load_products(pks) -> dict[int, Product]:
    """Products with everything routing reads, in a fixed number of queries."""
    products = Product.objects.filter(pk__in=pks).select_related("producer", "stock_item")
    products = products.prefetch_related(
        Prefetch(
            "bom_lines",
            queryset=BillOfMaterialsLine.objects.select_related("material").order_by("pk"),
        ),
        "required_capabilities",
        *CHOICE_PREFETCH,
    )
    return {product.pk: product for product in products}


def due_date_for(product: Product) -> datetime.date:
    """When a line should be ready: ready-made goods on the shelf by tomorrow, goods made
    to order after their lead time (at least a day)."""
    lead = product.lead_time_days if product.made_to_order else 0
    return timezone.localdate() + datetime.timedelta(days=max(lead, 1))


def open_job_counts(producer_ids=None) -> dict[int, int]:
    jobs = Job.objects.filter(status__in=Job.OPEN_STATUSES)
    if producer_ids is not None:
        jobs = jobs.filter(producer_id__in=producer_ids)
    rows = jobs.order_by().values("producer_id").annotate(n=Count("id"))
    return {row["producer_id"]: row["n"] for row in rows}


def _duration(total_minutes: int) -> str:
    hours, mins = divmod(total_minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"


def _day(day: datetime.date) -> str:
    return f"{day:%a %b} {day.day}"


def _distance_km(producer: Producer, point: tuple[Decimal, Decimal] | None) -> float:
    if point is None or not producer.has_location:
        return math.inf
    lat1, lon1 = map(math.radians, (float(producer.latitude), float(producer.longitude)))
    lat2, lon2 = map(math.radians, (float(point[0]), float(point[1])))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371 * 2 * math.asin(math.sqrt(a))


class Router:
    """Plans one order. Build it once per order; `route` each line in order."""

    def __init__(
        self,
        requests: list[LineRequest],
        *,
        delivery_point: tuple[Decimal, Decimal] | None = None,
        exclude_producers: set[int] = frozenset(),
    ) -> None:
        self.requests = requests
        self.delivery_point = delivery_point
        self.exclude = set(exclude_producers)
        open_designs = [r.product for r in requests if r.product.open_design]
        self.candidates: list[Producer] = []
        if open_designs:
            self.candidates = list(
                Producer.objects.active().prefetch_related("capabilities").order_by("pk")
            )
        producer_ids = {r.product.producer_id for r in requests} | {p.pk for p in self.candidates}
        self.open_jobs = open_job_counts(producer_ids)
        # Certified people and free machine time, for the open designs' capabilities.
        self.capacity = Capacity(
            producer_ids=[p.pk for p in self.candidates],
            capability_ids={c.pk for p in open_designs for c in p.required_capabilities.all()},
            until=max((due_date_for(p) for p in open_designs), default=timezone.localdate()),
        )
        self.new_jobs: set[int] = set()
        self.shelves = self._read_shelves(producer_ids)
        self.offcuts = self._read_offcuts()

    def _read_shelves(self, producer_ids: set[int]) -> Shelves:
        material_ids = set()
        for request in self.requests:
            product = request.product
            if request.stock_item_id:
                material_ids.add(request.stock_item_id)
            material_ids.update(line.material_id for line in product.bom_lines.all())
        balances = StockBalance.objects.filter(
            material_id__in=material_ids, location__producer_id__in=producer_ids
        ) | StockBalance.objects.filter(material_id__in=material_ids, location__shared=True)
        balances = balances.select_related("location").order_by("location_id")
        shelves = Shelves(free={}, locations={})
        for balance in balances:
            location = balance.location
            shelves.free[(balance.material_id, location.pk)] = balance.available
            if location.pk not in shelves.locations:
                shelves.locations[location.pk] = location
                if location.shared:
                    shelves.shared.append(location.pk)
                else:
                    shelves.by_producer.setdefault(location.producer_id, []).append(location.pk)
        return shelves

    def _read_offcuts(self) -> dict[tuple[int, int], list[Offcut]]:
        """Pieces free on the shelves routing may use, for BOM lines that may use one."""
        material_ids = {
            line.material_id
            for request in self.requests
            for line in request.product.bom_lines.all()
            if line.may_use_offcut
        }
        if not material_ids:
            return {}
        pieces = Offcut.objects.filter(
            material_id__in=material_ids,
            location_id__in=list(self.shelves.locations),
            status=Offcut.Status.AVAILABLE,
        ).only("material_id", "location_id", "width_mm", "height_mm", "quantity")
        found: dict[tuple[int, int], list[Offcut]] = defaultdict(list)
        for piece in pieces:
            found[(piece.material_id, piece.location_id)].append(piece)
        return found

    def _has_fitting_offcut(self, line: BillOfMaterialsLine, location_id: int) -> bool:
        width, height = line.min_offcut_width_mm, line.min_offcut_height_mm
        for piece in self.offcuts.get((line.material_id, location_id), []):
            if piece.quantity < line.quantity:
                continue
            if width and piece.width_mm is not None:
                if (piece.width_mm >= width and piece.height_mm >= height) or (
                    piece.width_mm >= height and piece.height_mm >= width
                ):
                    return True
            elif line.min_offcut_amount and piece.quantity >= line.min_offcut_amount:
                return True
        return False

    # --- one line ---------------------------------------------------------------

    def route(self, request: LineRequest) -> RoutedLine:
        product = request.product
        if product.open_design:
            return self._route_open_design(request)
        producer = product.producer
        if not producer.is_active:
            raise ProducerUnavailable(
                f"{producer.name} is not taking orders right now.",
                lines=[{"product": product.slug, "producer": producer.slug}],
            )
        stock = self._reserve_plan(request, producer)
        if stock is None:
            raise InsufficientStock(shortages=self._shortages(request, producer))
        self.new_jobs.add(producer.pk)
        return RoutedLine(request, producer, f"Made by {producer.name}, its own product.", stock)

    def _route_open_design(self, request: LineRequest) -> RoutedLine:
        product = request.product
        needs = {c.pk for c in product.required_capabilities.all()}
        capable = [
            p
            for p in self.candidates
            if p.pk not in self.exclude and needs <= {c.pk for c in p.capabilities.all()}
        ]
        with_room = [
            p
            for p in capable
            if p.pk in self.new_jobs or self.open_jobs.get(p.pk, 0) < p.max_open_jobs
        ]
        if not with_room:
            raise ProducerUnavailable(
                f"No co-op with the skills for {product.title} has room for more work now.",
                lines=[{"product": product.slug, "capable": len(capable)}],
            )
        readiness = {p.pk: self._readiness(request, p) for p in with_room}
        ranked = sorted(
            with_room,
            key=lambda p: (
                bool(readiness[p.pk]),
                self.open_jobs.get(p.pk, 0),
                _distance_km(p, self.delivery_point),
                p.pk,
            ),
        )
        for position, producer in enumerate(ranked, start=1):
            stock = self._reserve_plan(request, producer)
            if stock is None:
                continue
            self.new_jobs.add(producer.pk)
            self._plan_machine_time(request, producer)
            reason = self._open_design_reason(request, producer, position, ranked, readiness)
            return RoutedLine(request, producer, reason, stock)
        raise InsufficientStock(shortages=self._shortages(request, ranked[0]))

    # --- certified people and machine time (open designs) ------------------------

    def _machine_need(self, request: LineRequest) -> int:
        return request.product.machine_minutes * request.quantity

    def _readiness(self, request: LineRequest, producer: Producer) -> list[str]:
        """Why `producer` cannot start this line in time, in words; empty when it can."""
        product = request.product
        needs = list(product.required_capabilities.all())
        gaps = [
            f"nobody certified for {c.name.lower()}"
            for c in self.capacity.uncertified(producer, needs)
        ]
        need, due = self._machine_need(request), due_date_for(product)
        if need:
            for capability in needs:
                if self.capacity.free_minutes(producer, capability.pk, due) < need:
                    gaps.append(
                        f"no {_duration(need)} of {capability.name.lower()} machine time "
                        f"free before {_day(due)}"
                    )
        return gaps

    def _plan_machine_time(self, request: LineRequest, producer: Producer) -> None:
        need = self._machine_need(request)
        if need:
            due = due_date_for(request.product)
            for capability in request.product.required_capabilities.all():
                self.capacity.plan(producer, capability.pk, due, need)

    def _open_design_reason(
        self,
        request: LineRequest,
        producer: Producer,
        position: int,
        ranked: list[Producer],
        readiness: dict[int, list[str]],
    ) -> str:
        product = request.product
        capabilities = sorted(product.required_capabilities.all(), key=lambda c: c.name)
        skills = ", ".join(c.slug for c in capabilities)
        distance = _distance_km(producer, self.delivery_point)
        where = f", {distance:.1f} km away" if distance != math.inf else ""
        reason = (
            f"Open design: {producer.name} has the skills ({skills or 'none needed'}), "
            f"{self.open_jobs.get(producer.pk, 0)} of {producer.max_open_jobs} jobs open"
            f"{where}; choice {position} of {len(ranked)} with room, the first that has "
            "the materials."
        )
        if capabilities:
            if readiness[producer.pk]:
                reason += (
                    " No co-op with room had everything ready: "
                    f"{producer.name} has {'; '.join(readiness[producer.pk])}."
                )
            else:
                names = ", ".join(c.name.lower() for c in capabilities)
                reason += f" It has a member certified for {names}"
                need = self._machine_need(request)
                if need:
                    reason += (
                        f" and {_duration(need)} of machine time free before "
                        f"{_day(due_date_for(product))}"
                    )
                reason += "."
            passed = [
                f"{p.name} ({'; '.join(readiness[p.pk])})"
                for p in ranked
                if p.pk != producer.pk and readiness[p.pk] and not readiness[producer.pk]
            ]
            if passed:
                reason += " Passed over: " + ", ".join(passed) + "."
        return reason

    def _reserve_plan(self, request: LineRequest, producer: Producer) -> list[StockLine] | None:
        """Shelves to reserve from for this line at this producer, or None if short."""
        product, quantity = request.product, Decimal(request.quantity)
        own = self.shelves.by_producer.get(producer.pk, [])
        plan: list[tuple[int, list[tuple]]] = []
        stock_item_id = request.stock_item_id
        if not product.made_to_order:
            if not stock_item_id:
                return None
            taken = self.shelves.take_split(stock_item_id, own, quantity)
            if not taken:
                return None
            plan.append((stock_item_id, taken))
        else:
            needs: dict[int, Decimal] = defaultdict(Decimal)
            for line in product.bom_lines.all():
                needs[line.material_id] += line.quantity * quantity
            may_cut = {line.material_id: line for line in product.bom_lines.all()}
            for material_id, need in needs.items():
                own_sorted = sorted(
                    own, key=lambda loc: -self.shelves.free.get((material_id, loc), 0)
                )
                shelves = own_sorted + self.shelves.shared
                line = may_cut[material_id]
                if line.may_use_offcut and self.offcuts:
                    # A shelf with a piece that fits comes first: offcuts before whole sheets.
                    shelves.sort(key=lambda loc: not self._has_fitting_offcut(line, loc))
                taken = self.shelves.take(material_id, shelves, need)
                if not taken:
                    return None
                plan.append((material_id, taken))
        materials = {stock_item_id: request.stock_item} if stock_item_id else {}
        materials.update({line.material_id: line.material for line in product.bom_lines.all()})
        stock = []
        for material_id, taken in plan:
            self.shelves.commit(material_id, taken)
            stock.extend(
                StockLine(materials[material_id], self.shelves.locations[loc], qty)
                for loc, qty in taken
            )
        return stock

    def _shortages(self, request: LineRequest, producer: Producer) -> list[Shortage]:
        """What this line lacks at this producer, by what it planned against."""
        product, quantity = request.product, Decimal(request.quantity)
        named = {"product": product.slug, "product_name": product.title}
        own = self.shelves.by_producer.get(producer.pk, [])
        if not product.made_to_order:
            free = sum(
                (self.shelves.free.get((request.stock_item_id, loc), ZERO) for loc in own), ZERO
            )
            free = max(free, ZERO).to_integral_value()
            if request.choice.variant is not None:
                named["product_name"] = f"{product.title} ({request.choice.variant.label})"
            if request.stock_item is None:
                return [Shortage(requested=quantity, available=free, unit="each", **named)]
            # Finished goods: the stock item is the product itself, named as the product.
            shortage = Shortage.of_material(
                request.stock_item, requested=quantity, available=free, **named
            )
            return [replace(shortage, material_name="")]
        short = []
        for line in product.bom_lines.all():
            need = line.quantity * quantity
            best = self.shelves.best(line.material_id, own + self.shelves.shared)
            if best < need:
                short.append(
                    Shortage.of_material(line.material, requested=need, available=best, **named)
                )
        return short or [Shortage(requested=quantity, available=ZERO, unit="each", **named)]


def route_order(
    requests: list[LineRequest],
    *,
    delivery_point: tuple[Decimal, Decimal] | None = None,
    exclude_producers: set[int] = frozenset(),
) -> list[RoutedLine]:
    """Route every line, or raise with every line that cannot be routed."""
    router = Router(requests, delivery_point=delivery_point, exclude_producers=exclude_producers)
    routed, shortages, unavailable = [], [], []
    for request in requests:
        try:
            routed.append(router.route(request))
        except InsufficientStock as error:
            shortages.extend(error.shortages)
        except ProducerUnavailable as error:
            unavailable.extend(error.extra["lines"])
    if shortages:
        raise InsufficientStock(
            f"Not enough left to make or sell: {'; '.join(map(str, shortages))}.",
            shortages=shortages,
        )
    if unavailable:
        raise ProducerUnavailable(lines=unavailable)
    return routed
