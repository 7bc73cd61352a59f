import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def width():
    return 1280  # one width is enough: this page is a developer's tool


def test_the_api_docs_render_their_operations_under_the_security_policy(live_server, page):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{live_server.url}/api/docs/")

    expect(page.get_by_text("/api/v1/auth/token/").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    assert refused == []
