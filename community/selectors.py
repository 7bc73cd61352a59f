"""Reads of the community fund."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from backend.money import to_money
from community.models import Disbursement, FundEntry
from orders.models import CounterPayment, Payout


def fund_balance() -> Decimal:
    """The fund's balance: the sum of its ledger, to the cent."""
    total = FundEntry.objects.aggregate(total=Sum("amount"))["total"]
    return to_money(total or 0)


def fund_drift() -> list[str]:
    """Where the ledger and what it records disagree; empty when they agree to the cent.

    Every settled sale (a payout or a counter payment) has one credit of its
    community share; every disbursement has one debit of its amount; no entry
    points at a row that is not there; the balance is not below zero.
    """
    problems: list[str] = []
    entries = {
        (entry.source, entry.source_id): entry.amount
        for entry in FundEntry.objects.exclude(source_id=None).only("source", "source_id", "amount")
    }
    owed = {
        (FundEntry.Source.PAYOUT, pk): share
        for pk, share in Payout.objects.values_list("pk", "community_share")
    }
    owed |= {
        (FundEntry.Source.COUNTER_PAYMENT, pk): share
        for pk, share in CounterPayment.objects.values_list("pk", "community_share")
    }
    owed |= {
        (FundEntry.Source.DISBURSEMENT, pk): -amount
        for pk, amount in Disbursement.objects.values_list("pk", "amount")
    }
    for key, amount in sorted(owed.items()):
        label = f"{FundEntry.Source(key[0]).label} {key[1]}"
        if key not in entries:
            problems.append(f"{label}: no ledger entry for {to_money(amount)}")
        elif to_money(entries[key]) != to_money(amount):
            problems.append(
                f"{label}: the ledger says {to_money(entries[key])}, the record {to_money(amount)}"
            )
    for key in sorted(set(entries) - set(owed)):
        label = f"{FundEntry.Source(key[0]).label} {key[1]}"
        problems.append(f"{label}: the ledger entry has no record")
    balance = fund_balance()
    if balance < 0:
        problems.append(f"The balance is below zero: {balance}")
    return problems


def fund_entries() -> QuerySet[FundEntry]:
    """The ledger, newest first, with the co-op of each sale's share."""
    return FundEntry.objects.select_related("producer").order_by("-created_at", "-id")
