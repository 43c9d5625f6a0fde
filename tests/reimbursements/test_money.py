"""Money formatting: the cached pattern writes exactly what Babel's format_currency writes."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from reimbursements.money import _fast_formatter, currencies, format_money, quantize


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        (Decimal("1234.5"), "EUR", "en_GB", "€1,234.50"),
        (Decimal("1234"), "JPY", "en_GB", "JP¥1,234"),
        (Decimal("1.2345"), "KWD", "de_DE", "1,235\xa0KWD"),
        (Decimal("-3.5"), "USD", "en_US", "-$3.50"),
        (Decimal("1000000"), "CHF", "de_CH", "CHF\xa01’000’000.00"),
    ],
)
def test_format_money_matches_babel(amount, currency, locale, shown):
    assert format_money(amount, currency, locale=locale) == shown
    assert shown == format_currency(quantize(amount, currency), currency, locale=locale)


def test_no_amount_shows_nothing():
    assert format_money(None, "EUR") == ""


LOCALES = ["en_GB", "en_US", "de_DE", "de_CH", "fr_FR", "es_ES", "hi_IN", "ja_JP", "ar_EG", "sv_SE"]


@settings(max_examples=400)
@given(
    amount=st.decimals(min_value=-(10**10), max_value=10**10, places=3, allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(sorted(currencies())),
    locale=st.sampled_from(LOCALES),
)
def test_format_money_writes_what_babel_writes_for_any_amount_currency_and_locale(amount, currency, locale):
    assert format_money(amount, currency, locale=locale) == format_currency(
        quantize(amount, currency), currency, locale=locale
    )


def test_a_locale_grouping_in_twos_is_written_by_babel():
    assert format_money(Decimal("1234567.891"), "INR", locale="hi_IN") == "₹12,34,567.89"


@pytest.mark.parametrize("currency", ["EUR", "GBP", "USD", "JPY", "KWD", "CHF"])
def test_the_home_locale_takes_the_fast_path(currency):
    assert _fast_formatter("en_GB", currency) is not None
