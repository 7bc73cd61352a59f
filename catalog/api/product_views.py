from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from backend.pagination import KeysetPagination
from catalog import selectors
from catalog.api.product_serializers import (
    BillOfMaterialsInputSerializer,
    BillOfMaterialsLineSerializer,
    CategorySerializer,
    ProductDetailSerializer,
    ProductSerializer,
    ProductStockInputSerializer,
    ProductWriteSerializer,
)
from catalog.api.serializers import StockBalanceSerializer, StockMovementSerializer
from catalog.caching import cached, product_count
from catalog.filters import ProductFilter
from catalog.models import BillOfMaterialsLine, Category, Product, StockBalance, StockMovement
from catalog.search import search_suggestion
from catalog.services import products as services
from catalog.services.offcuts import OffcutFit
from catalog.services.product_status import product_create_by_member, product_update_by_member
from producers.models import Producer
from producers.permissions import can_act_for, is_platform_staff, producer_ids_for


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"
    pagination_class = None


class ProductStockSerializer(serializers.Serializer):
    balances = StockBalanceSerializer(many=True)
    movements = StockMovementSerializer(many=True)


class ProductPagination(KeysetPagination):
    """Keyset links, totals cached until the catalog changes, and a search's close spelling."""

    def count_rows(self, queryset):
        return product_count(queryset)

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["suggestion"] = {
            "type": "string",
            "nullable": True,
            "example": "stool",
            "description": "When a search (`q`) finds nothing: a close spelling that finds "
            "something with the same filters (PostgreSQL only), else null.",
        }
        return paginated


# A query with any other parameter is answered fresh and not stored: made-up
# parameters must not fill the cache with copies of the same page.
CACHED_LIST_PARAMS = {*ProductFilter.base_filters, "page", "page_size", "cursor", "format"}


