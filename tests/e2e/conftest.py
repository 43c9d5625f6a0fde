"""Browser tests: Chromium through Playwright's sync API against pytest-django's live server.

A test that uses the ``page`` fixture (or opens pages with ``checked_browser.new_page``)
is also checked, without asking, for:

* accessibility: axe-core runs on every document the page shows (each full page
  load: the login form, the page a form post lands on, ... not only the last one),
  and any "serious" or "critical" violation fails the test;
* console errors and uncaught page errors, among them Content-Security-Policy
  violations (a ``securitypolicyviolation`` event and Chromium's console error);
* valid HTML5: the body of every HTML document the browser loads (as the server sent
  it, not the DOM after scripts ran) goes through tests/html_check.py, as the test
  client's responses do.

How every document gets its axe run, deterministically and without sleeps:

1. An init script (``page.add_init_script``; like DevTools, not subject to the site's
   CSP) puts axe-core and page_checks.js into every document. Once the document is
   parsed and its stylesheets have loaded (it can be painted, so before a test can
   click anything in it), axe runs and the result goes to Python through an exposed
   binding. JSON, CSV and plain-text responses are skipped.
2. Every request is routed. A request that navigates the main frame (a link, a form
   post, ``goto``, ``reload``) while the document being left has not reported yet is
   *parked*, and released when that report arrives. The old document stays alive
   while the request waits, so its run finishes however fast the test moves on.
   (Running axe from Python at that moment is not possible: Chromium holds DevTools
   commands to a frame while it navigates, so ``page.evaluate`` in the route handler
   waits for a navigation that waits for the route handler. Tried; it hangs.)
3. After the test body (``pytest_runtest_call`` below), the document still shown is
   awaited through the promise the init script left on ``window``, and the test
   fails with everything found, on every page it opened.

Same-document navigations (``#main``) keep the document and need no new run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import warnings
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    Route,
    expect,
    sync_playwright,
)

from tests.conftest import HTML_CHECKED_STATUSES, require
from tests.html_check import html_errors

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM (fixtures,
# factories, the seed) refuses to run where a loop is running unless told it may.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# A Thursday morning in Berlin, the demo member's time zone: a Learning Day.
LEARNING_DAY = dt.datetime(2026, 1, 15, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# The live server answers in milliseconds; a slow CI box still gets a few seconds.
ACTION_TIMEOUT_MS = 10_000
expect.set_options(timeout=5_000)
# How long the check after a test waits for the document shown to finish loading.
FINISH_TIMEOUT_MS = 20_000

# Chromium's console message for a response with an error status.
_CLIENT_ERROR_STATUS = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d\b")
_BINDING = "__e2eReport"
_HARNESS_JS = (Path(__file__).parent / "page_checks.js").read_text().replace("__BINDING__", _BINDING)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


# --- The browser -------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    require(CHROMIUM.exists(), f"Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def axe_init_script() -> str:
    return Axe().axe_script + "\n;\n" + _HARNESS_JS


# --- Demo data ---------------------------------------------------------------


@pytest.fixture
def on_a_learning_day(time_machine) -> dt.datetime:
    """The clock at a Thursday morning in Berlin, a Learning Day; the live server's thread too."""
    time_machine.move_to(LEARNING_DAY, tick=True)
    return LEARNING_DAY


@pytest.fixture
def demo_data(transactional_db, request) -> None:
    """Every app's demo data (member@example.com and friends), as `make demo` loads it.

    The suite's fast password hasher and fresh cache (tests/conftest.py) apply here too.
    """
    from io import StringIO

    from django.core.management import call_command

    if "on_a_learning_day" in request.fixturenames:
        # Set the clock first: the demo people joined some weeks before "now".
        request.getfixturevalue("on_a_learning_day")
    call_command("seed_demo", force=True, stdout=StringIO())


@pytest.fixture
def demo_password(settings) -> str:
    return settings.DEMO_PASSWORD


# --- The checks on every page -----------------------------------------------


@dataclass
class _Document:
    url: str
    done: bool = False


