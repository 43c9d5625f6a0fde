"""Read a receipt's text: a proposal of total, currency, purchase date, shop and ISBNs.

Pure functions over text lines, whatever produced them (a PDF's text layer, OCR). Nothing
here is a decision: the claim form shows what is found for the person to confirm.

The rules, each chosen to be wrong rarely rather than to answer always:

- **Total**: only an amount on a line with a total word ("Total", "Summe", "Gesamt",
  "Total TTC", "Amount due", "Jumlah", "合計", ...), or alone on the line after it. Lines of
  subtotals, tax, savings, cash given and change never count. Where several lines qualify,
  the largest amount wins (a total with tax is at least its parts). No total word: no
  amount, never the largest number on the receipt.
- **Amounts**: ``1.234,50``, ``1,234.50``, ``1 234,50``, ``1'234.50``, ``1234.5``, and
  whole amounts (``45.000`` is forty-five thousand: a separator before exactly three
  digits groups thousands).
- **Dates**: ISO (``2014-08-03``), ``07.04.2014`` (dots: always day first), ``03/08/2014``
  and ``03-08-2014`` (day first, unless the receipt's currency is the US dollar, then month
  first; a first number above 12 is always the day, a second above 12 always the day, and a
  reading in the future gives way to one in the past), names of months in English, German,
  French, Spanish, Italian, Dutch, Portuguese and Indonesian (``August 3, 2014``,
  ``3 Aug 2014``, ``3. März 2014``), and ``2014年8月3日``. A line naming a date is
  preferred; dates after ``today`` or before 2000 are ignored.
- **Currency**: a code (``EUR``, ``CHF``) or symbol (``€``, ``£``, ``Rp``, ``zł``) printed
  on the total line, else the one printed most often; ``$``, ``kr`` and ``¥`` name the home
  currency where it is one of theirs (a Canadian organisation's ``$`` is CAD), else USD, SEK
  and JPY. None printed: the home currency, with ``currency_printed`` false.
- **Shop**: the first line with a few letters that is not a date, an amount, a phone
  number or a word such as "Receipt" or "Rechnung".
- **ISBN**: 13 digits starting 978 or 979, or 10 with "ISBN" on the line, each with a valid
  check digit; returned as ISBN-13.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from reading.identifiers import IdentifierError, normalize_isbn


@dataclass(frozen=True)
class Proposal:
    """What a receipt seems to say. Every field may be missing."""

    amount: Decimal | None = None
    currency: str = ""
    currency_printed: bool = False
    purchase_date: dt.date | None = None
    shop: str = ""
    isbns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return self.amount is None and self.purchase_date is None and not self.shop and not self.isbns

    @property
    def summary(self) -> str:
        """What was found, as a person reads it: "24.99 EUR, 20 November 2026, Thalia"."""
        parts = [f"{self.amount} {self.currency}" if self.amount is not None else ""]
        parts.append(f"{self.purchase_date.day} {self.purchase_date:%B %Y}" if self.purchase_date else "")
        parts += [self.shop, f"ISBN {self.isbns[0]}" if self.isbns else ""]
        return ", ".join(part for part in parts if part)

    def as_json(self) -> dict:
        """A JSON-safe dict (amount and date as strings), as stored on a pending receipt."""
        return {
            "amount": str(self.amount) if self.amount is not None else None,
            "currency": self.currency,
            "currency_printed": self.currency_printed,
            "purchase_date": self.purchase_date.isoformat() if self.purchase_date else None,
            "shop": self.shop,
            "isbns": list(self.isbns),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Proposal | None:
        if not data:
            return None
        try:
            amount = Decimal(data["amount"]) if data.get("amount") else None
            day = dt.date.fromisoformat(data["purchase_date"]) if data.get("purchase_date") else None
        except (InvalidOperation, ValueError, TypeError):
            return None
        return cls(
            amount=amount,
            currency=str(data.get("currency") or ""),
            currency_printed=bool(data.get("currency_printed")),
            purchase_date=day,
            shop=str(data.get("shop") or ""),
            isbns=tuple(str(isbn) for isbn in data.get("isbns") or ()),
        )


# --- lines from positioned text boxes -----------------------------------------

Box = Sequence[Sequence[float]]  # four corner points, as OCR engines give them


def lines_from_boxes(items: Iterable[tuple[str, Box]]) -> list[str]:
    """Text boxes grouped into lines by their vertical centres, left to right.

    OCR finds "TOTAL" at the left and "39.90" at the right edge as two boxes; on one line
    they are one line here, joined by two spaces. A photo taken at a slant is first
    straightened by the boxes' own median slant, so the ends of a line stay together."""
    items = [(text, [(float(point[0]), float(point[1])) for point in points]) for text, points in items]
    slant = _median_slant([points for _text, points in items])
    cos, sin = math.cos(-slant), math.sin(-slant)
    boxes = []
    for text, points in items:
        turned = [(x * cos - y * sin, x * sin + y * cos) for x, y in points]
        xs, ys = [x for x, _y in turned], [y for _x, y in turned]
        boxes.append((text, min(xs), (min(ys) + max(ys)) / 2, max(ys) - min(ys)))
    if not boxes:
        return []
    heights = sorted(height for *_, height in boxes)
    tolerance = max(heights[len(heights) // 2] * 0.5, 1.0)
    lines: list[list[tuple[str, float, float, float]]] = []
    for box in sorted(boxes, key=lambda b: b[2]):
        if lines:
            line = lines[-1]
            centre = sum(b[2] for b in line) / len(line)
            if abs(box[2] - centre) <= tolerance:
                line.append(box)
                continue
        lines.append([box])
    return ["  ".join(b[0] for b in sorted(line, key=lambda b: b[1])) for line in lines]


def _median_slant(boxes: list[list[tuple[float, float]]]) -> float:
    """The median slant of the boxes' long edges (radians), from the boxes wider than tall.

    The long edge, not the first two corners: an engine's or a turn's order of corners varies."""
    angles = []
    for points in boxes:
        if len(points) < 3:
            continue
        edges = [(points[i], points[(i + 1) % len(points)]) for i in range(len(points))]
        lengths = [math.dist(a, b) for a, b in edges]
        (x0, y0), (x1, y1) = edges[lengths.index(max(lengths))]
        if x1 < x0:
            x0, y0, x1, y1 = x1, y1, x0, y0
        if x1 - x0 > 2 * min(lengths) and x1 - x0 > abs(y1 - y0):  # wide: its slant means something
            angles.append(math.atan2(y1 - y0, x1 - x0))
    angles.sort()
    return angles[len(angles) // 2] if angles else 0.0


# --- text helpers ----------------------------------------------------------------


def _plain(text: str) -> str:
    """Lower case without accents, compatibility forms folded (full-width digits, ligatures)."""
    text = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# --- dates -------------------------------------------------------------------------

_MONTHS = {
    1: "jan january januar janvier enero gennaio januari janeiro janv ene gen",
    2: "feb february februar fevrier fev febrero febbraio februari fevereiro fevr",
    3: "mar march marz maerz mars marzo maart marco mrt",
    4: "apr april avril abril aprile avr abr",
    5: "may mai mayo maggio mei maio mag",
    6: "jun june juni juin junio giugno junho giu",
    7: "jul july juli juillet julio luglio julho juil lug",
    8: "aug august aout agosto augustus agustus ago agu",
    9: "sep sept september septembre septiembre settembre setembro set",
    10: "oct october oktober octobre octubre ottobre outubro okt ott out",
    11: "nov november novembre noviembre novembro",
    12: "dec december dezember decembre diciembre dicembre desember dezembro dez dic des",
}
_MONTH = {name: number for number, names in _MONTHS.items() for name in names.split()}
_MONTH_NAMES = "|".join(sorted(_MONTH, key=len, reverse=True))

_ISO = re.compile(r"(?<!\d)(20\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_CJK = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_NUMERIC = re.compile(r"(?<![\d.,/-])(\d{1,2})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d])")
_DAY_NAME = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th|er)?\.?[\s-]*(?:de\s+)?({_MONTH_NAMES})(?![a-z])\.?[\s,-]*(?:de\s+)?(\d{{4}}|\d{{2}})(?![\d.,])"
)
_NAME_DAY = re.compile(
    rf"(?<![\w])({_MONTH_NAMES})(?![a-z])\.?[\s-]*(\d{{1,2}})(?:st|nd|rd|th)?,?[\s-]*(\d{{4}})(?!\d)"
)
_YEAR_THEN_TIME = re.compile(r"((?:19|20)\d{2})(\d{1,2}[:h]\d{2})")
_ZERO_FOR_O = re.compile(r"(?<![\w])0(?=[a-z]{3,})")
_TIME = re.compile(r"(?<!\d)\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?(?!\d)", re.IGNORECASE)
_DATE_WORDS = re.compile(r"\b(date|datum|fecha|data|tanggal|tgl|datë|päivämäärä|dato)\b|日付|日期", re.IGNORECASE)
_NOT_PURCHASE = re.compile(
    r"\b(valid|gultig|expir|exp|until|bis|return|retour|umtausch|due|faellig|fallig|best before|mhd)\b"
)


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_text(line: str) -> str:
    """The line as dates are looked for in it: OCR's slips undone where they are unambiguous."""
    plain = _plain(line)
    plain = _YEAR_THEN_TIME.sub(r"\1 \2", plain)  # "23/10/202413:06": two boxes read as one
    return _ZERO_FOR_O.sub("o", plain)  # "3. 0ktober 2025"


