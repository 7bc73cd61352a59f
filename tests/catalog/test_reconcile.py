from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from catalog.models import StockBalance, Unit
from catalog.selectors import ledger_totals
from catalog.services.stock import (
    StockLine,
    stock_adjust_to_count,
    stock_consume,
    stock_draw_down,
    stock_receive,
    stock_reserve,
    stock_transfer,
)
from tests.factories import MaterialFactory, StockLocationFactory

pytestmark = pytest.mark.django_db

THOUSANDTH = Decimal("0.001")


def reconcile(**options):
    out = StringIO()
    call_command("reconcile_stock", stdout=out, **options)
    return out.getvalue()


def reconcile_failing(**options):
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("reconcile_stock", stdout=out, **options)
    return out.getvalue(), str(caught.value)


def plant(sql, pk):
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])


def ledger_of(balance):
    on_hand, reserved = ledger_totals(pks=[balance.pk])[balance.pk]
    return on_hand.quantize(THOUSANDTH), reserved.quantize(THOUSANDTH)


@pytest.fixture
def material():
    return MaterialFactory(unit=Unit.SHEET)


@pytest.fixture
def location(coop):
    return StockLocationFactory(producer=coop)


@pytest.fixture
def balance(material, location, coop):
    """A balance with one of every kind of movement behind it."""
    other = StockLocationFactory(producer=coop)
    common = {"by": None, "reason": "test"}
    stock_receive(material=material, location=location, quantity="20", **common)
    stock_draw_down(material=material, location=location, quantity="2", producer=coop, **common)
    stock_adjust_to_count(material=material, location=location, counted="17", **common)
    stock_transfer(material=material, source=location, destination=other, quantity="3", **common)
    stock_reserve(lines=[StockLine(material, location, "5")], **common)
    stock_consume(lines=[StockLine(material, location, "1")], **common)
    return StockBalance.objects.get(material=material, location=location)


def test_reconcile_passes_when_every_balance_matches_its_ledger(balance):
    assert (balance.on_hand, balance.reserved) == (Decimal("13"), Decimal("4"))

    output = reconcile()

    assert "DRIFT" not in output
    assert "All 2 balances match the ledger." in output


def test_reconcile_passes_with_no_balances_at_all():
    assert "All 0 balances match the ledger." in reconcile()


def test_reconcile_reports_drift_in_on_hand(balance, material, location):
    plant("UPDATE catalog_stockbalance SET on_hand = on_hand + 5 WHERE id = %s", balance.pk)

    output, error = reconcile_failing()

    drift = [line for line in output.splitlines() if "DRIFT" in line]
    assert len(drift) == 1
    assert f"DRIFT {material.sku} @ {location.code}" in drift[0]
    assert "on hand 18.000 (ledger 13" in drift[0]
    assert "1 of 2 balances differ from the ledger" in error


def test_reconcile_reports_drift_in_reserved(balance, material):
    plant("UPDATE catalog_stockbalance SET reserved = 0 WHERE id = %s", balance.pk)

    output, _ = reconcile_failing()

    assert f"DRIFT {material.sku}" in output
    assert "reserved 0.000 (ledger 4" in output


def test_reconcile_reports_a_balance_that_has_no_ledger_rows(material, location):
    orphan = StockBalance.objects.create(material=material, location=location)
    plant("UPDATE catalog_stockbalance SET on_hand = 3 WHERE id = %s", orphan.pk)

    output, _ = reconcile_failing()

    assert f"DRIFT {material.sku} @ {location.code}" in output


def test_reconcile_without_fix_changes_nothing(balance):
    plant("UPDATE catalog_stockbalance SET on_hand = on_hand + 5 WHERE id = %s", balance.pk)

    reconcile_failing()

    balance.refresh_from_db()
    assert balance.on_hand == Decimal("18")


def test_reconcile_with_fix_still_fails_but_sets_the_balance_to_the_ledger(balance):
    plant(
        "UPDATE catalog_stockbalance SET on_hand = on_hand + 5, reserved = 0 WHERE id = %s",
        balance.pk,
    )

    output, _ = reconcile_failing(fix=True)

    assert "Set 1 balances to the ledger's values." in output
    balance.refresh_from_db()
    assert (balance.on_hand, balance.reserved) == ledger_of(balance)
    assert (balance.on_hand, balance.reserved) == (Decimal("13"), Decimal("4"))
    assert "All 2 balances match the ledger." in reconcile()


def test_reconcile_with_fix_zeroes_a_balance_that_has_no_ledger_rows(material, location):
    orphan = StockBalance.objects.create(material=material, location=location)
    plant("UPDATE catalog_stockbalance SET on_hand = 3 WHERE id = %s", orphan.pk)

    reconcile_failing(fix=True)

    orphan.refresh_from_db()
    assert (orphan.on_hand, orphan.reserved) == (Decimal("0"), Decimal("0"))
    reconcile()


def test_reconcile_with_fix_leaves_matching_balances_alone(balance, material, location):
    other = StockBalance.objects.exclude(pk=balance.pk).get()
    stamp = other.updated_at
    plant("UPDATE catalog_stockbalance SET on_hand = on_hand + 5 WHERE id = %s", balance.pk)

    reconcile_failing(fix=True)

    other.refresh_from_db()
    assert other.updated_at == stamp


@pytest.fixture
def resin(location):
    """A kg material whose ledger sums to 0.999: 9 received, then counted at 0.999."""
    resin = MaterialFactory(unit=Unit.KG)
    stock_receive(material=resin, location=location, quantity="9", by=None, reason="delivery")
    stock_adjust_to_count(
        material=resin, location=location, counted="0.999", by=None, reason="stocktake"
    )
    return resin


def test_fractional_quantities_do_not_show_as_drift(resin):
    assert StockBalance.objects.get(material=resin).on_hand == Decimal("0.999")

    output = reconcile()

    assert "DRIFT" not in output


def test_fix_sets_a_fractional_balance_to_its_exact_ledger_value(resin):
    balance = StockBalance.objects.get(material=resin)
    plant("UPDATE catalog_stockbalance SET on_hand = on_hand + 5 WHERE id = %s", balance.pk)

    reconcile_failing(fix=True)

    balance.refresh_from_db()
    assert balance.on_hand == Decimal("0.999")
    assert "DRIFT" not in reconcile()
