"""No input reaches a 500: every form and every list page's query parameters, fuzzed, as every role.

Nothing here lists the site's forms. The routes come from the URLconf; each is fetched as
each role (pages with parameters are reached through the links on the others); the
``<form>`` elements of every page answered with 200 are read with an HTML parser, and so
are the query parameters of every link. Each form is then posted, as the roles that were
shown it, with its own values (a valid submission where the page gives enough to make one)
in which Hypothesis replaces some fields with hostile text: other scripts' digits, NUL,
CR/LF, bidi marks, 10,000 characters, ``1e309``, ``NaN``, ``-0``, huge numbers. Every
route is also fetched with every query parameter seen anywhere on the site, fuzzed.

What must hold: no 5xx; a task queued by the request (the claim emails) does not fail;
and a refused form comes back filled in with what was sent (escaped) and a message.
Each example runs in a savepoint that is rolled back, so examples do not see each other.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, connection, transaction
from django.template.base import Template
from django.test import TestCase
from django.test.utils import _TestState
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import ResolverMatch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from learningday.middleware import fit_for_html
from logs.models import Away
from tests.factories import ClaimFactory, EntryFactory, ItemFactory, jpeg_bytes

pytestmark = pytest.mark.django_db

# A Thursday (a Learning Day), midday in Berlin, where the people live.
NOW = dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC)
ROLES = ("anonymous", "member", "manager", "finance", "staff")
FIXTURES = {"member": "member", "manager": "manager", "finance": "finance_user", "staff": "staff_user"}

# The Django admin guards itself and is Django's own; these post nowhere we could fuzz usefully.
SKIPPED_PREFIXES = ("/admin/",)
OUR_APPS = {"learningday", "logs", "reading", "reimbursements"}
# Routes that no page links to, and why that is right. Everything else must be reached.
UNLINKED = {
    "logs:unsubscribe": "reached from an email's signed link only",
    "logs:calendar_feed": "for calendar apps: the profile shows its address as text and a webcal:// link",
    "claims:receipt": "the first receipt; pages link to each receipt by its id (claims:receipt_file)",
    "claims:pending_reading": "asked by the claim form's script (data-reading-url) while a kept receipt is read",
}

EXAMPLES_PER_FORM = 6
EXAMPLES_PER_PAGE = 8  # a page's query parameters
EXAMPLES_PER_OTHER_PAGE = 2  # a page without query parameters of its own: the site's others, fuzzed

# Text that has broken parsers: each is also drawn on its own, more often than random text finds it.
HOSTILE = [
    "²",
    "፩",
    "፩፪፫፬፭፮፯፰፱፲",
    "፩" * 10,
    "٣",
    "١٢٣٤٥",
    "٩٧٨٠٠٠٠٠٠٠٠٠٢",
    "߁߂",
    "１２３",
    "²⁰²⁶",
    "\x00",
    "a\x00b",
    "\r\n",
    "Book\r\nBcc: someone@example.com",
    "line\nline",
    "\u202eevil\u202c",
    "\u200f\u200e\u2066x\u2069",
    "\ufeff1",
    "x" * 10_000,
    "9" * 10_000,
    "1e309",
    "-1e309",
    "1e-309",
    "NaN",
    "nan",
    "sNaN",
    "-0",
    "-0.0",
    "Infinity",
    "-Infinity",
    "inf",
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "9" * 400,
    "0",
    "-1",
    "0.5",
    "1_000",
    "0x10",
    " 1 ",
    "1,5",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "99999-01-01",
    "２０２６-１１-２６",
    "~~",
    "2026-11-26~x~1",
    "2026-11-26T00:00:00+00:00~2026-11-26T00:00:00~1",
    '"><script>alert(1)</script>',
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "https://example.com/\r\n",
    "https://例え.jp/パス",
    "10.1234/\x00",
    "arXiv:١٩٠٥.٠٥٣٩٣",
    "",
    " ",
]
OMIT = "<omit>"
# Each typed field gets each of these once, the rest of the form valid: what must never break, tried
# every time whatever Hypothesis draws (the 500s were each one field of an otherwise valid form).
# The NUL sits in a link so that a field that checks links does not refuse it for another reason.
CRITICAL = ["²", "፩" * 10, "Book\r\nBcc: someone@example.com", "https://example.com/a\x00b", "1e309", "x" * 10_000]
CRITICAL_NUMBERS = ["NaN", "-0", "Infinity", str(2**64)]
CRITICAL_QUERY = ["²", "፩" * 10, "a\x00b", "1e309", "NaN", str(2**64), "x" * 10_000]  # for query parameters
NOT_TYPED = {"select", "checkbox", "radio", "file", "password"}  # chosen, not typed; passwords are not shown
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
DIGITS = st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=16)
FUZZ = st.one_of(st.sampled_from(HOSTILE), TEXT, DIGITS, st.tuples(st.sampled_from(HOSTILE), TEXT).map("".join))

# Input types whose value a refused form must show again as it was sent.
SHOWN_AGAIN = {"text", "email", "url", "search", "tel", "number", "date", "textarea"}


# --- Reading pages ----------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input's type, or "textarea", "select"
    values: list[str] = field(default_factory=list)  # what the page fills in (checked, selected)
    options: list[str] = field(default_factory=list)  # the choices of a select, radio or checkbox
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def multiple(self) -> bool:
        return self.kind == "checkbox" or "multiple" in self.attrs


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def add(self, name: str, kind: str, attrs: dict[str, str], value: str | None, chosen: bool) -> None:
        known = self.fields.setdefault(name, Field(name, kind, attrs=attrs))
        if value is not None and kind in {"radio", "checkbox", "select"}:
            known.options.append(value)
        if value is not None and (chosen or kind not in {"radio", "checkbox", "select"}):
            known.values.append(value)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """The forms, links and messages of one HTML page."""

    def __init__(self, url: str, html: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.messages: list[str] = []  # the texts of error lists, alerts and the messages region
        self.errors = 0  # how many of them are error lists or alerts
        self._form: Form | None = None
        self._select: tuple[str, dict] | None = None
        self._text: tuple[str, list[str]] | None = None  # a textarea or option being read
        self._option: tuple[str | None, bool] = (None, False)  # the option being read: value, selected
        self._message_depth = 0
        self._depth = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        opens = tag not in VOID  # <input> and its kind have no end tag
        self._depth += opens
        classes = a.get("class", "").split()
        error = a.get("role") == "alert" or "errorlist" in classes
        if opens and self._message_depth == 0 and (error or "message" in classes):
            self._message_depth = self._depth
            self.messages.append("")
            self.errors += error
        if (tag == "a" and a.get("href")) or (tag == "img" and a.get("src")):
            self.links.append(urldefrag(urljoin(self.url, a.get("href") or a["src"])).url)
        elif tag == "form":
            self._form = Form(
                method=a.get("method", "get").lower(),
                action=urljoin(self.url, a.get("action") or self.url),
                multipart=a.get("enctype") == "multipart/form-data",
            )
            self.forms.append(self._form)
        elif self._form is None or ("name" not in a and tag != "option"):
            pass
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"submit", "image", "button", "reset"}:
                self._form.buttons.append((a["name"], a.get("value", "")))
            else:
                value = a.get("value", "on" if kind in {"checkbox", "radio"} else "")
                self._form.add(a["name"], kind, a, value, chosen="checked" in a)
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._text = (a["name"], [])
            self._form.add(a["name"], "textarea", a, None, chosen=False)
        elif tag == "select":
            self._select = (a["name"], a)
            self._form.add(a["name"], "select", a, None, chosen=False)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._text = ("<option>", [])

    def handle_endtag(self, tag):
        if self._message_depth and self._depth == self._message_depth:
            self._message_depth = 0
        self._depth -= 1
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._text and self._form is not None:
            name, parts = self._text
            text = "".join(parts)
            # HTML drops the one newline that follows <textarea> (and Django writes one there).
            self._form.fields[name].values.append(text.removeprefix("\n"))
            self._text = None
        elif tag == "option" and self._text and self._select is not None and self._form is not None:
            value, chosen = self._option
            name, attrs = self._select
            self._form.add(name, "select", attrs, "".join(self._text[1]) if value is None else value, chosen)
            self._text = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._text is not None:
            self._text[1].append(data)
        if self._message_depth:
            self.messages[-1] += data

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    @property
    def said_something(self) -> bool:
        return any(text.strip() for text in self.messages)


# --- The site ---------------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield "/" + prefix + str(pattern.pattern), name, pattern


def _site_routes() -> tuple[list[str], set[str]]:
    """The paths of the routes without parameters, and the names of all of our own apps' routes."""
    paths, ours = [], set()
    for path, name, pattern in _walk(get_resolver().url_patterns):
        if path.startswith(SKIPPED_PREFIXES):
            continue
        if not pattern.pattern.regex.groupindex and _resolve(path) is not None:
            paths.append(path)
        if getattr(pattern.callback, "__module__", "").split(".")[0] in OUR_APPS:
            ours.add(name)
    return paths, ours


