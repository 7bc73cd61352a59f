"""On PostgreSQL the database itself refuses to edit or delete a row of the fund's ledger.

A row-level trigger: TRUNCATE (how tests and `flush` empty tables) fires no row
trigger, so it still works. SQLite keeps the model's own refusals only.
"""

from django.db import migrations

TABLES = ["community_fundentry", "community_disbursement"]

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION community_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the community fund''s ledger is append-only: % on % refused',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the `%` placeholders belong to PL/pgSQL, not to the driver.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION community_ledger_refuse_change()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS community_ledger_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("community", "0001_fund_ledger")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
