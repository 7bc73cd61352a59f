"""Two disbursements at the same moment can never overdraw the fund.

Real threads on PostgreSQL. SQLite runs one writer at a time, so the race cannot happen
there and the test is skipped (see `pytest_collection_modifyitems` in tests/conftest.py).
"""

import threading
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection

from community.exceptions import FundTooLow
from community.models import Disbursement
from community.selectors import fund_balance, fund_drift
from community.services.fund import adjustment_record, disbursement_record
from tests.factories import UserFactory, hand_over, place

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def pay_together(people: list, amount: Decimal) -> tuple[list, list[BaseException]]:
    barrier = threading.Barrier(len(people))
    paid, errors = [], []

    def pay(person):
        try:
            barrier.wait()
            paid.append(
                disbursement_record(amount=amount, paid_to="Garden", purpose="Seeds", by=person)
            )
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return paid, errors


def test_two_disbursements_of_most_of_the_fund_at_once_pay_exactly_one(stool):
    hand_over(place((stool, 2)).jobs.get())  # 6.00 in the fund
    treasurers = [UserFactory(is_staff=True) for _ in range(4)]

    paid, errors = pay_together(treasurers, Decimal("4.00"))

    assert len(paid) == 1
    assert len(errors) == 3
    assert all(isinstance(error, FundTooLow) for error in errors)
    assert Disbursement.objects.count() == 1
    assert fund_balance() == Decimal("2.00")
    assert fund_drift() == []


def test_a_disbursement_and_a_correction_down_racing_for_the_same_dollars_leave_the_fund_whole(
    stool,
):
    hand_over(place((stool, 2)).jobs.get())  # 6.00 in the fund
    treasurer, auditor = UserFactory(is_staff=True), UserFactory(is_staff=True)
    barrier = threading.Barrier(2)
    done, errors = [], []

    def act(record):
        try:
            barrier.wait()
            done.append(record())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    pay = partial(
        disbursement_record, amount=Decimal("5.00"), paid_to="Garden", purpose="Seeds", by=treasurer
    )
    correct = partial(adjustment_record, amount=Decimal("-5.00"), reason="Bank fee", by=auditor)
    threads = [threading.Thread(target=act, args=(action,)) for action in (pay, correct)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(done) == 1
    assert [type(error) for error in errors] == [FundTooLow]
    assert fund_balance() == Decimal("1.00")
    assert fund_drift() == []
