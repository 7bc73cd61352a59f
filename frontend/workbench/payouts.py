"""Getting paid: a co-op's managers set up payouts through Stripe's onboarding."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from frontend.workbench.common import coop_context, coop_view
from orders.exceptions import PaymentProviderError, PaymentProviderUnavailable
from orders.payments.connect import (
    connect_available,
    connect_onboarding_link,
    connect_status_refresh,
    connect_status_stored,
)

STRIPE_DOWN = (
    "We could not reach Stripe just now, so nothing was changed. Please try again in a few minutes."
)
STRIPE_REFUSED = (
    "Stripe would not open the set-up page just now, so nothing was changed. Please try again "
    "later; if it keeps happening, tell the platform staff."
)

NO_CARDS = (
    "Card payments are not switched on for this network yet, so there are no payouts to set "
    "up. Customers pay at pickup, and your co-op records those payments at the counter."
)


def _render(request, producer, *, status: int = 200):
    available = connect_available()
    # Stripe is asked only while the co-op waits for its verdict, or when the manager comes
    # back from Stripe's pages or asks again; once payouts are on, what we stored is enough.
    ask_stripe = bool(request.GET.get("back")) or producer.stripe_payouts_enabled is not True
    if not available or not ask_stripe:
        setup = connect_status_stored(producer)
    else:
        try:
            setup = connect_status_refresh(producer=producer)
        except PaymentProviderUnavailable:  # also PaymentProviderError, its subclass
            setup = connect_status_stored(producer)
            messages.warning(
                request, "Stripe could not be asked just now: this is what we knew last."
            )
    if setup.released:
        several = setup.released != 1
        messages.success(
            request,
            f"Payouts are on: {setup.released} payout{'s' if several else ''} held for your "
            f"co-op {'are' if several else 'is'} on {'their' if several else 'its'} way.",
        )
    context = coop_context(
        request, producer, "payouts", setup=setup, available=available, no_cards=NO_CARDS
    )
    return render(request, "frontend/workbench/coop_payouts.html", context, status=status)


@coop_view
@require_http_methods(["GET", "HEAD", "POST"])
def payouts(request, producer):
    if request.method != "POST":
        if request.GET.get("refresh"):
            # Stripe sends the manager here when its link has expired or was used.
            messages.info(request, "Stripe's page timed out. Continue with Stripe to go on.")
        return _render(request, producer)
    if not connect_available():
        messages.error(request, NO_CARDS)
        return redirect("workbench:coop-payouts", producer.slug)
    here = settings.SITE_URL + reverse("workbench:coop-payouts", args=[producer.slug])
    try:
        url = connect_onboarding_link(
            producer=producer, refresh_url=f"{here}?refresh=1", return_url=f"{here}?back=1"
        )
    except PaymentProviderError:
        messages.error(request, STRIPE_REFUSED)
        return _render(request, producer, status=502)
    except PaymentProviderUnavailable:
        messages.error(request, STRIPE_DOWN)
        return _render(request, producer, status=503)
    return redirect(url)
