"""Money formatting: the cached pattern writes exactly what Babel's format_currency writes."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency

from reimbursements.money import format_money, quantize


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