def _resolve(path: str) -> ResolverMatch | None:
    try:
        return get_resolver().resolve(path)
    except Resolver404:
        return None


def _is_html(response) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


@dataclass
class Target:
    """A form (or a page's query parameters) and, per role that was shown it, where it goes."""

    key: tuple
    form: Form
    urls: dict[str, str] = field(default_factory=dict)  # role -> action


@dataclass
class Site:
    forms: dict[tuple, Target] = field(default_factory=dict)
    pages: dict[str, Target] = field(default_factory=dict)  # view name -> its query parameters
    param_samples: dict[str, set[str]] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)


def _crawl(client, sessions, *, per_source: int = 2, per_route: int = 8) -> Site:
    """Every route without parameters as every role, then what their pages link to.

    Of the links to one route, a couple from each page that shows them are followed (so a
    list of suggestions leads to a suggestion, not only the first page leads to curated items),
    and at most ``per_route`` in all.
    """
    site = Site()
    start, _ours = _site_routes()
    for role in ROLES:
        _as(client, sessions[role])
        queue, done, counts = [(path, "") for path in start], set(), {}
        while queue:
            url, source = queue.pop(0)
            parts = urlsplit(url)
            match = _resolve(parts.path)
            if match is None or parts.path.startswith(SKIPPED_PREFIXES) or url in done:
                continue
            site.reached.add(match.view_name)
            page = site.pages.setdefault(match.view_name, Target(match.view_name, Form("get", parts.path, False)))
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                page.form.add(name, "text", {}, value, chosen=True)
                site.param_samples.setdefault(name, set()).add(value)
            here, everywhere = (match.view_name, source), (match.view_name, "")
            if counts.get(here, 0) >= per_source or counts.get(everywhere, 0) >= per_route:
                continue
            done.add(url)
            counts[here] = counts.get(here, 0) + 1
            counts[everywhere] = counts.get(everywhere, 0) + 1
            response = client.get(url)
            assert response.status_code < 500, f"GET {url} as {role}: {response.status_code}"
            if response.status_code == 200:  # this role may use the page
                page.urls.setdefault(role, parts.path)
            if not _is_html(response):
                continue
            html = Page(url, response.content.decode())
            queue += [(link, url) for link in html.links if urlsplit(link).netloc in {"", "testserver"}]
            for form in html.forms:
                _register(site, role, form)
    return site


