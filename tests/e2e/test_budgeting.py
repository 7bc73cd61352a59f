"""From sales to a funded project: the fund fills from sales, staff open a round within it,
residents propose three projects, staff accept them, several accounts vote, staff publish
the results and pay the winners, and the round's page shows it all."""

import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from catalog.models import Product
from catalog.services.products import product_stock_receive
from community.budgeting_models import Round
from community.selectors import fund_balance, fund_drift
from producers.accounts import email_verified_mark
from tests.community.rounds import move_to
from tests.e2e.browser import assert_accessible, sign_out, switch_to
from tests.factories import UserFactory, hand_over, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROPOSALS = [
    ("Shade trees on Dalton St", "60.00", "Westside Growers", "keisha"),
    ("Benches at the bus stops", "45.00", "West Jackson Woodshop", "marcus"),
    ("Lights for the garden path", "30.00", "Common Thread Sewing", "keisha"),
]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check(page) -> None:
    assert no_sideways_scroll(page)
    assert_accessible(page)


def subjects_to(address: str, *, wait: float = 5.0) -> list[str]:
    deadline = time.monotonic() + wait
    while True:
        sent = [message.subject for message in mail.outbox if address in message.to]
        if sent or time.monotonic() > deadline:
            return sent
        time.sleep(0.1)


def sell_boards(network) -> None:
    """Four cash sales of ten walnut boards (650.00 each, 5% to the fund): 130.00."""
    board = Product.objects.get(slug="walnut-cutting-board")
    product_stock_receive(product=board, quantity=40, by=None, reason="made")
    for _ in range(4):
        hand_over(place((board, 10)).jobs.get())