def _dates_in(line: str, *, month_first: bool, today: dt.date) -> list[dt.date]:
    plain = _date_text(line)
    found: list[dt.date] = []
    for match in _ISO.finditer(plain):
        found.append(_make(int(match[1]), int(match[2]), int(match[3])))
    for match in _CJK.finditer(plain):
        found.append(_make(int(match[1]), int(match[2]), int(match[3])))
    for match in _NUMERIC.finditer(plain):
        first, separator, second, year = int(match[1]), match[2], int(match[3]), _year(match[4])
        day_first = _make(year, second, first)
        month_first_date = _make(year, first, second)
        if separator == ".":
            found.append(day_first)  # 07.04.2014 is the 7th of April everywhere that writes dots
            continue
        options = [month_first_date, day_first] if month_first else [day_first, month_first_date]
        options = [option for option in options if option is not None]
        past = [option for option in options if option <= today]
        found.append((past or options or [None])[0])
    for match in _DAY_NAME.finditer(plain):
        found.append(_make(_year(match[3]), _MONTH[match[2]], int(match[1])))
    for match in _NAME_DAY.finditer(plain):
        found.append(_make(int(match[3]), _MONTH[match[1]], int(match[2])))
    return [day for day in found if day is not None and dt.date(2000, 1, 1) <= day <= today]


