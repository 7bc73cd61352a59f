"""The community fund's first year: money carried over, and what it has paid for so far."""

from decimal import Decimal

from community.models import Disbursement
from community.services.fund import adjustment_record, disbursement_record

# Before the marketplace, the co-ops pooled a share of their market-day takings.
CARRIED_OVER = Decimal("2600.00")
DISBURSEMENTS = [
    (
        Decimal("480.00"),
        "Westside Community Garden",
        "Soil, seed and two rain barrels for the Rose Street beds",
    ),
    (
        Decimal("325.50"),
        "Center for Community Production Fab Lab",
        "Plywood and filament for the Saturday youth build nights, spring term",
    ),
]


def seed_fund(*, by) -> int:
    """The opening balance and two disbursements, through the fund's services, once.

    Left alone once any disbursement exists; every sale the demo hands over has
    already credited its share on its own.
    """
    if Disbursement.objects.exists():
        return 0
    adjustment_record(
        amount=CARRIED_OVER,
        reason="Carried over from the co-ops' market-day fund, 2024–2026",
        by=by,
    )
    for amount, paid_to, purpose in DISBURSEMENTS:
        disbursement_record(amount=amount, paid_to=paid_to, purpose=purpose, by=by)
    return len(DISBURSEMENTS)
