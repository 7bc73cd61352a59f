"""Full-text search over products, and a close spelling when a search finds nothing.

Both databases match word forms ("stools" finds a stool, "seedlings" a seedling
flat), rank the better match first, and search `Product.search_text` (title,
description, category and co-op names, kept by `catalog.services.products`).

- PostgreSQL: a stored `tsvector` column under a GIN index (migration 0005),
  English stemming, the `websearch` syntax ("quoted phrases", `-word`, `or`).
- SQLite: an FTS5 index (`catalog_product_fts`, porter stemmer over unicode61
  words, migration `product_search_fts_sqlite`) ranked by bm25. Triggers on the
  product table keep it in step with every write (services, the admin, bulk
  writes, fixtures), in the same transaction. `fts_match` reads the query as
  `websearch` does and quotes every word, so no input reaches FTS5 as syntax.

Both match whole words only, so both databases answer a search alike (a prefix
match, "wal" for walnut, would need a different query syntax on PostgreSQL, and
the storefront searches when a word is submitted, not at every keystroke).

Close spellings ("Did you mean stool?") come from `pg_trgm` on PostgreSQL only:
the trigram index on titles (migration `product_title_trigrams`) finds the
products whose title or category is near each word, and the nearest of their
words replaces it. SQLite offers no suggestion: without a trigram index, finding
one means reading every title, and the empty result still offers the categories.
"""

import difflib
import re
from functools import reduce
from operator import or_

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import (
    BooleanField,
    Expression,
    F,
    FloatField,
    QuerySet,
    Value,
)
from django.db.models.functions import Greatest

from catalog.models import Category, Product

MAX_WORDS = 10
# Letters and digits, as FTS5's unicode61 tokenizer splits words (it splits on "_").
WORD = re.compile(r"[^\W_]+")
# A term of a web search: `-` to leave out, then a "quoted phrase" (closed or not) or a word.
TERM = re.compile(r'(-)?(?:"([^"]*)"?|([^\s"]+))')

FTS_TABLE = "catalog_product_fts"
# As migration `product_search_fts_sqlite` creates them. A test compares them with the
# database, so a migration that changes the index must change these too.
SQLITE_TRIGGERS = {
    "catalog_product_fts_insert": (
        "CREATE TRIGGER catalog_product_fts_insert AFTER INSERT ON catalog_product BEGIN "
        "INSERT INTO catalog_product_fts(rowid, search_text) VALUES (new.id, new.search_text); "
        "END"
    ),
    "catalog_product_fts_delete": (
        "CREATE TRIGGER catalog_product_fts_delete AFTER DELETE ON catalog_product BEGIN "
        "INSERT INTO catalog_product_fts(catalog_product_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "END"
    ),
    "catalog_product_fts_update": (
        "CREATE TRIGGER catalog_product_fts_update AFTER UPDATE OF search_text "
        "ON catalog_product WHEN old.search_text IS NOT new.search_text BEGIN "
        "INSERT INTO catalog_product_fts(catalog_product_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO catalog_product_fts(rowid, search_text) VALUES (new.id, new.search_text); "
        "END"
    ),
}

# Products whose title or category is near a misspelt word, read to find its spelling.
SUGGESTION_CANDIDATES = 30
# How alike (difflib's ratio) a word of the catalog must be to replace a typed one.
SUGGESTION_CUTOFF = 0.7
MIN_CORRECTED = 3
# How alike (pg_trgm's word similarity) a title's word must be to make it a candidate.
WORD_SIMILARITY = 0.3


def search_words(query: str) -> list[str]:
    """The words of a query, lower-cased, as the search reads them (ten at most)."""
    return WORD.findall(query.lower())[:MAX_WORDS]


def fts_match(query: str) -> str:
    """The FTS5 MATCH expression for `query`, read the way PostgreSQL reads a web search.

    Words must all match (`stool pine`), "quoted words" match side by side,
    `-word` leaves out what holds it and `or` between words matches either side
    (`stool bench or table` is stool and bench, or table). Every word reaches
    FTS5 inside a quoted string, so quotes, `*`, `:`, `^`, parentheses, `NEAR`,
    `AND` or `NOT` typed by a visitor are never read as FTS5 syntax; the only
    operators are the ones written here. With no word to look for, the result
    is an empty phrase, which matches nothing (PostgreSQL, too, finds nothing).
    """
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    either, budget = False, MAX_WORDS
    for term in TERM.finditer(query):
        excluded, quoted, bare = term.groups()
        if quoted is None and bare.lower() == "or":
            either = True
            continue
        words = search_words(quoted if quoted is not None else bare)[:budget]
        if not words:
            continue
        budget -= len(words)
        if either and any(groups[-1]):
            groups.append(([], []))
        either = False
        wanted, unwanted = groups[-1]
        (unwanted if excluded else wanted).append(f'"{" ".join(words)}"')
        if not budget:
            break
    # FTS5's NOT takes a left side: a group of exclusions alone matches nothing.
    clauses = [
        " ".join(wanted) + "".join(f" NOT {phrase}" for phrase in unwanted)
        for wanted, unwanted in groups
        if wanted
    ]
    return " OR ".join(clauses) or '""'


