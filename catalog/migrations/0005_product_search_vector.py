"""Full-text search reads a stored vector on PostgreSQL.

Ranking a search computed `to_tsvector` again for every matching row: a
common word matching thousands of products cost 170 ms. A generated column
keeps the vector beside the row (PostgreSQL refreshes it whenever
`search_text` changes), and the GIN index now covers that column. The model
does not declare the column: SQLite has no `tsvector` and searches with a
plain fallback, so only `catalog.selectors` reads it, on PostgreSQL.
"""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS product_search_gin",
    "ALTER TABLE catalog_product ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english'::regconfig, COALESCE(search_text, ''))) STORED",
    "CREATE INDEX product_search_gin ON catalog_product USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS product_search_gin",
    "ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX product_search_gin ON catalog_product USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(search_text, '')))",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_product_sort_indexes")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
