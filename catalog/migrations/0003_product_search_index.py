"""Full-text search over products: a GIN index on PostgreSQL only.

The index expression must match the one `catalog.selectors` searches with
(`SearchVector("search_text", config="english")`), or PostgreSQL won't use it.
SQLite has no GIN indexes and searches with a plain fallback.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("search_text", config="english"), name="product_search_gin")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("catalog", "Product"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("catalog", "Product"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_products")]

    operations = [migrations.RunPython(add_index, remove_index)]
