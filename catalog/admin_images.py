"""Product pictures in the admin: the same checks and re-encoding as the API."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join

from catalog.images import prepare_image
from catalog.models import ProductImage
from catalog.services.images import (
    product_image_delete,
    product_image_store,
    product_image_update,
    rendition_urls,
)


class ProductImageForm(forms.ModelForm):
    upload = forms.FileField(
        label="Picture",
        required=False,
        help_text="JPEG, PNG or WebP; 10 MB and 40 megapixels at most.",
    )
    position = forms.IntegerField(
        min_value=0, max_value=32767, required=False, help_text="Empty: after the others."
    )

    class Meta:
        model = ProductImage
        fields = ["upload", "alt_text", "position"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if self.instance.pk is not None:
            if upload:
                raise ValidationError("To change a picture, delete it and add the new one.")
            return None
        if not upload:
            raise ValidationError("Choose a picture.")
        try:
            self.prepared = prepare_image(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict["image"]) from None
        return upload

    def clean_position(self):
        position = self.cleaned_data.get("position")
        if position is None and self.instance.pk is not None:
            return self.instance.position  # emptied on a saved picture: keep its place
        return position

    def save(self, commit=True):
        # The formset calls this with commit=True when the admin saves a product.
        if not commit:
            raise ValueError("Product pictures are saved through the image services.")
        data = self.cleaned_data
        if self.instance.pk is None:
            self.instance = product_image_store(
                product=self.instance.product,
                prepared=self.prepared,
                alt_text=data["alt_text"],
                position=data.get("position"),
            )
        else:
            product_image_update(
                image=self.instance, alt_text=data["alt_text"], position=data.get("position")
            )
        return self.instance


class ProductImageFormSet(BaseInlineFormSet):
    def delete_existing(self, obj, commit=True):
        if commit:
            product_image_delete(image=obj)


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    formset = ProductImageFormSet
    extra = 1
    fields = ["preview", "upload", "alt_text", "position", "width", "height", "rendition_sizes"]
    readonly_fields = ["preview", "width", "height", "rendition_sizes"]

    @admin.display(description="Preview")
    def preview(self, obj: ProductImage) -> str:
        renditions = rendition_urls(obj) if obj.pk else []
        if not renditions:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-height:80px">', renditions[0]["url"], obj.alt_text
        )

    @admin.display(description="Renditions")
    def rendition_sizes(self, obj: ProductImage) -> str:
        renditions = rendition_urls(obj) if obj.pk else []
        if not renditions:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}×{}</a>',
            ((r["url"], r["width"], r["height"]) for r in renditions),
        )
