"""What the catalog's lists cost to read, paid once per change.

A list page reads the products, their pictures, their stock and whether each
made-to-order good can be made now, and its total runs a `COUNT(*)` over every
matching row: at 100,000 products the total alone costs more than the page.
The public lists are the same for every visitor, so their totals and pages are
cached, under one catalog version.

The version moves whenever anything a list shows changes: a product, picture,
bill of materials, category or producer saved or deleted, capabilities
changed, or stock moved. It moves at once and again when the transaction
commits, so nothing computed from the old rows outlives the commit. Entries also
expire after a few minutes, which bounds the damage of a change made behind the
ORM's back (raw SQL); `manage.py` commands that write in bulk move the version
themselves.
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.utils.functional import cached_property

VERSION_KEY = "catalog:version"
TIMEOUT = 5 * 60


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there yet (or evicted): start above any earlier value
        cache.add(VERSION_KEY, time.time_ns(), None)
        cache.incr(VERSION_KEY)


def catalog_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def catalog_changed() -> None:
    """Forget every cached list and count: now, and again once the transaction commits."""
    if not settings.CATALOG_CACHE:
        return
    _bump()
    transaction.on_commit(_bump)


def forget_lists(**kwargs) -> None:
    """Signal receiver for the models a list shows."""
    catalog_changed()


def cached[T](parts: tuple, compute: Callable[[], T], *, timeout: int = TIMEOUT) -> T:
    """`compute()`, cached under `parts` until the catalog changes.

    A value computed while a change commits is stored under the version read
    before it, which the commit has already moved on: the next reader recomputes.
    """
    if not settings.CATALOG_CACHE:
        return compute()
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"catalog:{digest}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or catalog_version()
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    value = compute()
    cache.set(key, (version, value), timeout)
    return value


def product_count(queryset: QuerySet) -> int:
    """`queryset.count()`, cached until the catalog changes.

    The key is the query's own filters, so each filter, search and visibility
    (a member also sees their drafts) has its own count.
    """
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return cached(("count", sql, params), queryset.count)


class CachedCountPaginator(Paginator):
    """A paginator whose total comes from `product_count`."""

    @cached_property
    def count(self) -> int:
        return product_count(self.object_list)