def _register(site: Site, role: str, form: Form) -> None:
    action = urlsplit(form.action)
    match = _resolve(action.path)
    if match is None or action.path.startswith(SKIPPED_PREFIXES):
        return
    site.reached.add(match.view_name)
    if form.method == "get":
        page = site.pages.setdefault(match.view_name, Target(match.view_name, Form("get", action.path, False)))
        page.urls.setdefault(role, action.path)
        for name, known in form.fields.items():
            page.form.fields.setdefault(name, known)
            site.param_samples.setdefault(name, set()).update(known.values + known.options)
        return
    key = (match.view_name, form.method, tuple(sorted(form.fields)), tuple(sorted(b[0] for b in form.buttons)))
    target = site.forms.setdefault(key, Target(key, form))
    target.urls.setdefault(role, form.action)


# --- Posting --------------------------------------------------------------------------------------


def _sign_in(client, people: dict) -> dict[str, str | None]:
    """One session per role, made once: each request then only picks its role's cookie."""
    sessions = {}
    for role, user in people.items():
        client.cookies.clear()
        if user is not None:
            client.force_login(user)
        sessions[role] = client.cookies[django_settings.SESSION_COOKIE_NAME].value if user else None
    return sessions


def _as(client, session: str | None) -> None:
    """Only this role's session cookie: nothing an earlier response set (a message, a logout) carries over."""
    client.cookies.clear()
    if session is not None:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = session


def _upload(known: Field) -> SimpleUploadedFile:
    """A small valid file of a type the input accepts: a JPEG for receipts, BibTeX text otherwise."""
    if "image/jpeg" in known.attrs.get("accept", ""):
        return SimpleUploadedFile("receipt.jpg", jpeg_bytes(), content_type="image/jpeg")
    text = "@book{turing1950, title={Computing Machinery and Intelligence}, author={Turing, Alan}, year={1950}}\n"
    return SimpleUploadedFile("list.bib", text.encode(), content_type="text/x-bibtex")


