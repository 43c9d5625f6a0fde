"""Money: Decimal amounts in ISO 4217 currencies, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.core import Locale, get_global
from babel.numbers import NumberPattern, get_currency_name, get_currency_precision, get_territory_currencies


@cache
def currencies() -> frozenset[str]:
    """Currencies that are legal tender somewhere today (no gold, no Deutschmarks)."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, tender=True))
    return frozenset(codes)


@cache
def currency_choices() -> list[tuple[str, str]]:
    return sorted((code, f"{code} — {get_currency_name(code, locale='en')}") for code in currencies())


def minor_units(currency: str) -> int:
    """Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for KWD."""
    return get_currency_precision(currency)


def has_valid_precision(amount: Decimal, currency: str) -> bool:
    return amount == amount.quantize(Decimal(1).scaleb(-minor_units(currency)))


def quantize(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, currency: str, *, locale: str = "en_GB") -> str:
    """``babel.numbers.format_currency`` with the locale and its pattern looked up once, not per amount."""
    if amount is None:
        return ""
    pattern, parsed = _currency_pattern(locale)
    return pattern.apply(quantize(amount, currency), parsed, currency=currency)


@cache
def _currency_pattern(locale: str) -> tuple[NumberPattern, Locale]:
    parsed = Locale.parse(locale)
    return parsed.currency_formats["standard"], parsed
