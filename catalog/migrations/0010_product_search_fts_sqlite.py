"""Search on SQLite: an FTS5 index over the products' `search_text`.

SQLite matched each typed word with LIKE, so "stools" never found a stool. An
external-content FTS5 table (it stores only the index, the text stays in
`catalog_product`) tokenizes with the porter stemmer over unicode61 words, and
triggers keep it in step with every write to the product table. PostgreSQL
keeps its stored `tsvector` (0005) and is left alone.

Django rebuilds a SQLite table to alter it, which drops its triggers:
`catalog.search.repair_sqlite_index` puts them back after every migrate (its
copy of the triggers must match these; a test compares them).
"""

from django.db import migrations

FORWARD = [
    "CREATE VIRTUAL TABLE catalog_product_fts USING fts5(search_text, "
    "content='catalog_product', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER catalog_product_fts_insert AFTER INSERT ON catalog_product BEGIN "
    "INSERT INTO catalog_product_fts(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
    "CREATE TRIGGER catalog_product_fts_delete AFTER DELETE ON catalog_product BEGIN "
    "INSERT INTO catalog_product_fts(catalog_product_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "END",
    "CREATE TRIGGER catalog_product_fts_update AFTER UPDATE OF search_text "
    "ON catalog_product WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO catalog_product_fts(catalog_product_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO catalog_product_fts(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
    "INSERT INTO catalog_product_fts(catalog_product_fts) VALUES ('rebuild')",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_product_fts_insert",
    "DROP TRIGGER IF EXISTS catalog_product_fts_delete",
    "DROP TRIGGER IF EXISTS catalog_product_fts_update",
    "DROP TABLE IF EXISTS catalog_product_fts",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_back_in_stock_requests")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
