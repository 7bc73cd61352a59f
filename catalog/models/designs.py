"""Design files of the goods (the cut and print files) and the licences they come under."""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property


class Licence(models.TextChoices):
    CC_BY_SA_4 = "cc_by_sa_4", "CC BY-SA 4.0"
    CC_BY_NC_SA_4 = "cc_by_nc_sa_4", "CC BY-NC-SA 4.0"
    CERN_OHL_S_2 = "cern_ohl_s_2", "CERN-OHL-S 2.0"
    ALL_RIGHTS_RESERVED = "all_rights_reserved", "All rights reserved"


@dataclass(frozen=True)
class LicenceTerms:
    """What a licence lets a resident do, in words, and where its full text is."""

    summary: str
    deed_url: str
    # The design files may be downloaded by anyone from the product page.
    public: bool


LICENCE_TERMS = {
    Licence.CC_BY_SA_4: LicenceTerms(
        "Anyone may copy, change and sell the design, crediting the maker and sharing "
        "changes under the same licence.",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        True,
    ),
    Licence.CC_BY_NC_SA_4: LicenceTerms(
        "Anyone may copy and change the design for non-commercial use, crediting the maker "
        "and sharing changes under the same licence.",
        "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        True,
    ),
    Licence.CERN_OHL_S_2: LicenceTerms(
        "An open hardware licence: anyone may make, change and sell it, and must share "
        "the design files of what they make from it under the same licence.",
        "https://ohwr.org/cern_ohl_s_v2.txt",
        True,
    ),
    Licence.ALL_RIGHTS_RESERVED: LicenceTerms(
        "The maker keeps every right: the design is shared only with the co-op that makes "
        "an order.",
        "",
        False,
    ),
}


def licence_terms(licence: str) -> LicenceTerms:
    return LICENCE_TERMS[Licence(licence)]


class DesignKind(models.TextChoices):
    SVG = "svg", "SVG drawing"
    DXF = "dxf", "DXF drawing"
    STL = "stl", "STL model"
    THREE_MF = "3mf", "3MF model"
    PDF = "pdf", "PDF"


class DesignFileStorage(FileSystemStorage):
    """Files under DESIGN_FILES_ROOT, with no URL: only a view that checks access serves them."""

    def __init__(self) -> None:
        super().__init__(base_url=None)
        setting_changed.connect(self._forget_root)

    @cached_property
    def base_location(self):
        return settings.DESIGN_FILES_ROOT

    @cached_property
    def location(self):
        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Design files have no public address; a view hands them out.")

    def _forget_root(self, *, setting, **kwargs) -> None:
        if setting == "DESIGN_FILES_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def deconstruct(self):
        return ("catalog.models.designs.DesignFileStorage", (), {})


design_storage = DesignFileStorage()


def design_file_path(design: "DesignFile", filename: str) -> str:
    return f"products/{design.product_id}/{filename}"


class DesignFile(models.Model):
    """One version of one design file of a product: re-uploading a name adds a version."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="design_files"
    )
    # The name as the co-op calls it ("puzzle-frame.svg"); versions share it.
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=4, choices=DesignKind.choices)
    version = models.PositiveIntegerField(default=1)
    file = models.FileField(upload_to=design_file_path, storage=design_storage, max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=240, blank=True, help_text="What changed in this version.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "name", "version"], name="design_file_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DesignKind.values), name="design_file_kind_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="design_file_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


CONTENT_TYPES = {
    DesignKind.SVG: "image/svg+xml",
    DesignKind.DXF: "image/vnd.dxf",
    DesignKind.STL: "model/stl",
    DesignKind.THREE_MF: "model/3mf",
    DesignKind.PDF: "application/pdf",
}