def _find_date(lines: Sequence[str], *, month_first: bool, today: dt.date) -> dt.date | None:
    labelled: list[dt.date] = []
    others: list[dt.date] = []
    for line in lines:
        if _NOT_PURCHASE.search(_plain(line)):
            continue
        dates = _dates_in(line, month_first=month_first, today=today)
        (labelled if _DATE_WORDS.search(line) else others).extend(dates)
    return (labelled or others or [None])[0]


def _without_dates(line: str) -> str:
    """The line with dates and times blanked, so that 07.04.2014 is not read as an amount."""
    plain = _YEAR_THEN_TIME.sub(r"\1 \2", unicodedata.normalize("NFKC", line))
    for pattern in (_ISO, _CJK, _NUMERIC, _TIME):
        plain = pattern.sub(" ", plain)
    return plain


# --- amounts -----------------------------------------------------------------------

_AMOUNT = re.compile(
    r"""
    (?<![\d.,'’])
    (?P<whole>\d{1,3}(?P<group>[ .,'’])\d{3}(?:(?P=group)\d{3})*|\d+)
    (?:(?P<point>[.,])(?P<cents>\d{1,2})(?!\d))?
    (?![\d])(?![.,]\d)(?!\s?%)
    """,
    re.VERBOSE,
)


def amounts_in(text: str) -> list[Decimal]:
    """The amounts written in a line, left to right (dates and times left out)."""
    text = _without_dates(text)
    text = re.sub(r"(\d)\s*([.,])\s+(\d{2})(?!\d)", r"\1\2\3", text)  # OCR's "39, 90"
    found = []
    for match in _AMOUNT.finditer(text):
        # A group separator that is also the point ("4.343.98") is OCR's dot for a decimal
        # comma: the digits after the last one are the cents.
        group = match["group"]
        whole = match["whole"].replace(group, "") if group else match["whole"]
        value = Decimal(f"{whole}.{match['cents']}" if match["cents"] else whole)
        if Decimal("0") < value < Decimal("100000000"):
            found.append(value)
    return found


