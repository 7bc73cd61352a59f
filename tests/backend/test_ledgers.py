"""Ledger rows are written once: no edit or delete, one at a time or in bulk."""

import pytest

from catalog.models import StockMovement
from community.models import Disbursement, FundEntry
from orders.models import CounterPayment

LEDGERS = [StockMovement, CounterPayment, FundEntry, Disbursement]


@pytest.mark.parametrize("model", LEDGERS, ids=lambda model: model.__name__)
def test_a_ledger_refuses_bulk_edits(model):
    with pytest.raises(TypeError, match="are never edited"):
        model.objects.none().update(pk=1)


@pytest.mark.parametrize("model", LEDGERS, ids=lambda model: model.__name__)
def test_a_ledger_refuses_bulk_deletes(model):
    with pytest.raises(TypeError, match="are never deleted"):
        model.objects.none().delete()


@pytest.mark.parametrize("model", LEDGERS, ids=lambda model: model.__name__)
def test_a_written_ledger_row_cannot_be_saved_again(model):
    written = model(pk=1)

    with pytest.raises(TypeError, match="are never edited"):
        written.save()


@pytest.mark.parametrize("model", LEDGERS, ids=lambda model: model.__name__)
def test_a_ledger_row_cannot_be_deleted(model):
    with pytest.raises(TypeError, match="are never deleted"):
        model(pk=1).delete()