@dataclass
class PageChecks:
    """Collects axe results, console errors and CSP violations for one page over a whole test."""

    page: Page
    documents: dict[str, _Document] = field(default_factory=dict)
    current: str | None = None
    parked: list[Route] = field(default_factory=list)
    checked_urls: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchecked_urls: list[str] = field(default_factory=list)
    checked_ids: set[str] = field(default_factory=set)
    html_pending: int = 0

    def attach(self, init_script: str) -> PageChecks:
        self.page.expose_binding(_BINDING, self._on_report)
        self.page.add_init_script(init_script)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("requestfinished", self._on_request_finished)
        self.page.route("**/*", self._on_route)
        return self

    # Reports from the init script, in the order each document sends them.
    def _on_report(self, source: dict, message: dict) -> None:
        kind = message["kind"]
        if kind == "csp":
            where = f" ({message['source']})" if message["source"] else ""
            self.errors.append(
                f"CSP violation on {message['url']}: {message['directive']} blocked "
                f"{message['blocked'] or 'a resource'}{where}"
                + (f", sample {message['sample']!r}" if message["sample"] else "")
            )
        elif kind == "start":
            # A new document replaces the old one; if that one never finished, it was
            # left before it could be painted and there is nothing left to check.
            if self.current is not None and not self.documents[self.current].done:
                self.unchecked_urls.append(self.documents[self.current].url)
                self.documents[self.current].done = True
            self.documents[message["id"]] = _Document(message["url"])
            self.current = message["id"]
        elif kind == "done":
            self._record(message)
        self._release_if_done()

    def _record(self, result: dict) -> None:
        document = self.documents.setdefault(result["id"], _Document(result["url"]))
        if result["id"] in self.checked_ids:
            return
        self.checked_ids.add(result["id"])
        document.done = True
        url = result["url"]
        if result.get("skipped"):
            return
        if result.get("error"):
            self.errors.append(f"axe could not check {url}: {result['error']}")
            return
        self.checked_urls.append(url)
        for violation in result["violations"]:
            if violation.get("impact") in BLOCKING_IMPACTS:
                self.violations.append(format_violation(url, violation))

    def _current_done(self) -> bool:
        if self.html_pending:  # a document's HTML is being read: it must not be left yet
            return False
        return self.current is None or self.documents[self.current].done

    def _release_if_done(self) -> None:
        if self._current_done():
            while self.parked:
                self.parked.pop(0).fallback()

    # Hold every main-frame navigation until the document being left has been checked.
    def _on_route(self, route: Route) -> None:
        request = route.request
        if not self._current_done() and request.is_navigation_request() and request.frame == self.page.main_frame:
            self.parked.append(route)
            return
        route.fallback()

    # Console and page errors.
    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url") or self.page.url
        if where == self.page.url and _CLIENT_ERROR_STATUS.match(message.text):
            # The page's own 4xx (a form sent back with errors is a 400, a missing page
            # a 404): the test asserts what the person sees. A 5xx, or a stylesheet or
            # image that fails to load, is still an error.
            return
        self.errors.append(f"console error on {where}: {message.text}")

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught error on {self.page.url}: {error}")

    # The HTML of each document, as the server sent it. Chromium forgets a document's body
    # once another replaces it, so navigations are held (as for axe) until it has been read:
    # the count goes up before the first call that lets other events through.
    def _on_request_finished(self, request: Request) -> None:
        if request.resource_type != "document":
            return
        self.html_pending += 1
        try:
            body = self._html_body(request)
        finally:
            self.html_pending -= 1
            self._release_if_done()
        if body is not None and (errors := html_errors(body)):
            listing = "\n".join(f"  {error}" for error in errors)
            self.errors.append(f"invalid HTML5 on {request.url} ({len(errors)} problem(s)):\n{listing}")

    def _html_body(self, request: Request) -> bytes | None:
        response = request.response()
        if response is None or response.status not in HTML_CHECKED_STATUSES:
            return None
        if not response.headers.get("content-type", "").startswith("text/html"):
            return None
        try:
            return response.body()
        except Error as exc:
            self.errors.append(f"could not read {request.url} to check its HTML: {exc.message.splitlines()[0]}")
            return None

    def finish(self) -> None:
        """Wait for the axe run of the document shown now."""
        if self.page.is_closed():
            return
        try:
            # page.evaluate has no timeout of its own: a document that never finishes loading
            # (a resource held back) must fail the test, not hang the suite.
            result = self.page.evaluate(
                """(ms) => Promise.race([
                    window.__e2eAxe ?? null,
                    new Promise((resolve) => setTimeout(() => resolve({timedOut: true}), ms)),
                ])""",
                FINISH_TIMEOUT_MS,
            )
        except Error as exc:
            self.errors.append(f"could not check {self.page.url}: {exc.message.splitlines()[0]}")
            return
        if result is not None and result.get("timedOut"):
            self.errors.append(f"{self.page.url} did not finish loading within {FINISH_TIMEOUT_MS} ms: not checked")
        elif result is not None:
            self._record(result)
        for _ in range(100):  # each round trip lets a pending HTML check finish; no sleeping
            if not self.html_pending:
                break
            self.page.evaluate("() => 0")
        if self.html_pending:
            self.errors.append(f"the HTML of {self.page.url} was never read")
        if self.parked:
            self.errors.append(f"navigations still held: {[route.request.url for route in self.parked]}")

    def problems(self) -> list[str]:
        return [*self.violations, *self.errors]