_TOTAL_WORDS = [
    r"balance to pay",
    r"amount to pay",
    r"amount payable",
    r"total payable",
    r"zahlbetrag",
    r"endsumme",
    r"total belanja",
    r"grand total",
    r"total ttc",
    r"amount due",
    r"total due",
    r"balance due",
    r"total to pay",
    r"total amount",
    r"net a payer",
    r"a payer",
    r"zu zahlen",
    r"gesamtbetrag",
    r"endbetrag",
    r"rechnungsbetrag",
    r"gesamtsumme",
    r"te betalen",
    r"att betala",
    r"importe total",
    r"total a pagar",
    r"a pagar",
    r"valor total",
    r"totale complessivo",
    r"da pagare",
    r"jumlah bayar",
    r"total bayar",
    r"do zapłaty",
    r"k uhrade",
    r"fizetendo",
    r"yhteensa",
    r"toplam",
    r"итого",
    r"всего",
    r"συνολο",
    r"totaal",
    r"totale",
    r"total",
    r"totalt",
    r"summe",
    r"gesamt",
    r"jumlah",
    r"importe",
    r"importo",
    r"betrag",
    r"montant",
    r"summa",
    r"i alt",
    r"suma",
    r"razem",
    r"celkem",
    r"osszesen",
    r"bedrag",
    r"amount",
    r"sum",
    r"tong cong",
]
_CJK_TOTALS = "合計|合计|総計|总计|總計|お会計|实付|實付|应付|합계|총액"
_TOTAL = re.compile(
    r"(?<![\w])("
    + "|".join(_TOTAL_WORDS)
    + r")(?![\w])|合計|合计|総計|总计|總計|お会計|合計金額|实付|實付|应付|합계|총액"
)
_NOT_TOTAL = re.compile(
    r"sub\s?-?total|zwischensumme|zw\.?-?summe|sous[- ]?total|subtotale|subtotaal|小計|小计|"
    r"\b(savings?|saved|you save|ersparnis|gespart|discount|rabatt|remise|descuento|sconto|korting|"
    r"change|ruckgeld|wechselgeld|monnaie|rendu|cambio|vuelto|resto|kembali|kembalian|wisselgeld|"
    r"vaxel|troco|reszta|"
    r"cash|bar|gegeben|geg|tendered|given|received|tunai|efectivo|contanti|especes|contant|kontant|"
    r"entregado|dinheiro|gotowka|diskon|"
    r"netto|net amount|ht|hors|excl|exkl|ohne|before tax|points|punkte|tip|trinkgeld|"
    r"paid|bezahlt|paye)\b|お釣|釣銭|找零|ポイント|お預|預り|实收|實收"
)
_TAX = re.compile(r"\b(tax|vat|mwst|ust|tva|iva|btw|moms|mva|ppn|gst|hst|pst|dph|afa|kdv|ндс)\b|消費税|税")
_INCLUDED = re.compile(r"\b(incl|inkl|inc|including|included|inklusive|ttc|toutes taxes|compris|incluido|incluso)\b")
_COUNT = re.compile(r"\b(items?|artikel|qty|quantity|anzahl|stuck|pcs|articles?|positionen|menge|count)\b")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def _is_total_line(plain: str) -> bool:
    if not _TOTAL.search(plain) or _NOT_TOTAL.search(plain):
        return False
    return not (_TAX.search(plain) and not _INCLUDED.search(plain))


