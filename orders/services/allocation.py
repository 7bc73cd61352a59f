"""The one way jobs are made, and their stock held and given back.

Placing an order and re-routing a declined job both go through `jobs_create`
and `jobs_reserve`, so every job is built alike and every ledger row of a job
(reserve, release, consume) names the job's producer and `job-<id>`.
"""

import datetime
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from django.db.models import Q, Sum

from catalog.exceptions import InsufficientStock, Shortage
from catalog.models import Offcut, StockBalance
from catalog.services.offcuts import offcuts_hold_fitting, offcuts_release
from catalog.services.stock import StockLine, stock_release, stock_reserve
from orders.models import Allocation, Job, JobTransition, Order, OrderLine
from orders.routing import RoutedLine, due_date_for

J = Job.Status
ZERO = Decimal("0")


def actor(user):
    """The user to record, or None for anonymous callers and the system."""
    return user if user is not None and user.is_authenticated else None


def transition(job: Job, to: str, *, by, note: str = "") -> None:
    """Record a job's move and set its status (the caller saves the job)."""
    JobTransition.objects.create(
        job=job, from_status=job.status, to_status=to, by=actor(by), note=note
    )
    job.status = to


def expected_date(route: RoutedLine) -> datetime.date:
    """When one line should be ready (see `orders.routing.due_date_for`)."""
    return due_date_for(route.request.product)


def _due_date(routed: list[RoutedLine]) -> datetime.date:
    """A job is due when its last line is."""
    return max(expected_date(route) for route in routed)


def jobs_create(
    *,
    order: Order,
    routed: list[RoutedLine],
    lines: list[OrderLine],
    by,
    dispatched: bool,
    note: str,
    why: str = "",
) -> list[Job]:
    """One job per producer for these routed lines; each order line goes onto its job.

    `lines[i]` is the order line of `routed[i]`: new (unsaved) lines are written,
    saved ones (a re-route) are moved. `why` goes before each line's routing
    reason. Writes the jobs, their first transition and the lines; locks nothing.
    """
    groups: dict[int, list[tuple[OrderLine, RoutedLine]]] = defaultdict(list)
    for line, route in zip(lines, routed, strict=True):
        groups[route.producer.pk].append((line, route))
    jobs = Job.objects.bulk_create(
        [
            Job(
                order=order,
                producer=pairs[0][1].producer,
                due_date=_due_date([route for _, route in pairs]),
                routing_reason="\n".join(
                    dict.fromkeys(
                        f"{route.request.product.title}: {why}{route.reason}" for _, route in pairs
                    )
                ),
                total=sum((line.line_total for line, _ in pairs), Decimal("0")),
                dispatched=dispatched,
            )
            for pairs in groups.values()
        ]
    )
    JobTransition.objects.bulk_create(
        [
            JobTransition(job=job, from_status="", to_status=J.ROUTED, by=actor(by), note=note)
            for job in jobs
        ]
    )
    for job, pairs in zip(jobs, groups.values(), strict=True):
        for line, route in pairs:
            line.job = job
            line.expected_date = expected_date(route)
    moved = [line for line in lines if line.pk is not None]
    OrderLine.objects.bulk_create([line for line in lines if line.pk is None])
    if moved:
        OrderLine.objects.bulk_update(moved, ["job", "expected_date"])
    return jobs


def jobs_reserve(*, order: Order, jobs: list[Job], routed: list[RoutedLine], by) -> None:
    """Hold what each job needs: one reservation per job, naming its producer; the allocations.

    Locks the stock balances (through `stock_reserve`). Raises InsufficientStock
    naming the products when a shelf fell short since routing read it (a race);
    the caller's transaction then writes nothing.
    """
    job_for = {job.producer_id: job for job in jobs}
    held: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
    stock_by_job: dict[int, list[StockLine]] = defaultdict(list)
    routes_by_job: dict[int, list[RoutedLine]] = defaultdict(list)
    for route in routed:
        job = job_for[route.producer.pk]
        routes_by_job[job.pk].append(route)
        for stock in route.stock:
            held[(job.pk, stock.material.pk, stock.location.pk)] += stock.quantity
            stock_by_job[job.pk].append(stock)
    for job in jobs:
        if not stock_by_job[job.pk]:
            continue
        try:
            stock_reserve(
                lines=stock_by_job[job.pk],
                by=actor(by),
                reason=f"Order {order.number}",
                producer=job.producer,
                reference=f"job-{job.pk}",
            )
        except InsufficientStock as error:
            shortages = _by_product(error.shortages, routes_by_job[job.pk])
            raise InsufficientStock(
                "Someone else took it a moment ago: not enough left of "
                f"{'; '.join(map(str, shortages))}.",
                shortages=shortages,
            ) from error
    pieces = []
    for job in jobs:
        for route in routes_by_job[job.pk]:
            for offcut, quantity in _hold_offcuts(route):
                held[(job.pk, offcut.material_id, offcut.location_id)] -= quantity
                pieces.append(
                    Allocation(
                        job_id=job.pk,
                        material_id=offcut.material_id,
                        location_id=offcut.location_id,
                        quantity=quantity,
                        offcut=offcut,
                    )
                )
    Allocation.objects.bulk_create(
        [
            Allocation(job_id=job_id, material_id=m, location_id=loc, quantity=qty)
            for (job_id, m, loc), qty in held.items()
            if qty > 0
        ]
        + pieces
    )
    for job in jobs:
        _require_whole_stock(stock_by_job[job.pk], routes_by_job[job.pk])


