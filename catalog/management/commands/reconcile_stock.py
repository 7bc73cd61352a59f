from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.lock_objects import balances_for_update
from catalog.models import QUANTITY, StockBalance
from catalog.offcut_selectors import offcut_drift
from catalog.selectors import ledger_totals

ZEROS = (Decimal("0"), Decimal("0"))
PLACE = Decimal(1).scaleb(-QUANTITY["decimal_places"])


def _ledger(totals, pk) -> tuple[Decimal, Decimal]:
    """A balance's ledger sums, rounded to the columns' places: SQLite sums decimals as floats."""
    on_hand, reserved = totals.get(pk, ZEROS)
    return on_hand.quantize(PLACE), reserved.quantize(PLACE)


class Command(BaseCommand):
    help = (
        "Rebuild every stock balance from the ledger and report drift. Exits non-zero when "
        "any balance disagrees with its ledger; --fix sets those balances to the ledger's values."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Set drifted balances to what the ledger says."
        )

    def handle(self, *args, fix: bool = False, **options):
        totals = ledger_totals()
        balances = StockBalance.objects.select_related("material", "location").order_by("pk")
        count = balances.count()
        self.stdout.write(f"Checking {count} balances against the ledger…")
        drifted = []
        for index, balance in enumerate(balances.iterator(chunk_size=2000), start=1):
            on_hand, reserved = _ledger(totals, balance.pk)
            if (balance.on_hand, balance.reserved) != (on_hand, reserved):
                drifted.append((balance, on_hand, reserved))
                self.stdout.write(
                    f"  DRIFT {balance.material.sku} @ {balance.location.code}: "
                    f"on hand {balance.on_hand} (ledger {on_hand}), "
                    f"reserved {balance.reserved} (ledger {reserved})"
                )
            if index % 10000 == 0:
                self.stdout.write(f"  …{index}/{count}")
        offcuts = self._check_offcuts()
        if not drifted:
            self.stdout.write(self.style.SUCCESS(f"All {count} balances match the ledger."))
            if offcuts:
                raise CommandError(f"{offcuts} balances' offcuts differ from the ledger.")
            return
        if fix:
            self._fix(drifted)
            self.stdout.write(f"Set {len(drifted)} balances to the ledger's values.")
        raise CommandError(f"{len(drifted)} of {count} balances differ from the ledger.")

    def _check_offcuts(self) -> int:
        """Offcuts are checked, never fixed: a person looks at the rack. Returns how many
        balances' offcuts disagree with their ledger rows; pieces beyond what the shelf
        holds (whole-stock drawdowns cut into them) are named for a look at the rack."""
        drift = offcut_drift()
        for row in drift:
            balance = row["balance"]
            where = f"{balance.material.sku} @ {balance.location.code}"
            if row["on_the_rack"] != row["ledger"]:
                self.stdout.write(
                    f"  OFFCUTS {where}: {row['on_the_rack']} on the rack (ledger {row['ledger']})"
                )
            else:
                self.stdout.write(
                    f"  CHECK THE RACK {where}: offcuts of {row['on_the_rack']} recorded, "
                    f"{row['on_hand']} on hand; discard or count the pieces that are gone"
                )
        mismatched = sum(1 for row in drift if row["on_the_rack"] != row["ledger"])
        if not mismatched:
            self.stdout.write("Every balance's offcuts match the ledger.")
        return mismatched

    def _fix(self, drifted) -> None:
        with transaction.atomic():
            pairs = [(balance.material, balance.location) for balance, _, _ in drifted]
            locked = balances_for_update(pairs)
            fresh = ledger_totals(pks=[b.pk for b in locked.values()])
            for balance in locked.values():
                balance.on_hand, balance.reserved = _ledger(fresh, balance.pk)
                balance.save(update_fields=["on_hand", "reserved", "updated_at"])
