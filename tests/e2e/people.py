"""What a member of the public does on the pages, shared by the browser journeys."""
from __future__ import annotations


def public_complaint(page, base: str, code: str, summary: str) -> tuple[str, str]:
    """Complain on the public form, one question a step; returns the reference and the private status link."""
    page.context.clear_cookies()
    page.goto(f"{base}/public/{code}/complaint")
    page.fill("#f-summary", summary)
    page.fill("#f-happened_on", "2026-12-01")
    page.click("button:has-text('Continue')")
    page.check("#f-on_behalf")
    page.click("button:has-text('Continue')")
    page.fill("#f-name", "Pat Jones")
    page.fill("#f-email", "pat@example.org")
    page.click("button:has-text('Continue')")
    page.check("#f-needs_support-1")
    page.click("button:has-text('Continue')")
    with page.expect_navigation():
        page.click("button:has-text('Send complaint')")
    return page.inner_text("#reference").strip(), page.get_attribute("#status-link", "href")


def complainant_asks(page, status_url: str, message: str, reasons: str) -> None:
    """The complainant escalates or appeals from their private status link."""
    page.context.clear_cookies()
    page.goto(status_url)
    assert page.get_attribute("#ask-again input[name=message]", "value") == message
    page.fill("#f-reasons", reasons)
    with page.expect_navigation():
        page.click("#ask-again button[type=submit]")
    assert "We have received your request" in page.content()


def complainant_withdraws(page, status_url: str) -> None:
    """The complainant withdraws from their private status link, confirming it."""
    page.context.clear_cookies()
    page.goto(status_url)
    page.check("#withdraw input[name=confirm][value=yes]")
    with page.expect_navigation():
        page.click("#withdraw button[type=submit]")
    assert "Closed" in page.inner_text("#status")
