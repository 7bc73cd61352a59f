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
