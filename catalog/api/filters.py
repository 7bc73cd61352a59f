import django_filters
from django import forms
from django.db.models import Q

from backend.parsers import plausible_offset
from catalog.models import Material, StockBalance, StockMovement
from catalog.selectors import materials_below_reorder


class MaterialFilter(django_filters.FilterSet):
    below_reorder = django_filters.BooleanFilter(method="filter_below_reorder")
    q = django_filters.CharFilter(method="search", max_length=100)

    class Meta:
        model = Material
        fields = ["category", "unit", "active"]

    def filter_below_reorder(self, queryset, name, value):
        if value is None:
            return queryset
        low = materials_below_reorder(queryset)
        return low if value else queryset.exclude(pk__in=low.values("pk"))

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(sku__icontains=value) | Q(description__icontains=value)
        )


class StockBalanceFilter(django_filters.FilterSet):
    material = django_filters.CharFilter(field_name="material__sku")
    location = django_filters.CharFilter(field_name="location__code")
    producer = django_filters.CharFilter(field_name="location__producer__slug")
    shared = django_filters.BooleanFilter(field_name="location__shared")

    class Meta:
        model = StockBalance
        fields = ["material", "location", "producer", "shared"]


class PlausibleIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        if not plausible_offset(value):
            raise forms.ValidationError("Use a time zone offset within ±14:00.", code="invalid")
        return value


class PlausibleIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = PlausibleIsoDateTimeField


class StockMovementFilter(django_filters.FilterSet):
    """Filters on what the caller is shown: another co-op's rows cannot be picked out
    by its producer or reference."""

    material = django_filters.CharFilter(field_name="material__sku")
    location = django_filters.CharFilter(field_name="location__code")
    producer = django_filters.CharFilter(field_name="shown_producer")
    kind = django_filters.MultipleChoiceFilter(choices=StockMovement.Kind.choices)
    reference = django_filters.CharFilter(field_name="shown_reference")
    job = django_filters.NumberFilter(method="filter_job", label="Job id")
    date_from = PlausibleIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    date_to = PlausibleIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["material", "location", "producer", "kind", "reference"]

    def filter_job(self, queryset, name, value):
        # Reservations, releases and consumption for a job carry `job-<id>`.
        if not value.is_finite() or value != value.to_integral_value():
            return queryset.none()
        return queryset.filter(shown_reference=f"job-{int(value)}")
