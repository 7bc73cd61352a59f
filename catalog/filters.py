"""Product filters shared by the API and the storefront."""

import django_filters
from django.db.models import Q, QuerySet

from catalog.models import Product
from catalog.search import product_search
from catalog.selectors import PRODUCT_ORDERINGS


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug")
    producer = django_filters.CharFilter(field_name="producer__slug")
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    fulfilment = django_filters.ChoiceFilter(choices=Product.Fulfilment.choices)
    status = django_filters.ChoiceFilter(choices=Product.Status.choices)
    in_stock = django_filters.BooleanFilter(
        method="filter_in_stock", label="Ready-made and on the shelf now"
    )
    # Declared before `ordering`: a search ranks, unless an explicit ordering is asked for.
    q = django_filters.CharFilter(method="search", max_length=200)
    ordering = django_filters.ChoiceFilter(
        method="order",
        choices=[(key, key) for key in PRODUCT_ORDERINGS],
        empty_label=None,
    )

    class Meta:
        model = Product
        fields = ["category", "producer", "fulfilment", "status"]

    def filter_in_stock(self, queryset, name, value):
        in_stock = Q(fulfilment=Product.Fulfilment.STOCK, stock_available__gt=0)
        return queryset.filter(in_stock) if value else queryset.exclude(in_stock)

    def unsearched(self) -> QuerySet[Product]:
        """The products every filter but the search leaves (where a suggestion must find some)."""
        data = self.data.copy()
        data.pop("q", None)
        return type(self)(data, queryset=self.queryset).qs

    def search(self, queryset, name, value):
        return product_search(queryset, value)

    def order(self, queryset, name, value):
        return queryset.order_by(*PRODUCT_ORDERINGS[value])
