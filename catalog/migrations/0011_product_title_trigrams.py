"""Close spellings on PostgreSQL: `pg_trgm` and a trigram index on product titles.

When a search finds nothing, `catalog.search.search_suggestion` looks for titles
holding a word near each typed one (`title %> 'stoool'`); the GIN index answers
that without reading every title. `TrigramExtension` does nothing on SQLite, and
the index is made on PostgreSQL only.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="product_title_trgm")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("catalog", "Product"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("catalog", "Product"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_product_search_fts_sqlite")]

    operations = [TrigramExtension(), migrations.RunPython(add_index, remove_index)]
