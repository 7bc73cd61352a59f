"""Random sequences of stock operations against a plain model of the shelves.

After every step each balance must agree with the model, with the sum of its
ledger rows and with the latest row's running totals, and never go negative; the
offcuts on the rack agree with the model and with their own ledger rows.
"""

from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from catalog.exceptions import (
    CountBelowReserved,
    InsufficientStock,
    NothingReserved,
    OffcutBeyondStock,
)
from catalog.models import Offcut, StockBalance, StockMovement, Unit
from catalog.offcut_selectors import offcut_drift
from catalog.selectors import ledger_totals
from catalog.services.offcuts import offcut_discard, offcut_draw_down, offcut_record
from catalog.services.stock import (
    StockLine,
    stock_adjust_to_count,
    stock_consume,
    stock_draw_down,
    stock_receive,
    stock_release,
    stock_reserve,
    stock_transfer,
)
from tests.factories import (
    MaterialFactory,
    ProducerFactory,
    SharedLocationFactory,
    StockLocationFactory,
    UserFactory,
)

ZERO = Decimal("0")
THOUSANDTH = Decimal("0.001")
MATERIALS = 2
LOCATIONS = 3

material_index = st.integers(0, MATERIALS - 1)
location_index = st.integers(0, LOCATIONS - 1)
balance_key = st.tuples(material_index, location_index)
# Whole units, and thousandths taken off them: kg quantities get three decimals.
whole = st.integers(1, 8)
thousandths = st.integers(0, 999)


class StockMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        producer = ProducerFactory()
        self.producer = producer
        self.user = UserFactory(is_staff=True)  # keeps the shared store
        self.materials = [
            MaterialFactory(unit=Unit.EACH, reorder_point=Decimal("3")),
            MaterialFactory(unit=Unit.KG, reorder_point=Decimal("2.5")),
        ]
        self.locations = [
            SharedLocationFactory(),
            StockLocationFactory(producer=producer),
            StockLocationFactory(producer=producer),
        ]
        # (material index, location index) -> [on hand, reserved]
        self.model = defaultdict(lambda: [ZERO, ZERO])
        # offcut id -> [(material index, location index), quantity] while on the rack
        self.pieces: dict[int, list] = {}

    # --- helpers ---------------------------------------------------------------

    def quantity(self, m: int, units: int, off: int) -> Decimal:
        if self.materials[m].unit == Unit.EACH:
            return Decimal(units)
        return Decimal(units) - Decimal(off) / 1000

    def draw_quantity(self, data, m: int, *anchors: Decimal, allow_zero=False) -> Decimal:
        """Any small quantity, or one exactly at or one step either side of an anchor.

        The anchors are the limits a service checks (available, reserved, on hand),
        so that boundaries are hit often rather than by luck.
        """
        step = Decimal("1") if self.materials[m].unit == Unit.EACH else THOUSANDTH
        near = {a + d for a in anchors for d in (-step, ZERO, step)}
        near = sorted(q for q in near if q > 0 or (allow_zero and q == 0))
        free = self.quantity(m, data.draw(whole), data.draw(thousandths))
        return data.draw(st.sampled_from([free, *near]))

    def available(self, key) -> Decimal:
        on_hand, reserved = self.model[key]
        return on_hand - reserved

    def draw_lines(self, data, keys, limit) -> list[tuple[int, int, Decimal]]:
        return [(m, loc, self.draw_quantity(data, m, limit((m, loc)))) for m, loc in keys]

    @staticmethod
    def merged(lines) -> dict:
        totals = defaultdict(Decimal)
        for m, loc, quantity in lines:
            totals[(m, loc)] += quantity
        return totals

    def stock_lines(self, lines) -> list[StockLine]:
        return [StockLine(self.materials[m], self.locations[loc], q) for m, loc, q in lines]

    def snapshot(self):
        balances = StockBalance.objects.filter(material__in=self.materials)
        return (
            sorted(balances.values_list("pk", "on_hand", "reserved")),
            StockMovement.objects.filter(material__in=self.materials).count(),
        )

    def refused(self, error, call):
        """`call` must raise `error` and change nothing."""
        before = self.snapshot()
        with pytest.raises(error) as caught:
            call()
        assert self.snapshot() == before
        return caught.value

    def short_keys(self, exc) -> set:
        skus = {m.sku: i for i, m in enumerate(self.materials)}
        codes = {loc.code: i for i, loc in enumerate(self.locations)}
        return {(skus[line["material"]], codes[line["location"]]) for line in exc.extra["lines"]}

    def put(self, key, quantity):
        m, loc = key
        stock_receive(
            material=self.materials[m],
            location=self.locations[loc],
            quantity=quantity,
            by=self.user,
            reason="delivery",
        )
        self.model[key][0] += quantity

    # --- rules -----------------------------------------------------------------

    @initialize(
        units=st.lists(
            st.integers(0, 12), min_size=MATERIALS * LOCATIONS, max_size=MATERIALS * LOCATIONS
        )
    )
    def stock_the_shelves(self, units):
        keys = [(m, loc) for m in range(MATERIALS) for loc in range(LOCATIONS)]
        for key, n in zip(keys, units, strict=True):
            if n:
                self.put(key, Decimal(n))

    @rule(key=balance_key, units=whole, off=thousandths)
    def receive(self, key, units, off):
        self.put(key, self.quantity(key[0], units, off))

    @rule(key=balance_key, data=st.data())
    def draw_down(self, key, data):
        m, loc = key
        on_hand = self.model[key][0]
        quantity = self.draw_quantity(data, m, self.available(key), on_hand)

        def call():
            return stock_draw_down(
                material=self.materials[m],
                location=self.locations[loc],
                quantity=quantity,
                by=self.user,
                reason="job",
                producer=self.producer,
            )

        if self.available(key) < quantity:
            exc = self.refused(InsufficientStock, call)
            available = Decimal(exc.extra["lines"][0]["available"])
            assert available == max(self.available(key), ZERO)
            return
        call()
        self.model[key][0] -= quantity

    @rule(key=balance_key, data=st.data())
    def adjust_to_count(self, key, data):
        m, loc = key
        on_hand, reserved = self.model[key]
        counted = self.draw_quantity(data, m, on_hand, reserved, ZERO, allow_zero=True)

        def call():
            return stock_adjust_to_count(
                material=self.materials[m],
                location=self.locations[loc],
                counted=counted,
                by=self.user,
                reason="stocktake",
            )

        if counted != on_hand and counted < reserved:
            self.refused(CountBelowReserved, call)
            return
        movement = call()
        if counted == on_hand:
            assert movement is None
        else:
            assert movement.quantity == counted - on_hand
        self.model[key][0] = counted

    @rule(
        m=material_index,
        source=location_index,
        step=st.integers(1, LOCATIONS - 1),
        data=st.data(),
    )
    def transfer(self, m, source, step, data):
        destination = (source + step) % LOCATIONS
        available = self.available((m, source))
        quantity = self.draw_quantity(data, m, available, self.model[(m, source)][0])

        def call():
            return stock_transfer(
                material=self.materials[m],
                source=self.locations[source],
                destination=self.locations[destination],
                quantity=quantity,
                by=self.user,
                reason="move",
            )

        if available < quantity:
            self.refused(InsufficientStock, call)
            return
        out, into = call()
        assert out.reference == into.reference
        self.model[(m, source)][0] -= quantity
        self.model[(m, destination)][0] += quantity

    @rule(keys=st.lists(balance_key, min_size=1, max_size=3), data=st.data())
    def reserve(self, keys, data):
        lines = self.draw_lines(data, keys, self.available)
        totals = self.merged(lines)
        short = {key for key, total in totals.items() if self.available(key) < total}

        def call():
            return stock_reserve(
                lines=self.stock_lines(lines), by=self.user, reason="order", reference="order"
            )

        if short:
            exc = self.refused(InsufficientStock, call)
            assert self.short_keys(exc) == short
            return
        call()
        for key, total in totals.items():
            self.model[key][1] += total

    def take_reserved(self, service, keys, data, *, consume: bool):
        lines = self.draw_lines(data, keys, lambda key: self.model[key][1])
        totals = self.merged(lines)
        short = {key for key, total in totals.items() if self.model[key][1] < total}

        def call():
            return service(lines=self.stock_lines(lines), by=self.user, reason="job")

        if short:
            exc = self.refused(NothingReserved, call)
            assert self.short_keys(exc) == short
            return
        call()
        for key, total in totals.items():
            self.model[key][1] -= total
            if consume:
                self.model[key][0] -= total

    @rule(keys=st.lists(balance_key, min_size=1, max_size=2), data=st.data())
    def release(self, keys, data):
        self.take_reserved(stock_release, keys, data, consume=False)

    @rule(keys=st.lists(balance_key, min_size=1, max_size=2), data=st.data())
    def consume(self, keys, data):
        self.take_reserved(stock_consume, keys, data, consume=True)

    # --- offcuts (spool ends of the kg material) ---------------------------------

    SPOOL = 1

    def on_the_rack(self, key) -> Decimal:
        return sum((q for k, q in self.pieces.values() if k == key), ZERO)

    @rule(loc=location_index, data=st.data())
    def record_offcut(self, loc, data):
        key = (self.SPOOL, loc)
        free = self.model[key][0] - self.on_the_rack(key)
        amount = self.draw_quantity(data, self.SPOOL, free)

        def call():
            return offcut_record(
                material=self.materials[self.SPOOL],
                location=self.locations[loc],
                amount=amount,
                kept_at="Spool shelf",
                source="Job 1",
                by=self.user,
            )

        if amount > free:
            self.refused(OffcutBeyondStock, call)
            return
        offcut = call()
        self.pieces[offcut.pk] = [key, amount]

    def pick_piece(self, data):
        if not self.pieces:
            return None
        return Offcut.objects.get(pk=data.draw(st.sampled_from(sorted(self.pieces))))

    @rule(data=st.data())
    def draw_down_offcut(self, data):
        offcut = self.pick_piece(data)
        if offcut is None:
            return
        key, quantity = self.pieces[offcut.pk]
        used = data.draw(st.sampled_from([quantity, max(quantity - Decimal("0.1"), THOUSANDTH)]))

        def call():
            return offcut_draw_down(
                offcut=offcut, quantity=used, by=self.user, reason="job", producer=self.producer
            )

        if self.available(key) < used:
            self.refused(InsufficientStock, call)
            return
        call()
        self.model[key][0] -= used
        if used == quantity:
            del self.pieces[offcut.pk]
        else:
            self.pieces[offcut.pk][1] -= used

    @rule(data=st.data())
    def discard_offcut(self, data):
        offcut = self.pick_piece(data)
        if offcut is None:
            return
        key, quantity = self.pieces[offcut.pk]

        def call():
            return offcut_discard(offcut=offcut, reason="tangled", by=self.user)

        if self.available(key) < quantity:
            self.refused(InsufficientStock, call)
            return
        call()
        self.model[key][0] -= quantity
        del self.pieces[offcut.pk]

    # --- invariants ------------------------------------------------------------

    @invariant()
    def offcuts_agree_with_their_ledger_rows_and_the_model(self):
        live = Offcut.objects.on_the_rack().filter(material__in=self.materials)
        assert {o.pk: o.quantity for o in live} == {pk: q for pk, (_, q) in self.pieces.items()}
        assert [row for row in offcut_drift() if row["on_the_rack"] != row["ledger"]] == []

    @invariant()
    def balances_agree_with_the_ledger_and_the_model(self):
        balances = list(StockBalance.objects.filter(material__in=self.materials))
        # SQLite sums decimals as floats: round the sums to the columns' three places.
        totals = {
            pk: (on_hand.quantize(THOUSANDTH), reserved.quantize(THOUSANDTH))
            for pk, (on_hand, reserved) in ledger_totals(pks=[b.pk for b in balances]).items()
        }
        seen = set()
        for balance in balances:
            key = (
                self.materials.index(balance.material),
                [loc.pk for loc in self.locations].index(balance.location_id),
            )
            seen.add(key)
            assert (balance.on_hand, balance.reserved) == totals.get(balance.pk, (ZERO, ZERO))
            assert (balance.on_hand, balance.reserved) == tuple(self.model[key])
            assert balance.on_hand >= 0
            assert balance.reserved >= 0
            assert balance.reserved <= balance.on_hand
            latest = balance.movements.order_by("-id").first()
            if latest is not None:
                assert (latest.on_hand_after, latest.reserved_after) == (
                    balance.on_hand,
                    balance.reserved,
                )
        for key, (on_hand, reserved) in list(self.model.items()):
            if key not in seen:
                assert (on_hand, reserved) == (ZERO, ZERO)


@pytest.mark.django_db
def test_stock_operations_keep_balances_equal_to_the_ledger():
    run_state_machine_as_test(
        StockMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
