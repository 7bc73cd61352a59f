"""A product's pictures: members of its producer upload, describe, reorder and delete them."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.parsers import GuardedJSONParser
from catalog.api.product_serializers import RenditionSerializer
from catalog.models import Product, ProductImage
from catalog.services import images as services
from producers.permissions import can_act_for

ALT_TEXT_HELP = "What the picture shows, for screen readers."


class ProductImageSerializer(serializers.ModelSerializer):
    """A stored picture: the re-encoded main file and its WebP renditions, narrowest first."""

    url = serializers.SerializerMethodField()
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "url", "width", "height", "alt_text", "position", "renditions"]
        read_only_fields = fields

    def get_url(self, image: ProductImage) -> str:
        return image.image.url

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, image: ProductImage) -> list[dict]:
        return services.rendition_urls(image)


class ProductImageUploadSerializer(serializers.Serializer):
    # A plain file field: whether it is a picture is judged from its content by
    # `catalog.images`, not from its name or declared type.
    image = serializers.FileField(help_text="JPEG, PNG or WebP; 10 MB and 40 megapixels at most.")
    alt_text = serializers.CharField(max_length=200, help_text=ALT_TEXT_HELP)
    position = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, help_text="Where it goes; last if absent."
    )


class ProductImageUpdateSerializer(serializers.Serializer):
    alt_text = serializers.CharField(max_length=200, required=False, help_text=ALT_TEXT_HELP)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class _ProductImagesView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, GuardedJSONParser]

    def get_product(self, slug: str) -> Product:
        """The product, if the user may see it (404 otherwise) and may edit its pictures (403)."""
        user = self.request.user
        product = get_object_or_404(Product.objects.visible_to(user), slug=slug)
        if not can_act_for(user, product.producer_id):
            self.permission_denied(
                self.request, message="Only the co-op's members manage its product pictures."
            )
        return product


class ProductImageListView(_ProductImagesView):
    """A product's pictures, in gallery order, for its producer's members to manage."""

    @extend_schema(responses=ProductImageSerializer(many=True))
    def get(self, request, slug: str):
        product = self.get_product(slug)
        images = ProductImage.objects.filter(product=product)
        return Response(ProductImageSerializer(images, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ProductImageUploadSerializer},
        responses={201: ProductImageSerializer},
    )
    def post(self, request, slug: str):
        """Upload a picture. It is re-encoded without metadata; refusals answer 400 `image`."""
        product = self.get_product(slug)
        serializer = ProductImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        image = services.product_image_add(
            product=product,
            upload=data["image"],
            alt_text=data["alt_text"],
            position=data.get("position"),
        )
        return Response(ProductImageSerializer(image).data, status=status.HTTP_201_CREATED)


class ProductImageDetailView(_ProductImagesView):
    def get_image(self, slug: str, pk: int) -> ProductImage:
        product = self.get_product(slug)
        return get_object_or_404(ProductImage, product=product, pk=pk)

    @extend_schema(request=ProductImageUpdateSerializer, responses=ProductImageSerializer)
    def patch(self, request, slug: str, pk: int):
        """Change the alt text or the position."""
        image = self.get_image(slug, pk)
        serializer = ProductImageUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.product_image_update(image=image, **serializer.validated_data)
        return Response(ProductImageSerializer(image).data)

    @extend_schema(responses={204: None})
    def delete(self, request, slug: str, pk: int):
        """Delete the picture; its files go once the deletion is committed."""
        services.product_image_delete(image=self.get_image(slug, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path(
        "products/<slug:slug>/images/",
        ProductImageListView.as_view(),
        name="product-images",
    ),
    path(
        "products/<slug:slug>/images/<int:pk>/",
        ProductImageDetailView.as_view(),
        name="product-image-detail",
    ),
]
