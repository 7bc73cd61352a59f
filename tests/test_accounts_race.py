"""Two sign-ups with the same email at once make one account: the other is refused.

SQLite serialises every writer, so this proves nothing there and is skipped.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from orders.services.accounts import account_sign_up
from producers.exceptions import EmailInUse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIES = 4


def test_racing_sign_ups_with_one_email_make_one_account():
    barrier = threading.Barrier(TRIES)
    outcomes: list[str] = []

    def sign_up(number):
        try:
            barrier.wait()
            account_sign_up(
                email="Rosa@example.org" if number % 2 else "rosa@EXAMPLE.org",
                name="Rosa",
                password="sweet-potato-garden-42",
            )
            outcomes.append("made")
        except EmailInUse:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(TRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["made"] + ["refused"] * (TRIES - 1)
    assert get_user_model().objects.filter(email__iexact="rosa@example.org").count() == 1
