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

How every document gets its axe run, deterministically, with no sleep in any test:

1. An init script (``page.add_init_script``; like DevTools, not subject to the site's
   CSP) puts axe-core and page_checks.js into every document. Once the document is
   parsed and its stylesheets have loaded (it can be painted, so before a test can
   click anything in it), axe runs and the result goes to Python through an exposed
   binding. JSON, CSV and plain-text responses are skipped.
2. Every request but those for static files is routed. A request that navigates the main frame (a link, a form
   post, ``goto``, ``reload``) while the document being left has not reported yet is
   *parked*, and released when that report arrives. The old document stays alive
   while the request waits, so its run finishes however fast the test moves on. It
   does not always finish *loading*: a navigation the page starts itself (a click, a
   form post) makes Chromium stop parsing it at once, cancel the deferred scripts still
   loading and skip DOMContentLoaded (readyState goes straight to "complete"); the
   parked request cannot prevent that. page_checks.js takes that as the end of parsing
   and checks the document as it stands (see there); waiting for DOMContentLoaded held
   such a navigation, and the test, the whole 60 s of the run's limit.
3. After the test body (``pytest_runtest_call`` below), the harness waits for the
   document still shown to report, and the test fails with everything found, on
   every page it opened.

The HTML of each document is read before the browser gets it: a second DevTools
session pauses every document response (``Fetch``, response stage, in the browser
process), reads the body, and lets it go on. The document cannot be left before
it has been read, so nothing has to be held for it.

Nothing here may wait forever. While the main frame navigates, Chromium holds every
DevTools command to the page (``page.evaluate``, ``response.body()``) until the
navigation commits; a command sent while the harness parks that navigation would
wait for a navigation that waits for it. So: no command goes to the page while a
navigation is parked (the route handler and ``finish`` wait with
``page.wait_for_timeout``, which the driver answers on its own); a navigation is
parked for at most ``PARK_TIMEOUT_S`` and then let go with an error naming the page
that never reported; and ``finish`` waits with ``page.wait_for_function``, whose
timeout the driver enforces even when the page cannot answer. (Reading the HTML in
a ``requestfinished`` handler with ``response.body()`` while holding navigations
for it hung exactly that way when the machine was busy: the test's click started
the next navigation before the body was asked for.)

