"""On PostgreSQL the database itself refuses two active bookings of one machine that overlap.

An exclusion constraint over the machine (equality, through `btree_gist`) and the
booked time range (`[start, end)`, so one booking may begin the minute another ends).
SQLite has no such constraint: the booking services serialise their checks there.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "booking_machine_time_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE fablab_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(machine_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status = 'booked')"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE fablab_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("fablab", "0001_machines_and_certifications")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint),
    ]
