"""The community-fund share and the co-op's payout always add up to the job total."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.payments.payouts import community_split

totals = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999999.99"), places=2)
percents = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)


@given(total=totals, percent=percents)
def test_payout_and_share_add_up_to_the_total_to_the_cent_and_are_never_negative(total, percent):
    payout, share = community_split(total=total, percent=percent)

    assert payout + share == total
    assert payout >= 0
    assert share >= 0
    assert payout.as_tuple().exponent == -2
    assert share.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("total", "percent", "share"),
    [
        ("60.00", "5", "3.00"),
        ("28.45", "5", "1.42"),  # 1.4225
        ("9.90", "5", "0.50"),  # 0.495 rounds half up
        ("0.01", "5", "0.00"),
        ("19.99", "100", "19.99"),
    ],
)
def test_the_share_is_rounded_half_up_to_the_cent(total, percent, share):
    assert community_split(total=Decimal(total), percent=Decimal(percent))[1] == Decimal(share)