Same-document navigations (``#main``) keep the document and need no new run.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import re
import time
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
    CDPSession,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Route,
    TimeoutError,
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
# The live server answers in milliseconds and axe checks a page in well under a second,
# but a click that leaves a page waits for that page's check, and the project's CI (two
# workers, each with a browser, on two cores) twice saw a check take over 10 and 20 s. The
# limits below only end checks that can never finish; each is longer than the one it waits for.
ACTION_TIMEOUT_MS = 90_000
expect.set_options(timeout=10_000)
# How long the check after a test waits for the document shown to finish loading.
FINISH_TIMEOUT_MS = 90_000
# How long a navigation is parked for the axe run of the document it leaves. The run
# gives up after 60 s (page_checks.js) and reports where it stood, so only a document that
# can never report (its script stopped, a dialog open) is let go this way.
PARK_TIMEOUT_S = 70
# The step of the waits that must not talk to the page (see the module's docstring).
_POLL_MS = 50
# The requests the harness routes: everything but the static files. A route's handler runs in
# this Python thread, so a stylesheet or deferred script routed through it would wait for the
# thread, and the document's parsing (DOMContentLoaded) with it; CI once saw a page's parsing
# held 60 s that way. Static files are never navigated to, so no navigation is missed. A
# regular expression is matched in the browser's driver, without asking Python.
_ROUTED = re.compile(r"^https?://[^/]+/(?!static/)")
# Every document's response, paused in the browser before the page gets it.
_DOCUMENT_RESPONSES = {"patterns": [{"urlPattern": "*", "resourceType": "Document", "requestStage": "Response"}]}

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
    # Documents whose HTML is being read (DevTools request id: URL), paused meanwhile.
    html_reading: dict[str, str] = field(default_factory=dict)
    park_timeout_s: float = PARK_TIMEOUT_S
    finish_timeout_ms: float = FINISH_TIMEOUT_MS
    devtools: CDPSession | None = None

    def attach(self, init_script: str) -> PageChecks:
        self.page.expose_binding(_BINDING, self._on_report)
        self.page.add_init_script(init_script)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.route(_ROUTED, self._on_route)
        self.devtools = self.page.context.new_cdp_session(self.page)
        self.devtools.on("Fetch.requestPaused", self._on_document_response)
        self.devtools.send("Fetch.enable", _DOCUMENT_RESPONSES)
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
        if result.get("cutOff"):
            # Left while still being parsed (see page_checks.js): there is no whole document.
            self.unchecked_urls.append(url)
            return
        if result.get("error"):
            self.errors.append(f"axe could not check {url}: {result['error']}")
            return
        self.checked_urls.append(url)
        for violation in result["violations"]:
            if violation.get("impact") in BLOCKING_IMPACTS:
                self.violations.append(format_violation(url, violation))

    def _current_done(self) -> bool:
        return self.current is None or self.documents[self.current].done

    def _release_if_done(self) -> None:
        # The route handler of each parked request sees this and lets its request go on.
        if self._current_done():
            self.parked.clear()

    # Hold every main-frame navigation until the document being left has been checked.
    def _on_route(self, route: Route) -> None:
        request = route.request
        if self._current_done() or not request.is_navigation_request() or request.frame != self.page.main_frame:
            route.fallback()
            return
        leaving = self.documents[self.current].url
        self.parked.append(route)
        deadline = time.monotonic() + self.park_timeout_s
        try:
            # Not a sleep for the page: the driver's own timer, so the dispatcher runs the
            # report that ends the wait; a command to the page would wait for this route.
            while route in self.parked and time.monotonic() < deadline:
                self.page.wait_for_timeout(_POLL_MS)
        except Error:
            pass  # the page closed: let the request go, the browser drops it anyway
        if route in self.parked:
            self.parked.remove(route)
            if not self._current_done():
                self.documents[self.current].done = True
                self.errors.append(
                    f"axe never reported on {leaving}: the navigation to {request.url} was held "
                    f"{self.park_timeout_s:g} s for it, then let go; {leaving} was not checked"
                )
        with contextlib.suppress(Error):  # the page closed meanwhile
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

    # The HTML of each document, as the server sent it, read in the browser process while
    # the response waits there: the page has not got it yet, so it cannot have left it.
    def _on_document_response(self, event: dict) -> None:
        request_id, url = event["requestId"], event["request"]["url"]
        self.html_reading[request_id] = url
        try:
            body = self._html_body(event)
        finally:
            del self.html_reading[request_id]
            with contextlib.suppress(Error):  # the page or its context closed meanwhile
                self.devtools.send("Fetch.continueRequest", {"requestId": request_id})
        if body is not None and (errors := html_errors(body)):
            listing = "\n".join(f"  {error}" for error in errors)
            self.errors.append(f"invalid HTML5 on {url} ({len(errors)} problem(s)):\n{listing}")

    def _html_body(self, event: dict) -> bytes | None:
        if event.get("responseStatusCode") not in HTML_CHECKED_STATUSES:
            return None  # a redirect, a 5xx, or a request that failed
        headers = {header["name"].lower(): header["value"] for header in event.get("responseHeaders", [])}
        if not headers.get("content-type", "").startswith("text/html"):
            return None
        try:
            answer = self.devtools.send("Fetch.getResponseBody", {"requestId": event["requestId"]})
        except Error as exc:
            url = event["request"]["url"]
            self.errors.append(f"could not read {url} to check its HTML: {exc.message.splitlines()[0]}")
            return None
        return base64.b64decode(answer["body"]) if answer["base64Encoded"] else answer["body"].encode()

    def finish(self) -> None:
        """Wait, for a bounded time, until the document shown now has reported its axe run."""
        if self.page.is_closed():
            return
        deadline = time.monotonic() + self.finish_timeout_ms / 1000
        try:
            # A navigation still parked waits for a report; the page must not be asked
            # anything meanwhile (see the module's docstring). The route lets it go in time.
            while self.parked and time.monotonic() < deadline:
                self.page.wait_for_timeout(_POLL_MS)
            left_ms = max(deadline - time.monotonic(), 0.1) * 1000
            # The driver enforces this timeout even while the page cannot answer. Across
            # a navigation it asks the next document. page_checks.js sets the flag once
            # the document's report has reached Python (or leaves it unset: not checked). Polled
            # by timer, not by animation frame: a page that paints nothing still answers.
            self.page.wait_for_function("() => window.__e2eChecked !== false", timeout=left_ms, polling=_POLL_MS)
        except TimeoutError:
            held = f", navigations held: {[route.request.url for route in self.parked]}" if self.parked else ""
            self.errors.append(
                f"{self.page.url} was not checked: no axe result within {self.finish_timeout_ms:g} ms "
                f"(still loading, or a navigation that never ends){held}"
            )
        except Error as exc:
            self.errors.append(f"could not check {self.page.url}: {exc.message.splitlines()[0]}")
        if self.html_reading:
            self.errors.append(f"the HTML of {sorted(self.html_reading.values())} was still being read")

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
