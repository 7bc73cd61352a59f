"""The residents' storefront. Views only read through selectors and write through services."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from backend.money import format_quantity, to_money
from catalog import selectors as catalog_selectors
from catalog.caching import CachedCountPaginator, cached
from catalog.design_selectors import public_design_files
from catalog.exceptions import InsufficientStock
from catalog.filters import ProductFilter
from catalog.models import Category, Product, licence_terms
from catalog.option_selectors import variants_available
from catalog.search import search_suggestion
from catalog.services.options import CHOICE_PREFETCH, choice_resolve
from frontend import checkout_limit, meta, money_split, order_words, product_choices
from frontend.back_in_stock import BackInStockForm, initial_email
from frontend.cart import Cart, line_key
from frontend.forms import AddToCartForm, CartLineForm, CheckoutForm
from orders import selectors as order_selectors
from orders.exceptions import (
    InvalidInput,
    InvalidTransition,
    OrderLimitExceeded,
    PaymentProviderUnavailable,
    ProducerUnavailable,
)
from orders.models import Order, PickupPoint
from orders.payments.checkout import checkout_start
from orders.services import Contact, order_cancel, order_place
from producers import accounts
from producers.models import Producer
from producers.selectors import producer_list

PAGE_SIZE = 24
SOLD_OUT_REASON = "none left — the co-op makes more from time to time."
SORTS = [
    ("newest", "Newest"),
    ("price", "Price, low to high"),
    ("-price", "Price, high to low"),
    ("title", "Name, A to Z"),
]


def home(request):
    products = catalog_selectors.product_list(user=request.user).filter(
        status=Product.Status.PUBLISHED
    )[:8]
    products = catalog_selectors.with_availability(list(products))
    categories = Category.objects.annotate(
        count=Count("products", filter=Q(products__status=Product.Status.PUBLISHED))
    ).filter(count__gt=0)
    return render(
        request,
        "frontend/home.html",
        {
            "products": products,
            "categories": categories,
            "producers": producer_list(include_paused=False),
        },
    )


def product_list(request):
    # Published goods look the same to everyone, so the filters and the results
    # are rendered once per query and cached until the catalog changes (see
    # catalog.caching); only the page around them is rendered per visitor.
    if set(request.GET) <= {*ProductFilter.base_filters, "page"}:
        params = sorted((key, request.GET.getlist(key)) for key in request.GET)
        # Named for its three parts: no two-part entry cached before is read back.
        filters, results, news = cached(
            ("storefront-catalog", params), lambda: _catalog(request.GET)
        )
    else:  # made-up parameters must not fill the cache with copies of one page
        filters, results, news = _catalog(request.GET)
    if request.htmx and request.htmx.target == "results":
        return HttpResponse(mark_safe(results + news))
    context = {
        "filters": mark_safe(filters),
        "results": mark_safe(results),
        "meta_description": meta.product_list_description(request.GET),
    }
    return render(request, "frontend/product_list.html", context)


def _catalog(params) -> tuple[str, str, str]:
    """The list's filter form; its `#results`: the count, the cards and the page links; and
    the news an htmx filter change brings besides (the count said aloud, the filters on)."""
    filters = ProductFilter(
        params,
        queryset=catalog_selectors.product_list(user=AnonymousUser()).filter(
            status=Product.Status.PUBLISHED
        ),
    )
    page = CachedCountPaginator(filters.qs, PAGE_SIZE).get_page(params.get("page"))
    catalog_selectors.with_availability(page.object_list)
    query = params.copy()
    query.pop("page", None)
    categories, producers = _filter_choices()
    active_filters = _active_filters(params)
    form = {
        "current": {key: params.get(key, "") for key in ProductFilter.base_filters},
        "categories": categories,
        "producers": producers,
        "sorts": SORTS,
        "active_filters": active_filters,
    }
    results = {"page": page, "products": page.object_list, "query": query.urlencode()}
    if not page.paginator.count:
        results.update(_nothing_found(params, filters))
    news = {"count": page.paginator.count, "active_filters": active_filters}
    return (
        render_to_string("frontend/product_list.html#filters", form),
        render_to_string("frontend/product_list.html#results", results),
        render_to_string("frontend/product_list.html#news", news),
    )


def _active_filters(params) -> int:
    """How many of the folding panel's filters narrow the list (a price range counts once;
    the search box and the sort order stay out of the count)."""
    price = bool(params.get("min_price") or params.get("max_price"))
    chosen = sum(
        bool(params.get(key)) for key in ("category", "producer", "fulfilment", "in_stock")
    )
    return price + chosen


def _nothing_found(params, filters: ProductFilter) -> dict:
    """What an empty list offers: the search said back, a close spelling, the categories."""
    typed = filters.form.cleaned_data.get("q") or ""
    suggestion = search_suggestion(filters.unsearched(), typed) if typed.strip() else None
    again, cleared = params.copy(), params.copy()
    again.pop("page", None)
    cleared.pop("page", None)
    cleared.pop("q", None)
    if suggestion:
        again["q"] = suggestion
    return {
        "searched": typed.strip(),
        "suggestion": suggestion,
        "suggestion_query": again.urlencode(),
        "cleared_query": cleared.urlencode(),
        "categories": list(catalog_selectors.categories_with_goods()),
    }


def _filter_choices() -> tuple[list[Category], list[Producer]]:
    return list(Category.objects.all()), list(Producer.objects.active().only("slug", "name"))


def product_detail(request, slug):
    return _product_page(request, _shown_product(request, slug))


def _shown_product(request, slug) -> Product:
    """The product as its page shows it, availability included."""
    if catalog_selectors.sees_public_catalog(request.user):
        product = catalog_selectors.public_product(slug)
        if product is None:
            raise Http404("No such product.")
        return product
    # A member may look at their own drafts.
    product = get_object_or_404(
        catalog_selectors.product_detail(user=request.user).filter(
            status__in=[Product.Status.PUBLISHED, Product.Status.DRAFT, Product.Status.PAUSED]
        ),
        slug=slug,
    )
    catalog_selectors.with_availability([product])
    return product


def _product_page(request, product, *, chosen=None, errors=None, status=200):
    """The product page; after a refused add to cart, with what was picked and why not."""
    if errors:
        product = _shown_product(request, product.slug)
    if catalog_selectors.sees_public_catalog(request.user):
        # Kept with the product until the catalog (or its stock) changes, as the product is.
        chooser = cached(
            ("chooser", product.slug), lambda: product_choices.product_chooser(product)
        )
    else:
        chooser = product_choices.product_chooser(product)
    return render(
        request,
        "frontend/product_detail.html",
        {
            "product": product,
            "form": AddToCartForm(),
            "bom": product.bom_lines.all(),
            "chooser": product_choices.chooser_rows(chooser, chosen) if chooser else None,
            "choice_errors": errors or {},
        }
        | _honest_product_context(request, product),
        status=status,
    )


def _honest_product_context(request, product: Product) -> dict:
    """Whether it can be had, who makes it and where the money of one goes."""
    coop = money_split.ANY_CAPABLE_COOP if product.open_design else product.producer.name
    if catalog_selectors.sees_public_catalog(request.user):
        designs = cached(("designs", product.slug), lambda: public_design_files(product))
    else:
        designs = public_design_files(product)
    return {
        "licence": licence_terms(product.licence),
        "design_files": designs,
        "sold_out": _sold_out(product),
        "back_in_stock_form": BackInStockForm(initial=initial_email(request.user)),
        "makers": catalog_selectors.makers_of(product),
        "money_splits": [money_split.split_of(total=product.price, coop=coop)],
    }


def _sold_out(product: Product) -> bool:
    """A ready-made product with none free (`stock_available` from the catalog selectors)."""
    return not product.made_to_order and product.stock_available <= 0


def producer_index(request):
    return render(
        request,
        "frontend/producer_list.html",
        {"producers": producer_list(include_paused=True)},
    )


def producer_detail(request, slug):
    producer = get_object_or_404(producer_list(), slug=slug)
    products = catalog_selectors.product_list(user=request.user).filter(
        producer=producer, status=Product.Status.PUBLISHED
    )
    return render(
        request,
        "frontend/producer_detail.html",
        {
            "producer": producer,
            "products": catalog_selectors.with_availability(list(products[:48])),
        },
    )


# --- Cart ----------------------------------------------------------------------------


def _cart_rows(request, cart: Cart) -> tuple[list[dict], list[str]]:
    """The cart's lines as they are now (prices, choices, stock), with warnings where stock
    falls short or a choice is no longer offered."""
    slugs = {cart.slug_of(key) for key in cart.lines}
    products = catalog_selectors.product_list(user=request.user).filter(
        slug__in=slugs, status=Product.Status.PUBLISHED
    )
    products = products.prefetch_related(*CHOICE_PREFETCH)
    products = {p.slug: p for p in catalog_selectors.with_availability(list(products))}
    rows, warnings = [], []
    for key, quantity in list(cart.lines.items()):
        product = products.get(cart.slug_of(key))
        if product is None:
            warnings.append("Something in your cart is no longer for sale and was taken out.")
            cart.remove(key)
            continue
        chosen = cart.chosen_of(key)
        try:
            choice = choice_resolve(product=product, chosen=product_choices.as_chosen(chosen))
        except ValidationError:
            warnings.append(f"{product.title} has new choices: choose again on its page.")
            cart.remove(key)
            continue
        rows.append(
            {
                "key": key,
                "product": product,
                "quantity": quantity,
                "chosen": product_choices.as_chosen(chosen),
                "variant": choice.variant,
                "options": choice.options_snapshot(),
                "personalisation": choice.personalisation_snapshot(),
                "unit_price": product.price + choice.price_delta,
                "total": to_money((product.price + choice.price_delta) * quantity),
            }
        )
    free = variants_available([row["variant"].pk for row in rows if row["variant"]])
    for row in rows:
        product, variant, quantity = row["product"], row["variant"], row["quantity"]
        if product.made_to_order:
            available = None
        else:
            available = free.get(variant.pk, 0) if variant else product.stock_available
        name = f"{product.title} ({variant.label})" if variant else product.title
        if available is not None and quantity > available:
            warnings.append(
                f"Only {format_quantity(available)} of {name} left: "
                "lower the quantity or remove it."
                if available > 0
                else f"{name} is sold out: remove it to check out."
            )
        row["short"] = available is not None and quantity > available
    return rows, warnings


def cart_view(request):
    cart = Cart(request.session)
    rows, warnings = _cart_rows(request, cart)
    for warning in warnings:
        messages.warning(request, warning)
    total = sum((row["total"] for row in rows), to_money(0))
    return render(
        request, "frontend/cart.html", {"rows": rows, "total": total} | _money_context(rows)
    )


def _money_context(rows: list[dict]) -> dict:
    splits = money_split.cart_splits(rows)
    return {"money_splits": splits, "money_split_total": money_split.split_total(splits)}


@require_POST
def cart_add(request, slug):
    product = get_object_or_404(
        catalog_selectors.product_list(user=AnonymousUser())
        .filter(status=Product.Status.PUBLISHED)
        .prefetch_related(*CHOICE_PREFETCH),
        slug=slug,
    )
    if _sold_out(product):
        messages.error(request, f"{product.title} is sold out: {SOLD_OUT_REASON}")
        return redirect("frontend:product", slug=slug)
    form = AddToCartForm(request.POST)
    chooser = product_choices.product_chooser(product)
    chosen = product_choices.chosen_from_post(chooser, request.POST)
    if product_choices.forged_price(request.POST):
        errors = {"form": ["Prices are set by the co-op, not by the form: reload the page."]}
        return _product_page(request, product, chosen=chosen, errors=errors, status=400)
    if not form.is_valid():
        errors = {"form": ["Choose how many, from 1 to 100."]}
        return _product_page(request, product, chosen=chosen, errors=errors, status=400)
    quantity = form.cleaned_data["quantity"]
    try:
        choice = choice_resolve(product=product, chosen=product_choices.as_chosen(chosen))
    except ValidationError as error:
        return _product_page(request, product, chosen=chosen, errors=error.message_dict, status=400)
    # As the shop understood it (trimmed, only what the product takes): one line per choice.
    chosen = {
        "options": {value.option.name: value.label for value in choice.values},
        "personalisation": dict(choice.texts),
    }
    cart = Cart(request.session)
    if choice.variant is not None:
        key = line_key(product.slug, chosen)
        free = variants_available([choice.variant.pk]).get(choice.variant.pk, 0)
        if free < cart.lines.get(key, 0) + quantity:
            sold = f"{product.title} ({choice.variant.label})"
            message = (
                f"{sold} is sold out: choose another."
                if free <= 0
                else f"Only {format_quantity(free)} of {sold} left."
            )
            return _product_page(
                request, product, chosen=chosen, errors={"options": [message]}, status=409
            )
    added = cart.add_chosen(product.slug, chosen, quantity)
    if added:
        what = f"{product.title} ({choice.variant.label})" if choice.variant else product.title
        messages.success(request, f"{what} is in your cart ({added}).")
    else:
        messages.error(request, "Your cart is full: check out or remove something first.")
    # Always the cart: a redirect target taken from the form would be an open redirect.
    return redirect("frontend:cart")


@require_POST
def cart_update(request, slug):
    cart = Cart(request.session)
    form = CartLineForm(request.POST)
    if "remove" in request.POST:
        cart.remove(slug)
        messages.success(request, "Removed from your cart.")
    elif form.is_valid():
        cart.set(slug, form.cleaned_data["quantity"])
        messages.success(request, "Cart updated.")
    else:
        messages.error(request, "Choose a quantity from 0 to 100.")
    return redirect("frontend:cart")


# --- Checkout ----------------------------------------------------------------------------


def _initial_contact(user) -> dict:
    if not user.is_authenticated:
        return {}
    return {"name": user.get_full_name() or user.get_username(), "email": user.email}


def checkout(request):
    cart = Cart(request.session)
    if not cart:
        messages.info(request, "Your cart is empty: find something made nearby first.")
        return redirect("frontend:products")
    rows, warnings = _cart_rows(request, cart)
    total = sum((row["total"] for row in rows), to_money(0))
    wait = None
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        placed = _already_placed(request, request.POST.get("checkout_token", ""))
        if placed is not None:
            return placed
        sold_out = [row["product"].title for row in rows if _sold_out(row["product"])]
        if sold_out:
            form.add_error(None, _sold_out_message(sold_out))
        elif form.is_valid():
            wait = checkout_limit.wait(request)
            if wait is not None:
                form.add_error(None, checkout_limit.MESSAGE)
            else:
                response = _place(request, form, cart, rows)
                if response is not None:
                    return response
    else:
        token = secrets.token_urlsafe(16)
        initial = {**_initial_contact(request.user), "checkout_token": token}
        form = CheckoutForm(initial=initial | _suggested_point(rows))
    for warning in warnings:
        messages.warning(request, warning)
    response = render(
        request,
        "frontend/checkout.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "cards_accepted": bool(settings.STRIPE_SECRET_KEY),
            "co_ops": len({row["product"].producer_id for row in rows}),
        }
        | _money_context(rows),
        status=429 if wait is not None else 200,
    )
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


def _sold_out_message(titles: list[str]) -> str:
    if len(titles) == 1:
        return f"{titles[0]} is sold out: remove it from your cart to check out."
    return f"{', '.join(titles)} are sold out: remove them from your cart to check out."


def _suggested_point(rows: list[dict]) -> dict:
    """Parts from several co-ops: offer to gather them at the first pickup point."""
    if len({row["product"].producer_id for row in rows}) < 2:
        return {}
    point = PickupPoint.objects.active().first()
    return {"pickup_point": point.slug} if point else {}


def _already_placed(request, token: str):
    """A double-clicked 'Place order' goes to the order the first click placed."""
    placed = request.session.get("placed_checkouts", {})
    number = placed.get(token)
    if not number:
        return None
    order = Order.objects.filter(number=number).first()
    if order is None:
        return None
    return redirect(_order_url(order))


def _order_url(order: Order) -> str:
    return f"{reverse('frontend:order', args=[order.number])}?token={order.access_token}"


def _place(request, form: CheckoutForm, cart: Cart, rows: list[dict]):
    """One call to `order_place`; what it refuses is shown on the form, the cart is kept."""
    data = form.cleaned_data
    try:
        order = order_place(
            customer=request.user,
            contact=Contact(name=data["name"], email=data["email"], phone=data["phone"]),
            lines=[(row["product"], row["quantity"], row["chosen"]) for row in rows],
            fulfilment=data["fulfilment"],
            payment_method=data["payment_method"],
            delivery_address=data["delivery_address"],
            note=data["note"],
            pickup_point=data["pickup_point"],
        )
    except InvalidInput as error:
        form.add_service_errors(error)
        return None
    except InsufficientStock as error:
        names = "; ".join(str(shortage) for shortage in error.shortages)
        form.add_error(None, f"Not enough left to make or sell: {names}. Adjust your cart.")
        return None
    except OrderLimitExceeded as error:
        form.add_error(None, f"{error.detail} Lower the quantity in your cart to check out.")
        return None
    except ProducerUnavailable as error:
        form.add_error(None, error.detail)
        return None
    placed = request.session.get("placed_checkouts", {})
    placed[data["checkout_token"]] = order.number
    request.session["placed_checkouts"] = placed
    cart.clear()
    if order.payment_method == Order.PaymentMethod.STRIPE:
        return _to_payment_page(request, order)
    messages.success(request, f"Thank you! Order {order.number} is placed.")
    return redirect(_order_url(order))


def _to_payment_page(request, order: Order):
    """Send the customer to Stripe's page; if Stripe is down, to the order page to retry."""
    try:
        payment = checkout_start(order=order)
    except PaymentProviderUnavailable as error:
        messages.error(request, error.detail)
        return redirect(_order_url(order))
    except InvalidTransition:
        messages.info(request, "This order no longer waits for a card payment.")
        return redirect(_order_url(order))
    return redirect(payment.checkout_url)


