import django_filters
from django.db.models import Q

from producers.models import Producer


class ProducerFilter(django_filters.FilterSet):
    capability = django_filters.CharFilter(field_name="capabilities__slug", distinct=True)
    q = django_filters.CharFilter(method="search", max_length=100)

    class Meta:
        model = Producer
        fields = ["kind", "status", "capability"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))