def format_violation(url: str, violation: dict) -> str:
    lines = [f"axe {violation['impact']}: {violation['id']}: {violation['help']} on {url}", f"  {violation['helpUrl']}"]
    for node in violation["nodes"]:
        lines.append(f"  - {json.dumps(node['target'])}: {node['html']}")
        if node.get("summary"):
            lines.extend(f"      {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


class CheckedBrowser:
    """Opens checked pages for one test and reports what the checks found on all of them."""

    def __init__(self, browser: Browser, base_url: str, init_script: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.init_script = init_script
        self.opened: list[tuple[PageChecks, BrowserContext]] = []

    def new_page(self, **context_options) -> Page:
        """A page in a fresh context (cookies of its own); options go to ``new_context``."""
        context_options.setdefault("viewport", DESKTOP)
        context = self.browser.new_context(base_url=self.base_url, **context_options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        self.opened.append((PageChecks(page).attach(self.init_script), context))
        return page

    def checks_for(self, page: Page) -> PageChecks:
        return next(checks for checks, _context in self.opened if checks.page == page)

    def problems(self) -> list[str]:
        """Finish the documents still shown, then list everything found on every page."""
        found: list[str] = []
        for checks, _context in self.opened:
            checks.finish()
            found.extend(checks.problems())
        return found

    def take_problems(self) -> list[str]:
        """The problems found so far, forgotten afterwards: for tests of these checks."""
        found = self.problems()
        for checks, _context in self.opened:
            checks.violations.clear()
            checks.errors.clear()
        return found

    def close(self) -> None:
        for checks, context in self.opened:
            if checks.unchecked_urls:
                warnings.warn(
                    f"left before they finished loading, so axe did not check: {checks.unchecked_urls}",
                    stacklevel=1,
                )
            context.close()
        self.opened.clear()


@pytest.fixture
def checked_browser(browser: Browser, live_server, axe_init_script: str) -> Iterator[CheckedBrowser]:
    checked = CheckedBrowser(browser, live_server.url, axe_init_script)
    yield checked
    checked.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """After the test body, while its pages are still open, fail it on what the checks found."""
    checked = getattr(item, "funcargs", {}).get("checked_browser")
    try:
        result = yield
    except BaseException:
        # The test failed on its own: show what the checks found next to its error.
        if checked is not None:
            try:
                found = checked.problems()
            except Exception as exc:  # the browser may be the reason the test failed
                found = [f"could not finish the checks: {exc}"]
            if found:
                item.add_report_section("call", "browser checks", "\n\n".join(found))
        raise
    if checked is not None and (found := checked.problems()):
        listing = "\n\n".join(found)
        pytest.fail(f"{len(found)} problem(s) in the browser:\n\n{listing}", pytrace=False)
    return result


@pytest.fixture
def page(checked_browser: CheckedBrowser) -> Page:
    """A fresh browser context and page at desktop size; relative URLs go to the live server."""
    return checked_browser.new_page()


# --- Helpers -----------------------------------------------------------------


def login(page: Page, email: str, password: str) -> None:
    """Sign in through the real login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
