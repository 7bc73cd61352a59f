from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from catalog.caching import forget_lists
        from catalog.models import (
            BillOfMaterialsLine,
            Category,
            Product,
            ProductImage,
            StockBalance,
        )
        from catalog.search import repair_after_migrate
        from producers.models import Producer

        # Cache bookkeeping only, no business rules: whatever writes these rows
        # (a service, the admin), cached lists must not outlive the change.
        shown = (Product, ProductImage, BillOfMaterialsLine, Category, Producer, StockBalance)
        for model in shown:
            uid = f"forget-lists-{model.__name__}"
            post_save.connect(forget_lists, sender=model, dispatch_uid=uid)
            post_delete.connect(forget_lists, sender=model, dispatch_uid=uid)
        for through in (Producer.capabilities.through, Product.required_capabilities.through):
            m2m_changed.connect(forget_lists, sender=through, dispatch_uid=f"forget-{through}")
        # Altering the product table on SQLite drops the triggers of its search index.
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="repair-search")
