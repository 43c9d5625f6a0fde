"""The shared layout as the server renders it: the phone's Menu button, dark mode, tables
that fold into labelled cards, and list filters folded into a disclosure that counts them.

How they look and behave in a browser is in tests/e2e/test_layout.py.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from django.conf import settings
from django.template.loader import render_to_string

from tests.factories import ClaimFactory, EntryFactory

CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def parse(response):
    return html5lib.parse(response.content.decode(), namespaceHTMLElements=False)


def words(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


# --- The header -------------------------------------------------------------------------------


def test_the_menu_button_controls_both_navigations_and_starts_hidden_for_javascript_to_show(client, member):
    client.force_login(member)
    tree = parse(client.get("/"))
    button = tree.find(".//button[@class='menu-button']")
    assert button is not None
    assert button.get("type") == "button"
    assert button.get("aria-expanded") == "false"
    assert "hidden" in button.attrib  # without JavaScript no button that does nothing
    menu = tree.find(f".//*[@id='{button.get('aria-controls')}']")
    assert [nav.get("aria-label") for nav in menu.iter("nav")] == ["Main", "Account"]
    assert any(s.get("src", "").endswith("/js/menu.js") for s in tree.iter("script"))


def test_the_menu_button_carries_the_count_of_what_waits(client, member, manager):
    for n in range(2):
        ClaimFactory(claimant=member, state="submitted", description=f"Book {n}")
    client.force_login(manager)
    button = parse(client.get("/")).find(".//button[@class='menu-button']")
    assert words(button) == "Menu2, 2 waiting"  # the pill (hidden from screen readers) and its words


def test_no_count_on_the_menu_when_nothing_waits(client, member):
    client.force_login(member)
    button = parse(client.get("/")).find(".//button[@class='menu-button']")
    assert words(button) == "Menu"


@pytest.mark.django_db
def test_a_signed_out_page_has_no_menu_and_follows_the_system_colour_scheme(client):
    tree = parse(client.get("/accounts/login/"))
    assert tree.find(".//button[@class='menu-button']") is None
    assert tree.find(".//meta[@name='color-scheme']").get("content") == "light dark"


def test_the_server_error_page_follows_the_system_colour_scheme_too():
    page = render_to_string("500.html")
    assert '<meta name="color-scheme" content="light dark">' in page


# --- Dark mode --------------------------------------------------------------------------------


def test_every_colour_in_the_stylesheet_comes_from_the_custom_properties():
    """Colours are defined once for light and once for dark, at :root; rules only use them."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    roots = re.findall(r":root\s*\{[^}]*\}", css)
    assert len(roots) == 2, "a light and a dark :root"
    assert "@media (prefers-color-scheme: dark)" in css
    light, dark = (set(re.findall(r"(--[\w-]+):", root)) for root in roots)
    assert {p for p in light if p not in ("--radius", "--space")} <= dark, "a colour without its dark value"
    rules = css
    for root in roots:
        rules = rules.replace(root, "")
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b", rules) == []
    assert re.findall(r"(?<![\w-])(?:white|black)(?![\w-])", rules) == []


# --- Tables as cards --------------------------------------------------------------------------


def cells_by_label(tree) -> list[dict[str, str]]:
    rows = []
    for table in tree.iter("table"):
        assert "stack" in table.get("class", "").split()
        for row in table.find("tbody").iter("tr"):
            rows.append({td.get("data-label", ""): words(td) for td in row.iter("td")})
    return rows


def test_my_claims_label_every_cell_for_the_phones_cards(client, member):
    ClaimFactory(claimant=member, state="submitted", description="Deep Learning", amount=Decimal("41.17"))
    client.force_login(member)
    [row] = cells_by_label(parse(client.get("/claims/")))
    assert row["Claim"] == "Deep Learning (book)"
    assert row["Amount"] == "€41.17"
    assert row["State"] == "Submitted"
    assert set(row) == {"Claim", "Bought", "Amount", "State"}


def test_the_finance_list_labels_every_cell_and_the_box_to_tick(client, member, finance_user):
    ClaimFactory(claimant=member, state="approved", approved_amount=Decimal("30.00"), description="Tutor")
    client.force_login(finance_user)
    tree = parse(client.get("/claims/finance/"))
    [row] = cells_by_label(tree)
    assert row["Claim"] == "Tutor"
    assert row["Approved"] == "€30.00"
    assert row["State"].endswith("Approved")
    box = tree.find(".//td[@data-label='Pay']/input")
    assert box.get("type") == "checkbox"


# --- Filters ----------------------------------------------------------------------------------


def filter_box(response):
    tree = parse(response)
    [box] = [d for d in tree.iter("details") if "filter-box" in d.get("class", "")]
    return box


@pytest.mark.parametrize(
    ("query", "summary"),
    [
        ("", "Filter"),
        ("?q=", "Filter"),
        ("?q=attention", "Filter (1 active)"),
        ("?q=attention&category=reading_papers", "Filter (2 active)"),
    ],
)
def test_the_feeds_filters_fold_into_a_disclosure_that_counts_those_in_use(client, member, query, summary):
    client.force_login(member)
    box = filter_box(client.get(f"/logs/{query}"))
    assert words(box.find("summary")) == summary
    assert "open" not in box.attrib  # closed on a phone; filters.js opens it on a wide screen
    assert box.find(".//button[@type='submit']") is not None


def test_a_filter_with_an_error_opens_the_disclosure(client, member):
    client.force_login(member)
    box = filter_box(client.get("/logs/?day_from=2026-02-01&day_to=2026-01-01"))
    assert "open" in box.attrib


def test_the_reading_lists_default_order_is_not_counted_as_a_filter(client, member):
    client.force_login(member)
    assert words(filter_box(client.get("/reading/?sort=position")).find("summary")) == "Filter"
    assert words(filter_box(client.get("/reading/?sort=newest&kind=book")).find("summary")) == "Filter (2 active)"


def test_the_finance_period_is_a_disclosure_with_its_own_button(client, finance_user):
    client.force_login(finance_user)
    box = filter_box(client.get("/claims/finance/?state=approved"))
    assert words(box.find("summary")) == "Filter (1 active)"
    assert words(box.find(".//button[@type='submit']")) == "Show"


@pytest.mark.frozen(dt.datetime(2026, 11, 19, 12, tzinfo=dt.UTC))
def test_the_participation_grid_labels_each_day_and_total_for_the_phones_cards(client, manager, member, frozen):
    EntryFactory(author=member, day=dt.date(2026, 11, 19))
    client.force_login(manager)
    tree = parse(client.get("/logs/participation/"))
    table = tree.find(".//table")
    assert "stack" in table.get("class").split()
    days = [words(th) for th in table.find("thead").iter("th")][1:-3]
    assert days[-1] == "19 Nov"
    for row in [*table.find("tbody").iter("tr"), *table.find("tfoot").iter("tr")]:
        labels = [td.get("data-label") for td in row.iter("td")]
        assert labels == [*days, "Rate", "Crowded", "Other days"]
    member_row = next(r for r in table.find("tbody").iter("tr") if "Tom Member" in words(r))
    assert words(member_row.find(".//td[@data-label='19 Nov']")) == "posted"
