"""The European Central Bank's reference rates: what a foreign purchase is worth at home.

The ``currencyconverter`` package ships the ECB's whole history (from 1999, some forty
currencies). The ECB publishes a rate on its working days only; a purchase on a weekend or
holiday is converted at the last rate published before it, as the ECB's own tables are read.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from currency_converter import RateNotFoundError
from django.conf import settings

from reimbursements import money

log = logging.getLogger(__name__)

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


def rates_file() -> Path:
    """Where ``rates_refresh`` keeps a fresher copy of the ECB's history."""
    return Path(settings.VAR_DIR) / "ecb-rates" / "eurofxref-hist.zip"


def version() -> float | None:
    """The fetched copy's modification time, or None to use the package's own: part of the
    key of every kept piece that shows a reference amount."""
    try:
        return rates_file().stat().st_mtime
    except OSError:
        return None


@lru_cache(maxsize=1)
def _converter_of(version: float | None):
    from currency_converter import CurrencyConverter  # parses the history: only when first needed

    kwargs = {"fallback_on_missing_rate": False, "fallback_on_wrong_date": False, "decimal": True}
    return CurrencyConverter(str(rates_file()), **kwargs) if version is not None else CurrencyConverter(**kwargs)


def _converter():
    # Keyed by the file's version: a refresh is seen by every process on its next use.
    return _converter_of(version())


MAX_RATES_BYTES = 20 * 1024 * 1024


def rates_refresh(*, url: str, timeout: float = 30) -> bool:
    """Fetch the ECB's history from ``url`` and use it from now on, if it parses; returns
    whether it did. A failed or broken download leaves the rates in use as they are."""
    import requests
    from currency_converter import CurrencyConverter

    try:
        with requests.get(url, timeout=timeout, stream=True) as response:
            response.raise_for_status()
            data = response.raw.read(MAX_RATES_BYTES + 1, decode_content=True)
    except (requests.RequestException, OSError) as error:
        log.warning("exchange rates not fetched from %s: %s", url, error)
        return False
    if len(data) > MAX_RATES_BYTES:
        log.warning("exchange rates at %s are larger than %s bytes", url, MAX_RATES_BYTES)
        return False
    target = rates_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".zip", delete=False) as handle:
        handle.write(data)
    try:
        CurrencyConverter(handle.name)  # it parses, and has rates
    except Exception as error:  # a zip or CSV error of any kind: not the ECB's history
        Path(handle.name).unlink(missing_ok=True)
        log.warning("exchange rates from %s are not the ECB's history: %s", url, error)
        return False
    os.replace(handle.name, target)  # readers see the old file or the new one, never half of one
    return True


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