def _total_candidates(lines: Sequence[str]) -> list[tuple[Decimal, int]]:
    """(amount, line index) of each total line's amount."""
    found = []
    for index, line in enumerate(lines):
        plain = _plain(line)
        if not _is_total_line(plain):
            continue
        amounts = amounts_in(line)
        if amounts:
            amount = amounts[-1]  # the rightmost: "Total (3 items) 39.90"
            if _COUNT.search(plain) and amount == amount.to_integral_value() and not _has_decimals(line):
                continue  # "Total items: 3"
            found.append((amount, index))
            continue
        # The amount alone on the next line (a layout, or OCR splitting the line).
        if index + 1 < len(lines):
            following = lines[index + 1]
            rest = _LETTERS.findall(_CURRENCY_TOKENS.sub(" ", _without_dates(following)))
            amounts = amounts_in(following)
            if amounts and len(rest) <= 1:
                found.append((amounts[-1], index + 1))
    return found


def _has_decimals(line: str) -> bool:
    return any(match["cents"] for match in _AMOUNT.finditer(_without_dates(line)))


# --- currency ----------------------------------------------------------------------

_SYMBOLS = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "₺": "TRY",
    "₽": "RUB",
    "฿": "THB",
    "₱": "PHP",
    "₫": "VND",
    "₪": "ILS",
    "₴": "UAH",
    "円": "JPY",
    "元": "CNY",
    "￥": "JPY",
    "¥": "JPY",
    "$": "USD",
}
_WORDS = {
    "us$": "USD",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "nz$": "NZD",
    "s$": "SGD",
    "sg$": "SGD",
    "hk$": "HKD",
    "r$": "BRL",
    "mx$": "MXN",
    "rp": "IDR",
    "rm": "MYR",
    "zl": "PLN",
    "zł": "PLN",
    "kc": "CZK",
    "kč": "CZK",
    "ft": "HUF",
    "rs": "INR",
    "fr.": "CHF",
    "sfr": "CHF",
    "kr": "SEK",
    "kr.": "DKK",
    "lei": "RON",
    "руб": "RUB",
    "rmb": "CNY",
    "yen": "JPY",
    "euro": "EUR",
    "euros": "EUR",
}
_CODES = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "JPY",
        "CNY",
        "CAD",
        "AUD",
        "NZD",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "RON",
        "BGN",
        "TRY",
        "RUB",
        "UAH",
        "INR",
        "IDR",
        "MYR",
        "SGD",
        "HKD",
        "THB",
        "PHP",
        "VND",
        "KRW",
        "TWD",
        "BRL",
        "MXN",
        "ARS",
        "CLP",
        "COP",
        "PEN",
        "ZAR",
        "ILS",
        "AED",
        "SAR",
        "QAR",
        "KWD",
        "EGP",
        "MAD",
        "NGN",
        "KES",
        "ISK",
    ]
)
_CURRENCY_TOKENS = re.compile(
    r"(?<![A-Za-z])(?-i:(" + "|".join(sorted(_CODES, key=len, reverse=True)) + r"))(?![A-Za-z])"
    r"|(?<![A-Za-z])(us\$|au\$|ca\$|nz\$|sg\$|hk\$|mx\$|a\$|c\$|s\$|r\$)"
    r"|[€£₹₩₺₽฿₱₫₪₴円元￥¥$]"
    r"|(?<![A-Za-z])(rp|rm|zł|zl|kč|kc|ft|rs|sfr|fr\.|kr\.?|lei|руб|rmb|yen|euros?)(?![A-Za-z])",
    re.IGNORECASE,
)
_FAMILIES = {
    "USD": {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"},
    "SEK": {"SEK", "NOK", "DKK", "ISK"},
    "DKK": {"DKK", "NOK", "SEK"},
    "JPY": {"JPY", "CNY"},
}
_SHOP_HINTS = {  # words that only one country's receipts print
    "CAD": re.compile(r"\b(hst|gst/hst|qst|tps|tvq)\b"),
    "AUD": re.compile(r"\babn\b"),
    "NOK": re.compile(r"\b(mva|org\.? ?nr)\b"),
    "DKK": re.compile(r"\b(i alt|cvr)\b"),
    "CNY": re.compile(r"合计|总计|人民币|发票"),
}


def _currency_of(token: str, *, home: str, hints: set[str]) -> str:
    upper = token.upper()
    if upper in _CODES:
        return upper
    code = _WORDS.get(token.lower()) or _SYMBOLS.get(token, "")
    family = _FAMILIES.get(code)
    if family:
        if home in family:
            return home
        for hinted in hints:
            if hinted in family:
                return hinted
    return code


def _find_currency(lines: Sequence[str], total_index: int | None, *, home: str) -> tuple[str, bool]:
    joined = _plain("\n".join(lines))
    hints = {code for code, pattern in _SHOP_HINTS.items() if pattern.search(joined)}
    counts: dict[str, int] = {}
    for index, line in enumerate(lines):
        for match in _CURRENCY_TOKENS.finditer(unicodedata.normalize("NFC", line)):
            code = _currency_of(match[0], home=home, hints=hints)
            if not code:
                continue
            if index == total_index:
                return code, True
            counts[code] = counts.get(code, 0) + 1
    if counts:
        return max(counts, key=lambda code: (counts[code], code == home)), True
    return home, False


# --- shop and ISBN -----------------------------------------------------------------

_NOT_SHOP = re.compile(
    r"^(receipt|sales receipt|tax invoice|invoice|rechnung|quittung|kassenbon|beleg|bon|ticket|facture|"
    r"recu|factura|ricevuta|scontrino|kwitansi|struk|nota|bon fiscal|welcome|willkommen|bienvenue|"
    r"copy|kopie|duplicate|customer copy|tel|phone|fax|www|http)\b"
)
_ISBN_CANDIDATE = re.compile(r"(?<![\dX])(97[89](?:[- ]?\d){10}|\d(?:[- ]?\d){8}[- ]?[\dX])(?![\dX])", re.IGNORECASE)


def _find_shop(lines: Sequence[str]) -> str:
    for line in lines[:8]:
        text = " ".join(line.split()).strip(" *-=_#:|")
        plain = _plain(text)
        if len(_LETTERS.findall(text)) < 3 or _NOT_SHOP.match(plain) or _TOTAL.search(plain):
            continue
        if len(re.findall(r"\d", text)) > len(_LETTERS.findall(text)):
            continue  # a phone number, an address's postcode line, a date
        return text[:200]
    return ""


def _find_isbns(lines: Sequence[str]) -> tuple[str, ...]:
    found: list[str] = []
    for line in lines:
        labelled = "isbn" in line.lower()
        for match in _ISBN_CANDIDATE.finditer(line):
            digits = re.sub(r"[- ]", "", match[0])
            if len(digits) == 10 and not labelled:
                continue
            try:
                isbn = normalize_isbn(digits)
            except IdentifierError:
                continue
            if isbn not in found:
                found.append(isbn)
    return tuple(found)


# --- the whole receipt ---------------------------------------------------------------


def read_lines(lines: Sequence[str], *, home_currency: str, today: dt.date | None = None) -> Proposal:
    """The proposal for a receipt whose text is ``lines`` (top to bottom)."""
    lines = [line for line in (str(line).strip() for line in lines) if line]
    today = today or dt.date.today()
    candidates = _total_candidates(lines)
    amount, total_index = max(candidates, key=lambda c: c[0]) if candidates else (None, None)
    currency, printed = _find_currency(lines, total_index, home=home_currency)
    return Proposal(
        amount=amount,
        currency=currency,
        currency_printed=printed,
        purchase_date=_find_date(lines, month_first=currency == "USD", today=today),
        shop=_find_shop(lines),
        isbns=_find_isbns(lines),
    )


def read_text(text: str, *, home_currency: str, today: dt.date | None = None) -> Proposal:
    return read_lines(text.splitlines(), home_currency=home_currency, today=today)