class _StoredSearchVector(Expression):
    """The product's `search_vector` column, which only PostgreSQL has (migration 0005)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name('search_vector')}", []


class _FtsExpression(Expression):
    """SQL over the SQLite FTS5 index, bound to the product row of the query it is in."""

    template = ""

    def __init__(self, match: str):
        super().__init__()
        self.match = match

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.get_initial_alias())
        pk = f"{table}.{connection.ops.quote_name(Product._meta.pk.column)}"
        return self.template.format(fts=FTS_TABLE, pk=pk), [self.match]


class _FtsMatches(_FtsExpression):
    """The product is among the index's matches (FTS5 finds them, no scan of products)."""

    output_field = BooleanField()
    template = "{pk} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"


class _FtsRank(_FtsExpression):
    """How well the product matches: bm25, turned so that higher is better as on PostgreSQL."""

    output_field = FloatField()
    template = "(SELECT -bm25({fts}) FROM {fts} WHERE {fts} MATCH %s AND rowid = {pk})"


def product_search(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """The products matching every word of `query` in any of its forms, best match first.

    A blank query leaves `products` as they are; a query without a single word
    (only punctuation) matches nothing. Never raises on what a visitor types.
    """
    query = query.strip()
    if not query:
        return products
    if connections[products.db].vendor == "postgresql":
        search_query = SearchQuery(query, config="english", search_type="websearch")
        vector = _StoredSearchVector()
        return (
            products.annotate(search=vector)
            .filter(search=search_query)
            .annotate(rank=SearchRank(vector, search_query))
            .order_by("-rank", "-created_at", "-id")
        )
    match = fts_match(query)
    return (
        products.filter(_FtsMatches(match))
        .annotate(rank=_FtsRank(match))
        .order_by("-rank", "-created_at", "-id")
    )


def search_suggestion(products: QuerySet[Product], query: str) -> str | None:
    """A spelling of `query` near what was typed that finds some of `products`, or None.

    PostgreSQL only (None on SQLite). Four queries at most: a looser trigram
    threshold for this transaction, the titles (through their trigram index) and
    the category names holding a word near one of the query's words, then
    whether the corrected query finds anything among `products`.
    """
    connection = connections[products.db]
    if connection.vendor != "postgresql":
        return None
    words = search_words(query)
    typos = [word for word in words if _correctable(word)]
    if not typos:
        return None
    with transaction.atomic(using=products.db, savepoint=False):
        with connection.cursor() as cursor:
            # pg_trgm's default (0.6) misses a letter left out of a short word; the
            # setting ends with the transaction.
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(WORD_SIMILARITY)],
            )
        texts = [*close_titles(products, typos), *_close_category_names(products, typos)]
    vocabulary = {word for text in texts for word in search_words(text)}
    spelled = [_nearest(word, vocabulary) for word in words]
    if spelled == words:
        return None
    suggestion = " ".join(spelled)
    return suggestion if product_search(products, suggestion).exists() else None


def close_titles(products: QuerySet[Product], words: list[str]) -> QuerySet:
    """The titles among `products` holding a word near one of `words`, nearest first.

    `title %> word` for each word: the GIN trigram index on titles answers it.
    """
    near = reduce(or_, (TrigramWordSimilar(F("title"), Value(word)) for word in words))
    closeness = [TrigramWordSimilarity(word, "title") for word in words]
    return (
        products.filter(near)
        .annotate(closeness=Greatest(*closeness) if len(closeness) > 1 else closeness[0])
        .order_by("-closeness", "pk")
        .values_list("title", flat=True)[:SUGGESTION_CANDIDATES]
    )


def _close_category_names(products: QuerySet[Product], words: list[str]) -> QuerySet:
    near = reduce(or_, (TrigramWordSimilar(F("name"), Value(word)) for word in words))
    return Category.objects.filter(near, pk__in=products.values("category_id")).values_list(
        "name", flat=True
    )


def _correctable(word: str) -> bool:
    """Short words and numbers stay as typed: one letter off is another word ("or", "for")."""
    return len(word) >= MIN_CORRECTED and not word.isdigit()


def _nearest(word: str, vocabulary: set[str]) -> str:
    """The catalog's word nearest `word`, or `word` when none is near enough."""
    if word in vocabulary or not _correctable(word):
        return word
    found = difflib.get_close_matches(word, sorted(vocabulary), n=1, cutoff=SUGGESTION_CUTOFF)
    return found[0] if found else word


# --- Keeping the SQLite index in step ---------------------------------------------------


def repair_sqlite_index(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Put back any missing FTS5 trigger and rebuild the index; True if it had to.

    Altering a table on SQLite makes Django copy it into a new table and drop the
    old one, triggers and all; rows written meanwhile never reached the index.
    Nothing to do on PostgreSQL, or before `product_search_fts_sqlite` created the index.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND name IN "
            f"({', '.join(['%s'] * len(SQLITE_TRIGGERS))}))",
            [FTS_TABLE, *SQLITE_TRIGGERS],
        )
        present = {name for (name,) in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if FTS_TABLE not in present or not missing:
            return False
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return True


def repair_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """`post_migrate` receiver: see `repair_sqlite_index`."""
    repair_sqlite_index(using=using)
