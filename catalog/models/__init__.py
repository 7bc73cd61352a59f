"""The catalog's models: the stock ledger (`stock`) and the goods (`products`)."""

from catalog.models.back_in_stock import BackInStockRequest
from catalog.models.offcuts import Offcut, OffcutQuerySet
from catalog.models.options import (
    MAX_PERSONAL_TEXT,
    MAX_PRICE_DELTA,
    OptionValue,
    PersonalisationField,
    ProductOption,
    Variant,
    variant_key,
)
from catalog.models.products import (
    BillOfMaterialsLine,
    Category,
    Product,
    ProductImage,
    ProductQuerySet,
    product_image_path,
)
from catalog.models.stock import (
    DEFAULT_MAX_ON_HAND,
    MOST_ON_A_SHELF,
    QUANTITY,
    WIDE_QTY,
    Material,
    MaterialQuerySet,
    MovementKind,
    StockBalance,
    StockLocation,
    StockLocationQuerySet,
    StockMovement,
    Unit,
)

__all__ = [
    "MAX_PERSONAL_TEXT",
    "MAX_PRICE_DELTA",
    "OptionValue",
    "PersonalisationField",
    "ProductOption",
    "Variant",
    "variant_key",
    "DEFAULT_MAX_ON_HAND",
    "MOST_ON_A_SHELF",
    "QUANTITY",
    "WIDE_QTY",
    "BackInStockRequest",
    "BillOfMaterialsLine",
    "Category",
    "Material",
    "MaterialQuerySet",
    "MovementKind",
    "Offcut",
    "OffcutQuerySet",
    "Product",
    "ProductImage",
    "ProductQuerySet",
    "StockBalance",
    "StockLocation",
    "StockLocationQuerySet",
    "StockMovement",
    "Unit",
    "product_image_path",
]