THOUSANDTH = Decimal("0.001")


def _require_whole_stock(stock: list[StockLine], routes: list[RoutedLine]) -> None:
    """What a job holds from whole stock must not be the pieces on the rack.

    A shelf's on-hand is its whole stock plus its offcuts; a job that holds a piece
    holds it whole. So whole stock held for jobs can never be more than on-hand
    less the pieces. Runs after the allocations are written, under the balances'
    locks; raises InsufficientStock naming the products when another order took the
    last piece a moment ago and no whole stock is left.
    """
    keys = {(line.material.pk, line.location.pk): line for line in stock}
    if not keys:
        return
    match = Q()
    for material_id, location_id in keys:
        match |= Q(material_id=material_id, location_id=location_id)
    pieces = _sums(Offcut.objects.on_the_rack().filter(match))
    if not pieces:
        return
    on_pieces = _sums(
        Allocation.objects.filter(match, state=Allocation.State.HELD, offcut__isnull=False)
    )
    short = []
    for balance in StockBalance.objects.filter(match):
        key = (balance.material_id, balance.location_id)
        whole = balance.on_hand - pieces.get(key, ZERO)
        held_whole = balance.reserved - on_pieces.get(key, ZERO)
        if held_whole > whole:
            line = keys[key]
            short.append(
                Shortage.of_material(
                    line.material,
                    location=line.location.code,
                    requested=line.quantity,
                    available=max(whole - (held_whole - line.quantity), ZERO),
                )
            )
    if short:
        shortages = _by_product(short, routes)
        raise InsufficientStock(
            "The last offcut that fits was taken a moment ago and no whole stock is left of "
            f"{'; '.join(map(str, shortages))}.",
            shortages=shortages,
        )


def _sums(rows) -> dict[tuple[int, int], Decimal]:
    totals = rows.order_by().values("material_id", "location_id").annotate(total=Sum("quantity"))
    return {
        (row["material_id"], row["location_id"]): Decimal(row["total"]).quantize(THOUSANDTH)
        for row in totals
    }


def _hold_offcuts(route: RoutedLine) -> list[tuple]:
    """For BOM lines that may use an offcut, the smallest fitting pieces on the shelf the
    line reserved from, one per unit made: [(offcut, quantity it stands for)]. Units no
    piece fits are made from whole stock. The caller holds the balances' locks."""
    product = route.request.product
    if not product.made_to_order:
        return []
    taken = []
    for line in product.bom_lines.all():
        if not line.may_use_offcut:
            continue
        shelf = next((s for s in route.stock if s.material.pk == line.material_id), None)
        if shelf is None:
            continue
        held = offcuts_hold_fitting(
            material=line.material,
            location=shelf.location,
            count=route.request.quantity,
            at_least=line.quantity,
            width_mm=line.min_offcut_width_mm,
            height_mm=line.min_offcut_height_mm,
            amount=line.min_offcut_amount,
        )
        taken.extend((offcut, line.quantity) for offcut in held)
    return taken


def _by_product(shortages: list[Shortage], routes: list[RoutedLine]) -> list[Shortage]:
    """A shelf's shortage, once per product of the job that wanted it from that shelf."""
    named = []
    for shortage in shortages:
        for route in routes:
            wanted = sum(
                (
                    s.quantity
                    for s in route.stock
                    if (s.material.sku, s.location.code) == (shortage.material, shortage.location)
                ),
                Decimal("0"),
            )
            if wanted:
                product, variant = route.request.product, route.request.choice.variant
                title = f"{product.title} ({variant.label})" if variant else product.title
                named.append(
                    replace(
                        shortage,
                        product=product.slug,
                        product_name=title,
                        material_name=shortage.material_name if product.made_to_order else "",
                        requested=wanted,
                    )
                )
    return named or shortages


def jobs_release(jobs: list[Job], *, by, reason: str) -> None:
    """Give back what these jobs still hold, one release per job naming its producer.

    Locks the stock balances (through `stock_release`); marks the allocations released.
    """
    held = list(
        Allocation.objects.filter(job__in=jobs, state=Allocation.State.HELD).select_related(
            "material", "location"
        )
    )
    if not held:
        return
    for job in jobs:
        mine = [a for a in held if a.job_id == job.pk]
        if mine:
            stock_release(
                lines=[StockLine(a.material, a.location, a.quantity) for a in mine],
                by=actor(by),
                reason=reason,
                producer=job.producer,
                reference=f"job-{job.pk}",
            )
    Allocation.objects.filter(pk__in=[a.pk for a in held]).update(state=Allocation.State.RELEASED)
    offcuts_release(offcut_ids=[a.offcut_id for a in held if a.offcut_id])


def totals_reduce(order: Order, cancelled: list[OrderLine]) -> None:
    """The order no longer costs what its cancelled lines cost. The caller holds its lock."""
    amount = sum((line.line_total for line in cancelled), Decimal("0"))
    if not amount:
        return
    order.subtotal = max(order.subtotal - amount, Decimal("0"))
    order.total = max(order.total - amount, Decimal("0"))
    order.save(update_fields=["subtotal", "total", "updated_at"])