def _sample(known: Field, today: dt.date) -> str:
    """A valid value for a required field the page leaves empty."""
    kind = known.kind
    if kind == "date":
        return known.attrs.get("max") or today.isoformat()
    if kind == "number":
        low = Decimal(known.attrs.get("min") or "0")
        return str(low) if low > 0 else "1"
    return {
        "email": "someone@example.com",
        "url": "https://example.com/",
        "password": "a long and unlikely passphrase",
    }.get(kind, "Something worth learning")


def _baseline(form: Form, today: dt.date) -> dict[str, list[str] | str]:
    """What a person who changes nothing sends, with the required fields filled in."""
    data: dict = {}
    for name, known in form.fields.items():
        if known.kind == "file":
            continue
        values = [v for v in known.values if v != ""] if known.kind == "select" else list(known.values)
        if known.kind == "select" and not values and known.options and "multiple" not in known.attrs:
            required = "required" in known.attrs
            values = [next((o for o in known.options if o), "") if required else known.options[0]]
        if not values and known.kind in {"radio"} and known.options:
            values = [known.options[0]]
        if (not values or values == [""]) and "required" in known.attrs and known.kind not in {"checkbox", "radio"}:
            values = [_sample(known, today)]
        if known.kind in {"checkbox"} and not values:
            continue
        data[name] = values if known.multiple else (values[0] if values else "")
    return data


@st.composite
def _submission(draw, target: Target):
    """A role that was shown the form, and what it sends: a few fields omitted or fuzzed, the rest kept."""
    role = draw(st.sampled_from(sorted(target.urls)))
    fields = target.form.fields
    changes = {}
    # Sorted: a set's order changes with Python's string hashing, from one run to the next.
    for name in sorted(draw(st.sets(st.sampled_from(sorted(fields)), min_size=1, max_size=3))) if fields else ():
        known = fields[name]
        choices = [st.just(OMIT)] if known.kind == "file" else [FUZZ, st.just(OMIT)]
        if known.options:
            choices.append(st.sampled_from(known.options))
        changes[name] = draw(st.one_of(*choices))
    # A form with named buttons is always sent with one: pressing Enter uses the first.
    button = draw(st.sampled_from(target.form.buttons)) if target.form.buttons else None
    return role, changes, button


def _first_role(target: Target) -> str:
    """The most ordinary role that may use it: the critical values are tried as this one."""
    return next(role for role in ROLES if role in target.urls)


def _sweep(target: Target) -> list[tuple]:
    """One example per field and critical value: that field changed, everything else as the page gives it."""
    role = _first_role(target)
    button = target.form.buttons[0] if target.form.buttons else None
    examples = []
    for name, known in target.form.fields.items():
        if known.kind in NOT_TYPED or name == "csrfmiddlewaretoken":
            continue
        values = CRITICAL + (CRITICAL_NUMBERS if known.kind in {"number", "hidden", "date"} else [])
        examples += [(role, {name: value}, button) for value in values]
    return examples


def _payload(form: Form, changes: dict, button, today: dt.date) -> tuple[dict, dict]:
    """The data to post (a valid small file in each file input) and the fields that were fuzzed."""
    data = _baseline(form, today)
    data.update({name: _upload(known) for name, known in form.fields.items() if known.kind == "file"})
    fuzzed = {}
    for name, change in changes.items():
        if change == OMIT:
            data.pop(name, None)
        else:
            data[name] = [change] if form.fields[name].multiple else change
            fuzzed[name] = change
    if button is not None:
        data[button[0]] = button[1]
    return data, fuzzed


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:60] + f"… ({len(value)} characters)")


def _check_refused_form(target: Target, response, fuzzed: dict, url: str, counts: dict) -> list[str]:
    """A form that comes back (a 400, or a page showing errors) holds what was sent (each character
    HTML forbids as U+FFFD, as a browser reads it) and says what is wrong."""
    if not _is_html(response) and response.status_code != 400:
        return []
    body = response.content.decode()
    page = Page(url, body)
    problems = [f"{_shown(v)} is in the page unescaped" for v in fuzzed.values() if "<script" in v and v in body]
    if response.status_code != 400 and not page.errors:
        return problems
    counts["refused and checked"] += 1
    if not page.said_something:
        problems.append("the refused form has no message saying what is wrong")
    same = [f for f in page.forms if urlsplit(f.action).path == urlsplit(url).path and f.method == "post"]
    for name, value in fuzzed.items():
        known = target.form.fields[name]
        if known.kind not in SHOWN_AGAIN:
            continue
        shown = [f.fields[name].values for f in same if name in f.fields]
        if not shown:
            problems.append(f"{name} is not in the form shown again")
        elif not any(values == [fit_for_html(value)] for values in shown):
            problems.append(f"{name} came back as {_shown(shown[0][0] if shown[0] else '')}, not {_shown(value)}")
    return problems


