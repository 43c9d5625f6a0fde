"""The checks every browser test gets (see conftest.py) catch what they promise to.

These pages come from a made-up origin that the browser context serves itself, so the
tests do not depend on the app; the route that holds navigations still runs first.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route, expect

ORIGIN = "http://e2e.test"
STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


def html(title: str, body: str, head: str = "") -> str:
    return f'<!DOCTYPE html><html lang="en"><head><title>{title}</title>{head}</head><body>{body}</body></html>'


PAGES = {
    # Never answered (see fake_site): a navigation that does not end.
    "/held-page": "",
    "/clean": html("Clean", '<main><h1>Clean</h1><p>Nothing wrong here. <a href="/clean-too">Next</a></p></main>'),
    "/clean-too": html("Clean too", "<main><h1>Clean too</h1></main>"),
    # An image without a text alternative: axe's image-alt, impact critical.
    "/no-alt": html("No alt", f'<main><h1>No alt</h1><img src="{PIXEL}"><a href="/clean">Next</a></main>'),
    # The same, with a stylesheet the test holds back: the page cannot finish loading.
    "/no-alt-slow": html(
        "No alt, slow", f'<main><h1>No alt</h1><img src="{PIXEL}"></main>', '<link rel="stylesheet" href="/held.css">'
    ),
    # A stray end tag and a duplicate attribute: the browser repairs both; the HTML check does not.
    "/invalid-html": html(
        "Invalid HTML", '<main><h1 class="a" class="b">Invalid</h1></div><a href="/clean">Next</a></main>'
    ),
    "/inline-style": html("Inline style", '<main><h1 style="color: red">Inline style</h1></main>'),
    "/script-error": html(
        "Script error",
        "<main><h1>Script error</h1></main><script>console.error('broken'); throw new Error('boom');</script>",
    ),
}


@pytest.fixture
def fake_site(checked_browser):
    """A checked page whose context serves PAGES (strict CSP) and holds /held.css and /held-page back."""
    page = checked_browser.new_page()
    held: list[Route] = []

    def serve(route: Route) -> None:
        path = urlparse(route.request.url).path
        if path in {"/held.css", "/held-page"}:
            held.append(route)
            return
        headers = {"Content-Security-Policy": STRICT_CSP}
        route.fulfill(status=200, content_type="text/html; charset=utf-8", headers=headers, body=PAGES[path])

    # On the context, so it answers after the page's own route (the one that holds navigations).
    page.context.route(f"{ORIGIN}/**", serve)
    return page, held


def wait_for_held(page: Page, held: list[Route]) -> None:
    """Until the route has handed over the held request (each round trip lets it)."""
    for _ in range(100):
        if held:
            return
        page.evaluate("() => 0")
    raise AssertionError("the held request was never made")


def test_clean_pages_pass(checked_browser, fake_site):
    page, _held = fake_site
    page.goto(f"{ORIGIN}/clean")
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("heading", name="Clean too")).to_be_visible()

    assert checked_browser.take_problems() == []
    checks = checked_browser.checks_for(page)
    assert checks.checked_urls == [f"{ORIGIN}/clean", f"{ORIGIN}/clean-too"]


def test_a_violation_on_a_page_the_test_moved_on_from_is_caught(checked_browser, fake_site):
    page, _held = fake_site
    page.goto(f"{ORIGIN}/no-alt")
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("heading", name="Clean")).to_be_visible()

    problems = checked_browser.take_problems()
    assert len(problems) == 1
    assert problems[0].startswith(f"axe critical: image-alt: Images must have alternative text on {ORIGIN}/no-alt")
    assert '["img"]' in problems[0]


def test_invalid_html_on_a_page_the_test_moved_on_from_is_caught(checked_browser, fake_site):
    page, _held = fake_site
    page.goto(f"{ORIGIN}/invalid-html")
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("heading", name="Clean")).to_be_visible()

    problems = checked_browser.take_problems()
    assert len(problems) == 1
    assert problems[0].startswith(f"invalid HTML5 on {ORIGIN}/invalid-html (2 problem(s)):")
    assert "duplicate-attribute" in problems[0]
    assert "end-tag-too-early: End tag (div)" in problems[0]


def test_a_page_left_before_it_finished_loading_is_checked_first(checked_browser, fake_site):
    page, held = fake_site
    page.goto(f"{ORIGIN}/no-alt-slow", wait_until="domcontentloaded")
    # Before leaving: once the navigation is parked, the page answers no command.
    wait_for_held(page, held)
    # Leave while the stylesheet is still held back, so axe has not run yet.
    with page.expect_request(f"{ORIGIN}/clean"):
        page.evaluate("() => { location.href = '/clean'; }")
    for route in held:  # the navigation waits for axe, axe for the stylesheet
        route.fulfill(status=200, content_type="text/css", body="h1 { margin: 0; }")
    expect(page.get_by_role("heading", name="Clean")).to_be_visible()

    problems = checked_browser.take_problems()
    assert len(problems) == 1
    assert f"image-alt: Images must have alternative text on {ORIGIN}/no-alt-slow" in problems[0]
    assert checked_browser.checks_for(page).unchecked_urls == []


def test_a_csp_violation_fails(checked_browser, fake_site):
    page, _held = fake_site
    page.goto(f"{ORIGIN}/inline-style")

    problems = "\n".join(checked_browser.take_problems())
    assert f"CSP violation on {ORIGIN}/inline-style: style-src-attr blocked inline" in problems
    assert "violates the following Content Security Policy directive" in problems


def test_console_and_page_errors_fail(checked_browser, page: Page):
    page.context.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=PAGES["/script-error"]),
    )
    page.goto(f"{ORIGIN}/script-error")

    problems = "\n".join(checked_browser.take_problems())
    assert f"console error on {ORIGIN}/script-error: broken" in problems
    assert f"uncaught error on {ORIGIN}/script-error: boom" in problems


def test_a_document_that_never_reports_holds_a_navigation_only_for_a_while(checked_browser, fake_site):
    page, held = fake_site
    checks = checked_browser.checks_for(page)
    checks.park_timeout_s = 1  # instead of PARK_TIMEOUT_S, for a quick test
    page.goto(f"{ORIGIN}/no-alt-slow", wait_until="domcontentloaded")
    wait_for_held(page, held)
    # The stylesheet stays held: axe cannot run before the navigation is let go.
    page.evaluate("() => { location.href = '/clean'; }")
    expect(page.get_by_role("heading", name="Clean")).to_be_visible()

    problems = checked_browser.take_problems()
    assert problems == [
        f"axe never reported on {ORIGIN}/no-alt-slow: the navigation to {ORIGIN}/clean was held 1 s for it, "
        f"then let go; {ORIGIN}/no-alt-slow was not checked"
    ]
    assert checks.checked_urls == [f"{ORIGIN}/clean"]


def test_a_navigation_that_never_ends_fails_the_check_instead_of_hanging(checked_browser, fake_site):
    page, _held = fake_site
    checks = checked_browser.checks_for(page)
    checks.finish_timeout_ms = 1_000  # instead of FINISH_TIMEOUT_MS, for a quick test
    page.goto(f"{ORIGIN}/clean")
    with page.expect_request(f"{ORIGIN}/held-page"):
        page.evaluate("() => { location.href = '/held-page'; }")

    problems = checked_browser.take_problems()
    assert problems == [
        f"{ORIGIN}/clean was not checked: no axe result within 1000 ms (still loading, or a navigation that never ends)"
    ]
    page.close()  # the navigation never ends, so the check after the test would fail again