def test_sales_fill_the_fund_and_a_round_funds_what_residents_chose(live_server, page, network):
    base = live_server.url
    sell_boards(network)
    assert fund_balance() == Decimal("130.00")
    UserFactory(username="treasurer", is_staff=True)
    for username in ("keisha", "ray", "dee"):
        user = UserFactory(username=username, email=f"{username}@example.org")
        email_verified_mark(user=user)

    # Staff open a round: a round larger than the fund is refused, one within it opens.
    switch_to(page, base, "treasurer")
    page.goto(f"{base}/community/rounds/new/")
    expect(page.get_by_text("The fund has $130.00 free")).to_be_visible()
    check(page)
    page.get_by_label("Name of the round").fill("Westside spring round")
    page.get_by_label("Budget, in dollars").fill("130.01")
    page.get_by_label("Proposals open").fill("2026-01-01T09:00")
    page.get_by_label("Proposals close").fill("2099-01-01T09:00")
    page.get_by_label("Voting opens").fill("2099-01-02T09:00")
    page.get_by_label("Voting closes").fill("2099-01-09T09:00")
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_text("a round of $130.01 does not fit")).to_be_visible()
    assert not Round.objects.exists()
    page.get_by_label("Budget, in dollars").fill("100")
    page.get_by_role("button", name="Open the round").click()
    expect(page.locator(".round-phase")).to_contain_text("Taking proposals")
    expect(page.locator(".round-phase")).to_contain_text("$100.00")
    round_ = Round.objects.get()
    round_url = f"{base}/community/rounds/{round_.pk}/"
    assert subjects_to("ray@example.org") == ["A budgeting round is open: Westside spring round"]

    # Three proposals, from a verified resident and a co-op member.
    for title, amount, who, proposer in PROPOSALS:
        switch_to(page, base, proposer)
        page.goto(round_url)
        page.get_by_label("Project", exact=True).fill(title)
        page.get_by_label("What it is and who it helps").fill(f"{title}, for everyone nearby.")
        page.get_by_label("How much it costs, in dollars").fill(amount)
        page.get_by_label("Who carries it out").fill(who)
        page.get_by_role("button", name="Send my proposal").click()
        expect(page.get_by_text("your proposal waits for moderation")).to_be_visible()
    expect(page.locator(".proposal")).to_have_count(2)  # "My proposals": keisha has two
    check(page)
    page.goto(f"{base}/community/rounds/")
    expect(page.get_by_role("link", name="Propose a project")).to_be_visible()
    check(page)

    # Staff accept all three.
    switch_to(page, base, "treasurer")
    page.goto(round_url)
    check(page)
    for title, *_ in PROPOSALS:
        page.get_by_role("button", name=f"Accept “{title}”").click()
        expect(page.locator(".messages")).to_contain_text(f"“{title}” is moderated")

    # Voting opens; a ballot over the budget is refused, then three accounts vote.
    move_to(round_, "voting")
    ballots = {
        "keisha": ["Shade trees on Dalton St", "Lights for the garden path"],
        "ray": ["Shade trees on Dalton St"],
        "dee": ["Benches at the bus stops", "Lights for the garden path"],
    }
    for voter, titles in ballots.items():
        switch_to(page, base, voter)
        page.goto(f"{round_url}#ballot")
        if voter == "keisha":
            for title, *_ in PROPOSALS:
                page.get_by_label(re.compile(title)).check()
            expect(page.locator(".ballot-total")).to_contain_text("$135.00 of $100.00")
            expect(page.locator(".ballot-over")).to_be_visible()
            check(page)
            page.get_by_role("button", name="Save my ballot").click()
            expect(page.locator(".messages")).to_contain_text("Your ballot was not saved")
            for title, *_ in PROPOSALS:
                page.get_by_label(re.compile(title)).uncheck()
        for title in titles:
            page.get_by_label(re.compile(title)).check()
        page.get_by_role("button", name="Save my ballot").click()
        expect(page.locator(".messages")).to_contain_text("Your ballot is saved")

    # Staff close voting and publish; Shade trees (2) and Lights (2) are funded.
    switch_to(page, base, "treasurer")
    page.goto(round_url)
    page.get_by_role("button", name="Close voting now and publish the results").click()
    expect(page.locator(".messages")).to_contain_text("The results are out")
    assert "Results are out: Westside spring round" in subjects_to("dee@example.org")
    rows = page.locator(".results tbody tr")
    expect(rows.nth(0)).to_contain_text("Lights for the garden path")
    expect(rows.nth(0)).to_contain_text("Funded")
    expect(rows.nth(1)).to_contain_text("Shade trees on Dalton St")
    expect(rows.nth(1)).to_contain_text("Funded")
    expect(rows.nth(2)).to_contain_text("Benches at the bus stops")
    expect(rows.nth(2)).to_contain_text("Not funded")
    check(page)

    # Staff pay both winners: the fund goes down by their amounts, on its ledger.
    page.get_by_role("button", name="Pay $30.00 to Common Thread Sewing").click()
    expect(page.locator(".messages")).to_contain_text("is paid")
    page.get_by_role("button", name="Pay $60.00 to Westside Growers").click()
    expect(page.locator(".messages")).to_contain_text("is paid")
    assert fund_balance() == Decimal("40.00")
    assert fund_drift() == []

    # Anyone sees the results: counts, funded and paid, and no voter's name.
    sign_out(page)
    page.goto(round_url)
    expect(page.get_by_text("3 ballots counted")).to_be_visible()
    expect(rows.nth(0)).to_contain_text("2")
    expect(rows.nth(0)).to_contain_text("paid")
    expect(rows.nth(1)).to_contain_text("paid")
    for voter in ballots:
        expect(page.locator("main")).not_to_contain_text(voter)
    check(page)

    # The public community page shows it all: the balance, the sales, both payments.
    page.goto(f"{base}/community/")
    expect(page.locator("#fund-balance")).to_have_text("$40.00")
    expect(page.locator("main")).to_contain_text("$2,600.00")  # four sales of $650.00
    payments = page.locator(".community-disbursements")
    expect(payments).to_contain_text("$60.00 to Westside Growers")
    expect(payments).to_contain_text("Westside spring round: Shade trees on Dalton St")
    expect(payments).to_contain_text("$30.00 to Common Thread Sewing")
    check(page)