@require_POST
def order_pay(request, number):
    """Open (or reopen) the card payment page of an order that waits for payment."""
    order = _order_for(request, number)
    return _to_payment_page(request, order)


# --- Orders -------------------------------------------------------------------------------


def _order_for(request, number) -> Order:
    """The owner, staff, or whoever holds the order's token; a 404 for everyone else."""
    token = request.GET.get("token") or request.POST.get("token")
    order = order_selectors.order_for(number=number, user=request.user, token=token)
    if order is None:
        raise Http404
    return order


def _parts(order: Order) -> list[dict]:
    """Each co-op's part of the order: its lines, where it is, and its steps in words."""
    delivery = order.fulfilment == Order.Fulfilment.DELIVERY
    lines = list(order.lines.all())
    parts = []
    for job in order.jobs.all():
        parts.append(
            {
                "job": job,
                "words": order_words.step_words(job.status, delivery=delivery),
                "lines": [line for line in lines if line.job_id == job.pk],
                "open": job.is_open,
                "steps": [
                    (order_words.step_words(step.to_status, delivery=delivery), step)
                    for step in job.transitions.all()
                ],
            }
        )
    return parts


def _status_context(request, order: Order) -> dict:
    token = request.GET.get("token") or request.POST.get("token") or ""
    status_url = reverse("frontend:order_status", args=[order.number])
    return {
        "order": order,
        "parts": _parts(order),
        "order_status_words": order_words.order_words(order),
        "money_words": order_words.money_words(order),
        "polling": order.status not in order_words.DONE,
        "poll_seconds": settings.ORDER_STATUS_POLL_SECONDS,
        "status_url": f"{status_url}?token={token}" if token else status_url,
        "token": token,
    }


