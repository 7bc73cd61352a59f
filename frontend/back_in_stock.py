"""'Tell me when it is back' on a sold-out product's page: the form, its limit, its view.

The answer is the same whatever happens to the address (stored, already waiting,
over a limit), so the form cannot be used to learn who has an account or who asked.
"""

import math

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from rest_framework.throttling import SimpleRateThrottle

from catalog.exceptions import NotSoldOut
from catalog.models import Product
from catalog.services.back_in_stock import back_in_stock_request


class BackInStockForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="Your email",
        help_text="We email you once, when it is back, and keep your address for nothing else.",
    )


def initial_email(user) -> dict:
    return {"email": user.email} if user.is_authenticated and user.email else {}


class BackInStockLimit(SimpleRateThrottle):
    """Per client address, whoever is signed in: enough for a family, not for a script."""

    scope = "back_in_stock"
    rate = "10/hour"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _wait(request) -> int | None:
    throttle = BackInStockLimit()
    if throttle.allow_request(request, None):
        return None
    return max(1, math.ceil(throttle.wait() or 1))


@require_POST
def back_in_stock(request, slug):
    product = get_object_or_404(Product.objects.published(), slug=slug)
    form = BackInStockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid email address to be told when it is back.")
        return redirect("frontend:product", slug=slug)
    if _wait(request) is not None:
        messages.error(request, "You have asked several times in a short while: try again later.")
        return redirect("frontend:product", slug=slug)
    email = form.cleaned_data["email"]
    try:
        back_in_stock_request(product=product, email=email)
    except NotSoldOut:
        messages.info(request, f"{product.title} is not sold out: you can order it now.")
        return redirect("frontend:product", slug=slug)
    messages.success(
        request, f"Thank you. We will email {email} once, when {product.title} is back."
    )
    return redirect("frontend:product", slug=slug)
