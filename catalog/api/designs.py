"""A product's design files in the API: its producer's members list every version and upload."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.design_selectors import design_files_of
from catalog.models import DesignFile, Product
from catalog.services.designs import design_file_add
from producers.permissions import can_act_for


class DesignFileVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DesignFile
        fields = ["id", "name", "kind", "version", "size", "sha256", "note", "created_at"]
        read_only_fields = fields


class DesignFileUploadSerializer(serializers.Serializer):
    # A plain file field: what it is is judged from its content, never its name or type.
    file = serializers.FileField(
        help_text="SVG, DXF, STL, 3MF or PDF, named for what it is; 20 MB at most unless the "
        "site says otherwise. The same name again adds a version. An SVG with scripts, "
        "event handlers, javascript: addresses or embedded HTML is refused."
    )
    note = serializers.CharField(
        max_length=240, required=False, allow_blank=True, help_text="What changed."
    )


class ProductDesignFileListView(APIView):
    """Every version of a product's design files, for its producer's members."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def get_product(self, slug: str) -> Product:
        user = self.request.user
        product = get_object_or_404(Product.objects.visible_to(user), slug=slug)
        if not can_act_for(user, product.producer_id):
            self.permission_denied(
                self.request, message="Only the co-op's members manage its design files."
            )
        return product

    @extend_schema(responses=DesignFileVersionSerializer(many=True))
    def get(self, request, slug: str):
        files = design_files_of(self.get_product(slug))
        return Response(DesignFileVersionSerializer(files, many=True).data)

    @extend_schema(
        request={"multipart/form-data": DesignFileUploadSerializer},
        responses={201: DesignFileVersionSerializer},
    )
    def post(self, request, slug: str):
        """Upload a design file; refusals answer 400 naming `file`."""
        product = self.get_product(slug)
        serializer = DesignFileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        design = design_file_add(
            product=product,
            upload=serializer.validated_data["file"],
            uploaded_by=request.user,
            note=serializer.validated_data.get("note", ""),
        )
        return Response(DesignFileVersionSerializer(design).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "products/<slug:slug>/design-files/",
        ProductDesignFileListView.as_view(),
        name="product-design-files",
    ),
]
