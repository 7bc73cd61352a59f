"""The fund's ledger is append-only: no entry or disbursement is edited or deleted, by the
model, a bulk query, the back office or (on PostgreSQL) a plain SQL statement."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from community.models import Disbursement, FundEntry
from community.selectors import fund_balance
from community.services.fund import adjustment_record, disbursement_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasurer():
    return UserFactory(is_staff=True)


@pytest.fixture
def paid(treasurer) -> Disbursement:
    adjustment_record(amount=Decimal("20.00"), reason="Opening balance", by=treasurer)
    return disbursement_record(
        amount=Decimal("5.00"), paid_to="Garden", purpose="Seed", by=treasurer
    )


def test_an_entry_cannot_be_saved_again(paid):
    entry = FundEntry.objects.first()
    entry.amount = Decimal("99.00")

    with pytest.raises(TypeError, match="never edited"):
        entry.save()


def test_an_entry_cannot_be_deleted(paid):
    with pytest.raises(TypeError, match="never deleted"):
        FundEntry.objects.first().delete()


@pytest.mark.parametrize("action", ["update", "delete"])
def test_bulk_edits_and_deletes_of_the_ledger_are_refused(paid, action):
    entries = FundEntry.objects.all()

    with pytest.raises(TypeError):
        entries.update(amount=Decimal("1.00")) if action == "update" else entries.delete()

    assert fund_balance() == Decimal("15.00")


def test_a_disbursement_cannot_be_edited_or_deleted(paid):
    paid.purpose = "Something else"

    with pytest.raises(TypeError):
        paid.save()
    with pytest.raises(TypeError):
        paid.delete()
    with pytest.raises(TypeError):
        Disbursement.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE community_fundentry SET amount = 1000",
        "DELETE FROM community_fundentry",
        "UPDATE community_disbursement SET amount = 1",
        "DELETE FROM community_disbursement",
    ],
)
def test_postgresql_refuses_to_change_the_ledger_even_in_plain_sql(paid, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert fund_balance() == Decimal("15.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_emptying_every_table_still_works_with_the_ledger_guarded(treasurer):
    # How tests and `manage.py flush` empty the database: TRUNCATE, which fires no row trigger.
    adjustment_record(amount=Decimal("3.00"), reason="Opening balance", by=treasurer)

    call_command("flush", interactive=False, verbosity=0)

    assert not FundEntry.objects.exists()
