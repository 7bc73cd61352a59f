"""Getting paid: a co-op's managers set up Stripe Connect payouts from the workbench."""

import pytest

from orders.models import OutboxState, Payout
from orders.payments.payouts import payouts_release_owed
from producers.models import Membership
from tests.factories import MembershipFactory, UserFactory, hand_over

pytestmark = pytest.mark.django_db

ACCOUNTS = "/v1/accounts"
LINKS = "/v1/account_links"
PAGE = "/workbench/co-ops/sewing/payouts/"


@pytest.fixture
def manager(sewing):
    return MembershipFactory(
        producer=sewing, role=Membership.Role.MANAGER, user=UserFactory(username="ruth")
    ).user


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


def account_of(producer) -> str:
    producer.refresh_from_db()
    return producer.stripe_account_id


def test_set_up_payouts_creates_an_express_account_and_sends_the_manager_to_stripe(
    signed_in, sewing, fake_stripe, settings
):
    response = signed_in.post(PAGE)

    (created,) = fake_stripe.received("POST", ACCOUNTS)
    assert created.form["type"] == "express"
    assert created.form["capabilities[transfers][requested]"] == "true"
    assert created.idempotency_key == f"connect-account-{sewing.pk}"
    account = account_of(sewing)
    assert account in fake_stripe.accounts
    assert sewing.stripe_payouts_enabled is False
    (link,) = fake_stripe.received("POST", LINKS)
    assert link.form["account"] == account
    assert link.form["type"] == "account_onboarding"
    assert link.form["return_url"] == f"{settings.SITE_URL}{PAGE}?back=1"
    assert link.form["refresh_url"] == f"{settings.SITE_URL}{PAGE}?refresh=1"
    assert response.status_code == 302
    assert response["Location"].startswith(f"https://connect.stripe.test/setup/e/{account}/")


def test_setting_up_again_links_the_same_account(signed_in, sewing, fake_stripe):
    signed_in.post(PAGE)
    first = account_of(sewing)

    signed_in.post(PAGE)

    assert account_of(sewing) == first
    assert len(fake_stripe.received("POST", ACCOUNTS)) == 1
    assert len(fake_stripe.received("POST", LINKS)) == 2


def test_an_account_stripe_made_before_the_link_failed_is_reused(signed_in, sewing, fake_stripe):
    fake_stripe.fail(10, after=1)  # the account is made; every link request fails

    response = signed_in.post(PAGE)

    assert response.status_code == 503
    made = account_of(sewing)
    fake_stripe.fail(0)
    signed_in.post(PAGE)
    assert account_of(sewing) == made
    assert len(fake_stripe.accounts) == 1


def test_stripe_down_gives_a_clear_message_and_saves_nothing(signed_in, sewing, fake_stripe):
    fake_stripe.fail(20)  # every try, the library's retries included, meets a 500

    response = signed_in.post(PAGE)

    assert response.status_code == 503
    assert "could not reach Stripe" in response.content.decode()
    assert account_of(sewing) == ""
    assert fake_stripe.accounts == {}


def test_the_page_says_payouts_are_not_started(signed_in, fake_stripe):
    response = signed_in.get(PAGE)

    assert response.context["setup"].state == "not_started"
    assert "Set up payouts" in response.content.decode()
    assert fake_stripe.requests == []


def test_the_page_says_details_are_needed_until_stripe_has_them(signed_in, sewing, fake_stripe):
    signed_in.post(PAGE)

    response = signed_in.get(PAGE, {"back": "1"})

    setup = response.context["setup"]
    assert setup.state == "details_needed"
    assert "external_account" in setup.currently_due
    assert "Details needed" in response.content.decode()


def test_coming_back_from_stripe_reads_the_account_again(signed_in, sewing, fake_stripe):
    signed_in.post(PAGE)
    fake_stripe.onboard(account_of(sewing))

    response = signed_in.get(PAGE, {"back": "1"})

    assert response.context["setup"].state == "enabled"
    assert "Payouts enabled" in response.content.decode()
    sewing.refresh_from_db()
    assert sewing.stripe_payouts_enabled is True
    assert fake_stripe.received("GET", f"{ACCOUNTS}/{sewing.stripe_account_id}")


