"""The HTML check on every page the tests render (tests/html_check.py) finds what it must.

It is a parser (html5lib, the WHATWG algorithm) plus a few content-model rules, not the Nu
validator: a <div> inside a <span>, for one, parses without an error and is not reported.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from tests.html_check import html_errors

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>A page</title></head>
<body>
{}
</body>
</html>
"""


def test_a_valid_page_has_no_errors():
    assert html_errors(PAGE.format('<main id="main"><ul><li>One</li></ul><p>Two</p></main>')) == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("<div>A stray end tag</div></div>", "end-tag-too-early"),
        ('<p class="a" class="b">Twice</p>', "duplicate-attribute"),
        ("<main><div>Never closed</main>", "end-tag-too-early"),
        ("<ul><li>One</li><p>Not an item</p></ul>", "<p> inside <ul>"),
        ("<p>A list in a paragraph: <ul><li>One</li></ul></p>", "unexpected-end-tag"),
        ('<label for="a">A</label><input id="a"><input id="a">', 'id="a" is used 2 times'),
        ("<table><tr><td>One</td></tr><div>Outside a cell</div></table>", "table"),
        ('<a href="?a=1&copy=2">An entity in a URL</a>', "named-entity-without-semicolon"),
    ],
)
def test_a_broken_page_is_reported(body, error):
    errors = html_errors(PAGE.format(body))
    assert any(error in found for found in errors), errors


def test_a_page_without_a_doctype_is_reported():
    assert any("expected-doctype" in e for e in html_errors("<html><body><p>x</p></body></html>"))


@login_not_required
def broken(request):
    return HttpResponse(PAGE.format("<div>A stray end tag</div></div>"))


@login_not_required
def broken_but_plain_text(request):
    return HttpResponse("</div>", content_type="text/plain")


urlpatterns = [path("broken/", broken), path("broken.txt", broken_but_plain_text)]


@pytest.mark.urls(__name__)
def test_the_test_client_fails_on_an_invalid_page(client):
    with pytest.raises(AssertionError, match=r"(?s)GET /broken/ \(200\) is not valid HTML5.*end-tag-too-early"):
        client.get("/broken/")


@pytest.mark.urls(__name__)
def test_the_test_client_checks_html_only(client):
    assert client.get("/broken.txt").status_code == 200
