"""The email a resident asked for on a sold-out product's page: it is back.

The catalog announces `goods_back_in_stock` inside the transaction that freed the
stock; this receiver claims the pending requests there and queues one email per
request through the outbox, so the emails commit with the stock and go out after.
"""

from django.conf import settings

from catalog.services.back_in_stock import back_in_stock_claim
from orders.emails import email_queue
from orders.models import Email


def on_goods_back_in_stock(*, product_ids: list[int], **kwargs) -> list[Email]:
    """Queue the "it is back" email to everyone waiting for these products, once each."""
    emails = []
    for request in back_in_stock_claim(product_ids=product_ids):
        product = request.product
        email = email_queue(
            to=[request.email],
            template="back_in_stock",
            context={
                "product": product,
                "producer": product.producer,
                "product_url": f"{settings.SITE_URL}/products/{product.slug}/",
                "asked_on": request.created_at,
            },
            kind="product.back_in_stock",
            producer=product.producer,
        )
        if email is not None:
            emails.append(email)
    return emails