def test_payouts_held_for_the_co_op_are_released_once_stripe_enables_payouts(
    signed_in, sewing, tote, paid_card_order, fake_stripe
):
    job = hand_over(paid_card_order((tote, 1)).jobs.get())
    assert Payout.objects.get(job=job).state == OutboxState.HELD
    signed_in.post(PAGE)
    fake_stripe.onboard(account_of(sewing))

    response = signed_in.get(PAGE, {"back": "1"}, follow=True)

    payout = Payout.objects.get(job=job)
    assert payout.status == Payout.Status.PAID
    assert payout.destination == sewing.stripe_account_id
    assert "1 payout held for your co-op" in response.content.decode().replace("\n", " ")


def test_nothing_is_paid_to_an_account_still_waiting_for_details(
    signed_in, sewing, tote, paid_card_order, fake_stripe
):
    held = hand_over(paid_card_order((tote, 1)).jobs.get())
    signed_in.post(PAGE)

    later = hand_over(paid_card_order((tote, 1)).jobs.get())

    assert payouts_release_owed() == 0
    for job in (held, later):
        assert Payout.objects.get(job=job).status == Payout.Status.OWED
    assert fake_stripe.received("POST", "/v1/transfers") == []


def test_a_member_sees_the_status_but_cannot_set_up_payouts(client, sewing, fake_stripe):
    client.force_login(MembershipFactory(producer=sewing, user=UserFactory()).user)

    assert client.get(PAGE).status_code == 200
    assert client.post(PAGE).status_code == 403
    assert fake_stripe.received("POST", ACCOUNTS) == []


def test_without_card_payments_there_is_nothing_to_set_up(signed_in, sewing, settings, fake_stripe):
    settings.STRIPE_SECRET_KEY = ""

    page = signed_in.get(PAGE)
    response = signed_in.post(PAGE, follow=True)

    assert "not switched on" in page.content.decode()
    assert "not switched on" in response.content.decode()
    assert fake_stripe.requests == []
    assert account_of(sewing) == ""


def test_an_account_stripe_does_not_know_gives_a_clear_message(signed_in, sewing, fake_stripe):
    sewing.stripe_account_id = "acct_typed_by_hand"
    sewing.save()

    response = signed_in.post(PAGE)

    assert response.status_code == 502
    assert "Stripe would not open the set-up page" in response.content.decode()
    assert account_of(sewing) == "acct_typed_by_hand"


def test_staff_see_the_payout_account_in_the_admin_but_cannot_type_one(client, sewing):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))

    response = client.get(f"/admin/producers/producer/{sewing.pk}/change/")

    assert response.status_code == 200
    assert "stripe_account_id" not in response.context["adminform"].form.fields
    assert "stripe_account_id" in response.context["adminform"].readonly_fields


def test_once_payouts_are_on_the_page_does_not_ask_stripe_again(signed_in, sewing, fake_stripe):
    signed_in.post(PAGE)
    fake_stripe.onboard(account_of(sewing))
    signed_in.get(PAGE, {"back": "1"})
    asked = len(fake_stripe.received("GET", f"{ACCOUNTS}/{sewing.stripe_account_id}"))

    response = signed_in.get(PAGE)

    assert response.context["setup"].state == "enabled"
    assert len(fake_stripe.received("GET", f"{ACCOUNTS}/{sewing.stripe_account_id}")) == asked


def test_while_details_are_needed_each_visit_asks_stripe(signed_in, sewing, fake_stripe):
    signed_in.post(PAGE)
    signed_in.get(PAGE)
    fake_stripe.onboard(account_of(sewing))

    response = signed_in.get(PAGE)

    assert response.context["setup"].state == "enabled"
