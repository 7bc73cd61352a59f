"""The one lock the fund takes: every debit waits for the one before it."""

from django.db import connection


def fund_for_update() -> None:
    """Serialise debits until the transaction ends, so two cannot both spend the last dollar.

    A PostgreSQL advisory lock (no row to lose when a table is emptied); nothing
    to do on SQLite, whose transactions start IMMEDIATE and so write one at a time.
    Credits need no lock: they only raise the balance a debit checks.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended('community-fund', 0))")