# --- The test -------------------------------------------------------------------------------------


@pytest.fixture
def world(request, settings, unused_tcp_port):
    """People in every role and some of everything, all made on a fixed Thursday."""
    closed = f"http://127.0.0.1:{unused_tcp_port}"  # metadata lookups fail at once, never leave the machine
    settings.ARXIV_API_URL, settings.CROSSREF_API_URL, settings.OPENLIBRARY_API_URL = closed, closed, closed
    from learningday.celery import app

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = True  # a task that fails fails the request that queued it
    # The bulk an hour earlier, so that the lists show the few things that have forms of their own first.
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False) as traveller:
        people = {role: request.getfixturevalue(name) for role, name in FIXTURES.items()}
        people["anonymous"] = None
        member, manager, team = people["member"], people["manager"], request.getfixturevalue("team")
        today = NOW.date()
        # More than a page of everything, so that the pages link to their other pages.
        for days in range(1, 23):
            EntryFactory(author=manager, day=today - dt.timedelta(days=days))
        for _ in range(26):
            ItemFactory(team=team)
        for number in range(26):
            ClaimFactory(
                claimant=member,
                state="submitted",
                description=f"Submitted {number}",
                submitted_at=NOW - dt.timedelta(days=1),
                with_receipt=number == 0,
            )
            ClaimFactory(
                claimant=member,
                state="approved",
                description=f"Approved {number}",
                submitted_at=NOW - dt.timedelta(days=3),
                decided_at=NOW - dt.timedelta(days=2),
                decided_by=manager,
                approved_amount=Decimal("30.00"),
            )
        traveller.move_to(NOW)
        EntryFactory(author=member, day=today - dt.timedelta(days=7))
        ItemFactory(team=team, status="suggested", suggested_by=member, title="My own suggestion")
        ItemFactory(team=None, title="For everyone")
        ClaimFactory(claimant=member, description="A draft", with_receipt=True)
        Away.objects.create(user=member, start=today + dt.timedelta(days=7), end=today + dt.timedelta(days=8))
        yield people, today
    app.conf.task_eager_propagates = propagates


# A NUL character, raw or as JSON writes it (an unescaped backslash, then u0000).
_NUL = re.compile(r"\x00|(?<!\\)(?:\\\\)*\\u0000")


def _refuse_nul_like_postgresql(execute, sql, params, many, context):
    """PostgreSQL refuses NUL in text and JSON; SQLite stores it. Refuse it everywhere, so that a NUL
    that reaches the database fails this test on SQLite too (as a 500, which is what it is there)."""
    rows = params if many and isinstance(params, list | tuple) else [params]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(value, str) and _NUL.search(value) for value in values):
            raise DataError(f"NUL in a parameter of: {sql[:200]}")
    return execute(sql, params, many, context)


def _request(client, method: str, url: str, data: dict):
    """One request in a savepoint that is rolled back; tasks queued on commit run (and may fail) inside."""
    with transaction.atomic(), connection.execute_wrapper(_refuse_nul_like_postgresql):
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = client.get(url, data) if method == "get" else client.post(url, data)
        finally:
            transaction.set_rollback(True)
    return response


def _post(client, sessions, today, target: Target, submission: tuple, counts: dict) -> None:
    role, changes, button = submission
    counts["form examples"] += 1
    _as(client, sessions[role])
    url = target.urls[role]
    data, fuzzed = _payload(target.form, changes, button, today)
    shown = ", ".join(f"{k}={_shown(v) if v != OMIT else '(left out)'}" for k, v in changes.items())
    shown += f" (button {button[0]})" if button else ""
    try:
        response = _request(client, "post", url, data)
    except Exception as error:
        raise AssertionError(f"POST {url} as {role} with {shown}: a task it queued failed: {error!r}") from error
    assert response.status_code < 500, f"POST {url} as {role} with {shown} answered {response.status_code}"
    problems = _check_refused_form(target, response, fuzzed, url, counts)
    assert not problems, f"POST {url} as {role} with {shown}: {'; '.join(problems)}"


