"""A product's Design files tab: its licence, and its cut and print files with their versions.

Members see the files and download them; managers upload, remove and choose the
licence. The catalog's services judge every file by its content.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from catalog.design_selectors import design_files_of
from catalog.models import DesignFile, licence_terms
from catalog.services.designs import design_file_add, design_file_remove
from catalog.services.products import product_update
from frontend.design_views import design_response
from frontend.workbench.common import coop_view
from frontend.workbench.product_forms import DesignFileForm, LicenceForm
from frontend.workbench.products import _product, _render


def _render_designs(request, producer, product, *, form=None, licence_form=None, status=200):
    files = list(design_files_of(product))
    newest: set[str] = set()
    for design in files:
        # Ordered by name, newest version first: the first of each name is the current one.
        design.current = design.name not in newest
        newest.add(design.name)
    return _render(
        request,
        producer,
        "designs.html",
        status=status,
        product=product,
        tab="designs",
        files=files,
        licence=licence_terms(product.licence),
        form=form or DesignFileForm(),
        licence_form=licence_form or LicenceForm(initial={"licence": product.licence}),
    )


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def product_designs(request, producer, pk: int):
    product = _product(producer, pk)
    if request.method != "POST":
        return _render_designs(request, producer, product)
    form = DesignFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            design = design_file_add(
                product=product,
                upload=form.cleaned_data["file"],
                uploaded_by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"Added {design.name}, version {design.version}, to {product.title}."
            )
            return redirect("workbench:coop-product-designs", producer.slug, product.pk)
    return _render_designs(request, producer, product, form=form, status=400)


@coop_view
@require_POST
def product_licence(request, producer, pk: int):
    product = _product(producer, pk)
    form = LicenceForm(request.POST)
    if form.is_valid():
        try:
            product = product_update(product=product, licence=form.cleaned_data["licence"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"{product.title} is now under “{product.get_licence_display()}”."
            )
            return redirect("workbench:coop-product-designs", producer.slug, product.pk)
        product = _product(producer, pk)
    return _render_designs(request, producer, product, licence_form=form, status=400)


def _design(producer, pk: int, design_pk: int) -> DesignFile:
    return get_object_or_404(
        DesignFile.objects.select_related("product"),
        product__producer=producer,
        product_id=pk,
        pk=design_pk,
    )


@coop_view
@require_http_methods(["GET", "HEAD"])
def product_design_download(request, producer, pk: int, design_pk: int):
    """The co-op's own files, whatever their licence."""
    return design_response(_design(producer, pk, design_pk))


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def product_design_remove(request, producer, pk: int, design_pk: int):
    design = _design(producer, pk, design_pk)
    if request.method != "POST":
        return _render(
            request, producer, "design_remove.html", product=design.product, design=design
        )
    design_file_remove(design_file=design)
    messages.success(request, f"Removed {design.name}, version {design.version}.")
    return redirect("workbench:coop-product-designs", producer.slug, pk)
