from importlib import import_module

from django.apps import AppConfig

# Each fills the outbox's registry with its kind when imported; the worker must know them all.
OUTBOX_SENDERS = (
    "orders.delivery",
    "orders.emails",
    "orders.payments.refunds",
    "orders.payments.payouts",
)


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        for module in OUTBOX_SENDERS:
            import_module(module)
        # Producers sits below orders: it announces a proven email, orders joins the
        # guest orders placed with it (orders.services.accounts).
        from orders.services.accounts import on_email_verified
        from producers.accounts import email_verified

        email_verified.connect(on_email_verified, dispatch_uid="orders-join-guest-orders")
        # Catalog sits below orders: it announces goods free again, orders emails the
        # residents who asked to be told (orders.back_in_stock).
        from catalog.services.back_in_stock import goods_back_in_stock
        from orders.back_in_stock import on_goods_back_in_stock

        goods_back_in_stock.connect(on_goods_back_in_stock, dispatch_uid="orders-back-in-stock")