def _get(client, sessions, target: Target, query: tuple, counts: dict) -> None:
    role, data = query
    counts["page examples"] += 1
    _as(client, sessions[role])
    url = target.urls[role]
    response = _request(client, "get", url, data)
    shown = ", ".join(f"{k}={_shown(v)}" for k, v in data.items())
    assert response.status_code < 500, f"GET {url} as {role} with {shown} answered {response.status_code}"


def _page_sweep(target: Target) -> list[tuple]:
    role = _first_role(target)
    return [(role, {name: value}) for name in target.form.fields for value in CRITICAL_QUERY]


@st.composite
def _query(draw, target: Target, samples: dict[str, list[str]]):
    """A role that may see the page, and a few of the site's query parameters, fuzzed or as links send them."""
    role = draw(st.sampled_from(sorted(target.urls)))
    names = sorted(draw(st.sets(st.sampled_from(sorted(samples)), min_size=1, max_size=4)))
    return role, {name: draw(st.one_of(FUZZ, st.sampled_from(samples[name]))) for name in names}


def _checker(check, *args, counts: dict):
    """``check`` with everything but the example given: what Hypothesis calls."""

    def one(example):
        check(*args, example, counts)

    return one


def _each(check, examples: list[tuple]) -> list[str]:
    """Every failure among the examples, not only the first."""
    failures = []
    for one in examples:
        try:
            check(one)
        except AssertionError as error:
            failures.append(str(error))
    return failures


def _explore(check, strategy, max_examples: int) -> list[str]:
    """Hypothesis's own examples; its first failure, if any."""
    run = settings(max_examples=max_examples, phases=[Phase.generate], suppress_health_check=list(HealthCheck))(
        given(strategy)(check)
    )
    try:
        run()
    except AssertionError as error:
        return [str(error)]
    return []


# In parts, so that a parallel run (pytest-xdist) can give each to its own worker; each crawls the site.
# The forms are most of the time: every other one in each half.
PARTS = {"forms-1": ("forms", 0), "forms-2": ("forms", 1), "pages": ("pages", 0)}


@pytest.mark.parametrize("part", PARTS)
def test_no_input_reaches_a_server_error(client, world, monkeypatch, part):
    people, today = world
    # The test client copies every template's context for response.context, which this test never
    # reads: a quarter of its time. Render as the site does.
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
    client.raise_request_exception = False  # a 500 is what we look for, not an exception
    started = time.monotonic()
    sessions = _sign_in(client, people)
    site = _crawl(client, sessions)
    crawled = time.monotonic()
    _start, ours = _site_routes()
    unreached = ours - site.reached - set(UNLINKED)
    assert not unreached, f"no page leads to these routes: add data that does, or list them in UNLINKED: {unreached}"
    assert set(UNLINKED) <= ours, "UNLINKED names a route that is gone"

    failures: list[str] = []
    pages = [target for target in site.pages.values() if target.urls]  # those some role may see
    counts = {"forms": len(site.forms), "form examples": 0, "refused and checked": 0}
    counts |= {"pages": len(pages), "page examples": 0, "query parameters": len(site.param_samples)}
    kind, half = PARTS[part]
    for target in list(site.forms.values())[half::2] if kind == "forms" else ():
        post = _checker(_post, client, sessions, today, target, counts=counts)
        failures += _each(post, _sweep(target))
        failures += _explore(post, _submission(target), EXAMPLES_PER_FORM)
    posted = time.monotonic()
    # Every page gets the query parameters seen anywhere on the site: a view may read one no link sends it.
    samples = {name: sorted(values)[:20] or [""] for name, values in site.param_samples.items()}
    for target in pages if kind == "pages" else ():
        get = _checker(_get, client, sessions, target, counts=counts)
        failures += _each(get, _page_sweep(target))
        examples = EXAMPLES_PER_PAGE if target.form.fields else EXAMPLES_PER_OTHER_PAGE
        failures += _explore(get, _query(target, samples), examples)

    done = time.monotonic()
    timing = f"crawl {crawled - started:.1f} s, forms {posted - crawled:.1f} s, pages {done - posted:.1f} s"
    print(f"\nno-server-errors: {counts}; {timing}")
    assert not failures, "\n\n".join(failures)
