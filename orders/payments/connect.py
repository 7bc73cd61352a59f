"""Getting paid: a co-op's Stripe Connect (Express) account, set up from the workbench.

A manager asks to set up payouts: the co-op's Express account is created once (the
idempotency key is the producer's, so a double click or a retry makes one account)
and stored on `Producer.stripe_account_id`, then a short-lived Account Link sends the
manager to Stripe's onboarding. Back on the workbench the account is read again;
once Stripe enables payouts, the payouts held for the co-op are released.

Stripe is asked while no lock is held and no transaction is open; what it answers is
stored with conditional updates, so a failure at Stripe leaves nothing half-saved.
"""

import logging
from dataclasses import dataclass, field

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders.exceptions import PaymentProviderError, PaymentProviderUnavailable
from orders.payments.payouts import payouts_release_owed
from orders.stripe_client import stripe_client
from producers.models import Producer

logger = logging.getLogger(__name__)

NOT_STARTED = "not_started"
DETAILS_NEEDED = "details_needed"
ENABLED = "enabled"


@dataclass(frozen=True)
class PayoutSetup:
    """Where a co-op stands with Stripe: `state` is one of the three names above."""

    state: str
    details_submitted: bool = False
    currently_due: list[str] = field(default_factory=list)
    released: int = 0

    @property
    def enabled(self) -> bool:
        return self.state == ENABLED


def connect_available() -> bool:
    """Card payments, and so payouts through Stripe, are switched on for the network."""
    return bool(settings.STRIPE_SECRET_KEY)


def _provider_error(exc: stripe.StripeError, what: str) -> Exception:
    logger.warning("%s failed: %s", what, exc)
    # Not reached, too busy, or failing on its side: worth trying again soon.
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError) or (
        (exc.http_status or 0) >= 500
    ):
        return PaymentProviderUnavailable()
    return PaymentProviderError()


def account_idempotency_key(producer: Producer) -> str:
    return f"connect-account-{producer.pk}"


def _create_account(producer: Producer) -> str:
    """The co-op's Express account id: made at Stripe once, stored once."""
    try:
        account = stripe_client().v1.accounts.create(
            {
                "type": "express",
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"producer": str(producer.pk)},
            },
            options={"idempotency_key": account_idempotency_key(producer)},
        )
    except stripe.StripeError as exc:
        raise _provider_error(exc, f"creating the Stripe account of {producer.slug}") from exc
    with transaction.atomic():
        # Conditional: two managers clicking at once get the same account (same key),
        # and an account already stored is never replaced.
        Producer.objects.filter(pk=producer.pk, stripe_account_id="").update(
            stripe_account_id=account.id, stripe_payouts_enabled=False, updated_at=timezone.now()
        )
    producer.refresh_from_db(fields=["stripe_account_id", "stripe_payouts_enabled"])
    return producer.stripe_account_id


def connect_onboarding_link(*, producer: Producer, refresh_url: str, return_url: str) -> str:
    """The address of Stripe's onboarding for the co-op, creating its account if needed.

    Call it outside any transaction. Raises PaymentProviderUnavailable (Stripe cannot
    be reached) or PaymentProviderError (Stripe refused): nothing is stored then,
    except an account Stripe did create, which the next try links to again.
    """
    account_id = producer.stripe_account_id or _create_account(producer)
    try:
        # An Account Link is single-use and expires within minutes: each visit gets a
        # new one, and a retried request at worst makes a spare link nobody follows.
        link = stripe_client().v1.account_links.create(
            {
                "account": account_id,
                "type": "account_onboarding",
                "refresh_url": refresh_url,
                "return_url": return_url,
            }
        )
    except stripe.StripeError as exc:
        raise _provider_error(exc, f"linking the Stripe account of {producer.slug}") from exc
    return link.url


def connect_status_refresh(*, producer: Producer) -> PayoutSetup:
    """Read the co-op's account from Stripe and store whether payouts are enabled.

    When payouts have just become enabled, the payouts held for the co-op are released
    (`payouts_release_owed`). Raises PaymentProviderUnavailable or PaymentProviderError
    when Stripe cannot say; what was stored before stays as it was.
    """
    if not producer.stripe_account_id:
        return PayoutSetup(state=NOT_STARTED)
    try:
        account = stripe_client().v1.accounts.retrieve(producer.stripe_account_id)
    except stripe.StripeError as exc:
        raise _provider_error(exc, f"reading the Stripe account of {producer.slug}") from exc
    enabled = bool(getattr(account, "payouts_enabled", False))
    requirements = getattr(account, "requirements", None)
    due = list(getattr(requirements, "currently_due", None) or [])
    if producer.stripe_payouts_enabled is not enabled:
        Producer.objects.filter(
            pk=producer.pk, stripe_account_id=producer.stripe_account_id
        ).update(stripe_payouts_enabled=enabled, updated_at=timezone.now())
        producer.stripe_payouts_enabled = enabled
    released = payouts_release_owed(producer_id=producer.pk) if enabled else 0
    return PayoutSetup(
        state=ENABLED if enabled else DETAILS_NEEDED,
        details_submitted=bool(getattr(account, "details_submitted", False)),
        currently_due=due,
        released=released,
    )


def connect_status_stored(producer: Producer) -> PayoutSetup:
    """What was last stored, for when Stripe cannot be asked."""
    if not producer.stripe_account_id:
        return PayoutSetup(state=NOT_STARTED)
    return PayoutSetup(state=ENABLED if producer.payouts_ready else DETAILS_NEEDED)