def _public_detail(slug: str) -> dict | None:
    product = selectors.public_product(slug)
    return None if product is None else dict(ProductDetailSerializer(product).data)


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Locally made goods. Everyone sees published ones; members also their own drafts."""

    lookup_field = "slug"
    filterset_class = ProductFilter
    pagination_class = ProductPagination

    def get_queryset(self):
        if self.action == "list":
            return selectors.product_list(user=self.request.user)
        return selectors.product_detail(user=self.request.user)

    def get_serializer_class(self):
        return ProductSerializer if self.action == "list" else ProductDetailSerializer

    def list(self, request, *args, **kwargs):
        known = set(request.query_params) <= CACHED_LIST_PARAMS
        if not known or not selectors.sees_public_catalog(request.user):
            return self._list()
        # Everyone outside the co-ops sees the same list: cache it until the
        # catalog changes (see catalog.caching). The address carries every filter.
        return Response(cached(("api-products", request.build_absolute_uri()), self._list_data))

    def _list(self) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        selectors.with_availability(page)
        response = self.get_paginated_response(ProductSerializer(page, many=True).data)
        response.data["suggestion"] = None if self.paginator.count else self._suggestion()
        return response

    def _suggestion(self) -> str | None:
        filters = ProductFilter(self.request.query_params, queryset=self.get_queryset())
        typed = (filters.form.cleaned_data.get("q") or "") if filters.is_valid() else ""
        return search_suggestion(filters.unsearched(), typed) if typed.strip() else None

    def _list_data(self) -> dict:
        return dict(self._list().data)

    def retrieve(self, request, *args, **kwargs):
        if not selectors.sees_public_catalog(request.user):
            product = self.get_object()
            selectors.with_availability([product])
            member = can_act_for(request.user, product.producer_id)
            return Response(ProductDetailSerializer(product, context={"member": member}).data)
        slug = kwargs[self.lookup_field]
        data = cached(("api-product", slug), lambda: _public_detail(slug))
        if data is None:
            raise NotFound("No such product.")
        return Response(data)

    def _detail(self, product: Product) -> dict:
        """The product as it now stands, after a write."""
        fresh = selectors.product_detail(user=self.request.user).get(pk=product.pk)
        selectors.with_availability([fresh])
        member = can_act_for(self.request.user, fresh.producer_id)
        return ProductDetailSerializer(fresh, context={"member": member}).data

    def _require_member(self, product: Product) -> None:
        user = self.request.user
        if not can_act_for(user, product.producer_id):
            self.permission_denied(self.request, message="Only the co-op's members may do this.")

    def _producer_for_new_product(self, requested: Producer | None) -> Producer:
        user = self.request.user
        if is_platform_staff(user):
            if requested is None:
                raise serializers.ValidationError({"producer": "Say which producer makes it."})
            return requested
        own = producer_ids_for(user)
        if requested is not None:
            if requested.pk not in own:
                self.permission_denied(
                    self.request, message="You may add products to your own co-op only."
                )
            return requested
        if not own:
            self.permission_denied(self.request, message="Only co-op members add products.")
        if len(own) > 1:
            raise serializers.ValidationError({"producer": "Say which of your co-ops makes it."})
        return Producer.objects.get(pk=next(iter(own)))

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        producer = self._producer_for_new_product(data.pop("producer", None))
        # Publishing from the API checks what the workbench's button checks.
        product = product_create_by_member(producer=producer, **data)
        return Response(self._detail(product), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductWriteSerializer, responses=ProductDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        product = self.get_object()
        self._require_member(product)
        serializer = ProductWriteSerializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        producer = data.pop("producer", None)
        if producer is not None and is_platform_staff(request.user):
            data["producer"] = producer  # moving a product between co-ops is staff's call
        product_update_by_member(product=product, **data)
        return Response(self._detail(product))

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Archive: the product leaves the catalog, its history stays."""
        product = self.get_object()
        self._require_member(product)
        services.product_archive(product=product)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=BillOfMaterialsLineSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="bom", pagination_class=None, filter_backends=[])
    def bom(self, request, slug=None):
        """What one unit takes. Anyone who can see the product can read it."""
        product = self.get_object()
        lines = BillOfMaterialsLine.objects.filter(product=product).select_related("material")
        return Response(BillOfMaterialsLineSerializer(lines, many=True).data)

    @extend_schema(
        request=BillOfMaterialsInputSerializer,
        responses=BillOfMaterialsLineSerializer(many=True),
    )
    @bom.mapping.put
    def replace_bom(self, request, slug=None):
        """Replace the whole bill of materials."""
        product = self.get_object()
        self._require_member(product)
        serializer = BillOfMaterialsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [
            (
                line["material"],
                line["quantity"],
                OffcutFit(
                    line.get("min_offcut_width_mm"),
                    line.get("min_offcut_height_mm"),
                    line.get("min_offcut_amount"),
                ),
            )
            for line in serializer.validated_data["lines"]
        ]
        services.bom_replace(product=product, lines=lines)
        return self.bom(request, slug=slug)

    @extend_schema(responses=ProductStockSerializer)
    @action(detail=True, methods=["get"], url_path="stock", pagination_class=None)
    def stock(self, request, slug=None):
        """Finished goods on the producer's shelves, and the last 50 ledger rows."""
        product = self.get_object()
        self._require_member(product)
        if product.stock_item_id is None:
            raise serializers.ValidationError(
                {"product": "Only ready-made (stock) goods keep a stock count."}
            )
        balances = StockBalance.objects.filter(material_id=product.stock_item_id).select_related(
            "material", "location"
        )
        movements = (
            StockMovement.objects.filter(material_id=product.stock_item_id)
            .select_related("material", "location", "producer", "created_by")
            .order_by("-created_at", "-id")[:50]
        )
        body = {"balances": balances, "movements": movements}
        return Response(ProductStockSerializer(body).data)

    @extend_schema(request=ProductStockInputSerializer, responses={201: ProductStockSerializer})
    @stock.mapping.post
    def record_stock(self, request, slug=None):
        """Record finished goods made (`receipt`) or counted (`count`)."""
        product = self.get_object()
        self._require_member(product)
        serializer = ProductStockInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["action"] == "receipt":
            services.product_stock_receive(
                product=product, quantity=data["quantity"], by=request.user, reason=data["reason"]
            )
        else:
            services.product_stock_count(
                product=product, counted=data["quantity"], by=request.user, reason=data["reason"]
            )
        response = self.stock(request, slug=slug)
        response.status_code = status.HTTP_201_CREATED
        return response
