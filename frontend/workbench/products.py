"""A co-op's goods: list, create and edit, pictures, bill of materials, on sale or not.

Thin views over the catalog's services: the forms read what was typed, the
services decide, and their refusals are shown next to the fields (400) or above
the buttons (409).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from backend.errors import DomainError
from backend.money import format_quantity
from catalog.models import BillOfMaterialsLine, Product, ProductImage
from catalog.selectors import coop_products
from catalog.services.images import (
    product_image_add,
    product_image_delete,
    product_image_move,
    rendition_urls,
)
from catalog.services.offcuts import OffcutFit
from catalog.services.product_status import (
    product_allowed_statuses,
    product_missing_for_sale,
    product_pause,
    product_publish,
    product_unarchive,
)
from catalog.services.products import (
    bom_line_put,
    bom_line_remove,
    product_archive,
    product_create,
    product_update,
)
from frontend.workbench.common import coop_context, coop_view
from frontend.workbench.product_forms import (
    BomLineForm,
    PictureForm,
    ProductFilterForm,
    ProductForm,
)

TEMPLATES = "frontend/workbench/products"
SECTION = "products"


def _product(producer, pk: int) -> Product:
    """The co-op's own product; another co-op's is not found."""
    return get_object_or_404(Product.objects.select_related("category"), producer=producer, pk=pk)


def _render(request, producer, template: str, *, status: int = 200, **extra):
    return render(
        request,
        f"{TEMPLATES}/{template}",
        coop_context(request, producer, SECTION, **extra),
        status=status,
    )


# --- The list ------------------------------------------------------------------------------


@coop_view
@require_http_methods(["GET", "HEAD"])
def product_list(request, producer):
    form = ProductFilterForm(request.GET or None)
    wanted = form.cleaned_data["status"] if form.is_valid() else ""
    products = coop_products(user=request.user, producer=producer)
    if wanted:
        products = products.filter(status=wanted)
    else:
        products = products.exclude(status=Product.Status.ARCHIVED)
    return _render(
        request,
        producer,
        "list.html",
        products=list(products),
        filter_form=form if form.is_bound else ProductFilterForm(),
        filtered=bool(wanted),
    )


# --- Create and edit -----------------------------------------------------------------------


def _initial(product: Product) -> dict:
    return {
        "title": product.title,
        "slug": product.slug,
        "description": product.description,
        "category": product.category_id,
        "price": product.price,
        "fulfilment": product.fulfilment,
        "lead_time_days": product.lead_time_days,
        "open_design": product.open_design,
        "licence": product.licence,
        "machine_minutes": product.machine_minutes,
    }


def _save(form: ProductForm, operation) -> Product | None:
    """Run the service; a ValidationError goes next to the fields it names."""
    try:
        return operation(form.service_fields())
    except ValidationError as error:
        form.add_service_error(error)
    return None


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def product_new(request, producer):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = _save(form, lambda data: product_create(producer=producer, **data))
        if product is not None:
            messages.success(
                request,
                f"{product.title} is saved as a draft. Add a picture, then put it on sale.",
            )
            return redirect("workbench:coop-product-pictures", producer.slug, product.pk)
    status = 400 if request.method == "POST" else 200
    return _render(request, producer, "form.html", status=status, form=form, product=None)


def _render_product(request, producer, product, *, form=None, status=200, status_error=""):
    return _render(
        request,
        producer,
        "form.html",
        status=status,
        form=form or ProductForm(initial=_initial(product)),
        product=product,
        tab="details",
        allowed=product_allowed_statuses(product),
        missing=product_missing_for_sale(product)
        if product.status in (Product.Status.DRAFT, Product.Status.PAUSED)
        else [],
        status_error=status_error,
    )


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def product_edit(request, producer, pk: int):
    product = _product(producer, pk)
    if request.method != "POST":
        return _render_product(request, producer, product)
    form = ProductForm(request.POST)
    if form.is_valid():
        saved = _save(form, lambda data: product_update(product=product, **data))
        if saved is not None:
            messages.success(request, f"Saved the changes to {saved.title}.")
            return redirect("workbench:coop-product", producer.slug, saved.pk)
        # The service refused: show the product as it is stored, not as it was typed.
        product = _product(producer, pk)
    return _render_product(request, producer, product, form=form, status=400)


# --- On sale or not ------------------------------------------------------------------------

STATUS_ACTIONS = {
    "publish": (product_publish, "{} is on sale now."),
    "pause": (product_pause, "{} is paused: residents no longer see it."),
    "archive": (product_archive, "{} is archived. Its orders and history stay."),
    "draft": (product_unarchive, "{} is back as a draft."),
}


@coop_view
@require_POST
def product_status(request, producer, pk: int, action: str):
    if action not in STATUS_ACTIONS:
        raise Http404("No such action.")
    product = _product(producer, pk)
    operation, done = STATUS_ACTIONS[action]
    try:
        operation(product=product)
    except DomainError as error:
        product = _product(producer, pk)
        return _render_product(request, producer, product, status=409, status_error=error.detail)
    messages.success(request, done.format(product.title))
    return redirect("workbench:coop-product", producer.slug, product.pk)


# --- Pictures ------------------------------------------------------------------------------


def _render_pictures(request, producer, product, *, form=None, status=200):
    pictures = list(ProductImage.objects.filter(product=product))
    for picture in pictures:
        picture.rendition_list = rendition_urls(picture)
    return _render(
        request,
        producer,
        "pictures.html",
        status=status,
        product=product,
        tab="pictures",
        pictures=pictures,
        form=form or PictureForm(),
    )


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def product_pictures(request, producer, pk: int):
    product = _product(producer, pk)
    if request.method != "POST":
        return _render_pictures(request, producer, product)
    form = PictureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            product_image_add(
                product=product,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Added the picture to {product.title}.")
            return redirect("workbench:coop-product-pictures", producer.slug, product.pk)
    return _render_pictures(request, producer, product, form=form, status=400)


def _picture(producer, pk: int, image_pk: int) -> ProductImage:
    return get_object_or_404(
        ProductImage.objects.select_related("product"),
        product__producer=producer,
        product_id=pk,
        pk=image_pk,
    )


@coop_view
@require_POST
def product_picture_move(request, producer, pk: int, image_pk: int, direction: str):
    steps = {"up": -1, "down": 1}
    if direction not in steps:
        raise Http404("No such direction.")
    picture = _picture(producer, pk, image_pk)
    product_image_move(image=picture, by=steps[direction])
    messages.success(
        request,
        f"Moved “{picture.alt_text}” to place {picture.position + 1}.",
    )
    return redirect("workbench:coop-product-pictures", producer.slug, pk)


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def product_picture_remove(request, producer, pk: int, image_pk: int):
    picture = _picture(producer, pk, image_pk)
    if request.method != "POST":
        return _render(
            request,
            producer,
            "picture_remove.html",
            product=picture.product,
            picture=picture,
            renditions=rendition_urls(picture),
        )
    product_image_delete(image=picture)
    messages.success(request, f"Removed the picture “{picture.alt_text}”.")
    return redirect("workbench:coop-product-pictures", producer.slug, pk)


# --- Bill of materials ---------------------------------------------------------------------


def _bom_lines(product) -> list[BillOfMaterialsLine]:
    return list(BillOfMaterialsLine.objects.filter(product=product).select_related("material"))


def _render_bom(request, producer, product, *, form=None, status=200):
    return _render(
        request,
        producer,
        "materials.html",
        status=status,
        product=product,
        tab="materials",
        lines=_bom_lines(product),
        form=form or BomLineForm(producer=producer),
    )


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def product_materials(request, producer, pk: int):
    product = _product(producer, pk)
    if request.method != "POST":
        return _render_bom(request, producer, product)
    form = BomLineForm(request.POST, producer=producer)
    if form.is_valid():
        material, quantity = form.cleaned_data["material"], form.cleaned_data["quantity"]
        fit = OffcutFit(
            form.cleaned_data["min_offcut_width_mm"],
            form.cleaned_data["min_offcut_height_mm"],
            form.cleaned_data["min_offcut_amount"],
        )
        try:
            # Listing a material already on the bill changes its quantity.
            bom_line_put(product=product, material=material, quantity=quantity, offcut=fit)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else "material", errors)
        else:
            messages.success(
                request,
                f"{product.title} takes {format_quantity(quantity)} "
                f"{material.get_unit_display()} of {material.name} per item.",
            )
            return redirect("workbench:coop-product-materials", producer.slug, product.pk)
    return _render_bom(request, producer, product, form=form, status=400)


@coop_view
@require_POST
def product_material_remove(request, producer, pk: int, line_pk: int):
    product = _product(producer, pk)
    try:
        removed = bom_line_remove(product=product, line_id=line_pk)
    except BillOfMaterialsLine.DoesNotExist:
        raise Http404("No such line.") from None
    messages.success(request, f"Took {removed.material.name} off {product.title}'s materials.")
    return redirect("workbench:coop-product-materials", producer.slug, product.pk)