def _order_page(request, order: Order, *, status: int = 200, cancel_error: str = ""):
    awaiting_card = (
        order.status == Order.Status.PENDING_PAYMENT
        and order.payment_method == Order.PaymentMethod.STRIPE
    )
    context = _status_context(request, order) | {
        "awaiting_card": awaiting_card,
        "cancellable": order_words.cancellable(order),
        "cancel_error": cancel_error,
    }
    splits = money_split.order_splits(order)
    context |= {"money_splits": splits, "money_split_total": money_split.split_total(splits)}
    return render(request, "frontend/order_detail.html", context, status=status)


def order_detail(request, number):
    return _order_page(request, _order_for(request, number))


def order_status(request, number):
    """The part of the order page that changes: the page asks for it while the order is
    open, and the answer stops asking once the order is done."""
    order = _order_for(request, number)
    return render(request, "frontend/order_detail.html#status", _status_context(request, order))


@require_POST
def order_cancel_view(request, number):
    """Cancel before any part is being made; the service decides, under its locks."""
    order = _order_for(request, number)
    try:
        cancelled = order_cancel(order=order, by=request.user, reason="")
    except InvalidTransition as error:
        fresh = order_selectors.order_for(
            number=number, user=request.user, token=order.access_token
        )
        return _order_page(request, fresh, status=409, cancel_error=error.detail)
    if cancelled.status == Order.Status.REFUNDED:
        text = f"Order {cancelled.number} is cancelled. Your card payment is being refunded."
    else:
        text = f"Order {cancelled.number} is cancelled. Nothing is owed."
    messages.success(request, text)
    token = request.POST.get("token")
    url = reverse("frontend:order", args=[cancelled.number])
    return redirect(f"{url}?token={token}" if token else url)


@login_required
def my_orders(request):
    orders = order_selectors.with_details(
        Order.objects.filter(customer=request.user).select_related("payment")
    )[:50]
    rows = [
        {
            "order": order,
            "words": order_words.order_words(order),
            "money_words": order_words.money_words(order),
            "parts": _parts(order),
        }
        for order in orders
    ]
    return render(
        request,
        "frontend/my_orders.html",
        {"rows": rows, "email_verified": accounts.email_is_verified(request.user)},
    )


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("frontend:home")
