"""Reading a receipt's text: the total next to a total word, dates, currency, shop, ISBN."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reimbursements.receipt_reading import Proposal, amounts_in, lines_from_boxes, read_text

TODAY = dt.date(2026, 11, 24)


def read(text: str, home: str = "EUR"):
    return read_text(text, home_currency=home, today=TODAY)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1'234.50", "1234.50"),
        ("39,90", "39.90"),
        ("39.9", "39.9"),
        ("45.000", "45000"),
        ("1,280", "1280"),
        ("12", "12"),
        ("1.234.567,89", "1234567.89"),
        ("4.343.98", "4343.98"),  # OCR's dot for the decimal comma
        ("4,343,98", "4343.98"),
    ],
)
def test_amounts_with_every_separator(written, value):
    assert amounts_in(f"Total {written}") == [Decimal(value)]


def test_dates_times_and_percentages_are_not_amounts():
    assert amounts_in("07.04.2014 12:31  MwSt 19%") == []


@pytest.mark.parametrize(
    ("line", "amount"),
    [
        ("TOTAL  39.90", "39.90"),
        ("Summe EUR 12,50", "12.50"),
        ("Gesamt 1.234,50 €", "1234.50"),
        ("Total TTC : 45,00 €", "45.00"),
        ("Amount due $ 120.00", "120.00"),
        ("Jumlah Rp 45.000", "45000"),
        ("Totale complessivo 23,40", "23.40"),
        ("Totaal € 18,95", "18.95"),
        ("Importe total 30,00", "30.00"),
        ("合計 ¥1,280", "1280"),
        ("Total (3 items) 39.90", "39.90"),
        ("Summe inkl. MwSt 12,50", "12.50"),
        ("Do zapłaty 59,99 zł", "59.99"),
        ("BALANCE TO PAY £12.99", "12.99"),
        ("Zahlbetrag 12,50", "12.50"),
    ],
)
def test_the_total_next_to_a_total_word_in_many_languages(line, amount):
    assert read(f"Shop\nBook  10.00\n{line}").amount == Decimal(amount)


@pytest.mark.parametrize(
    "line",
    [
        "Subtotal 35.00",
        "Zwischensumme 35,00",
        "Sous-total 35,00",
        "Total savings 5.00",
        "Total tax 2.80",
        "MwSt-Betrag 1,90",
        "Total HT 30,00",
        "Total items 3",
        "Cash 50.00",
        "Change 10.10",
        "Totaal wisselgeld 5,00",
        "Kontant totalt 200,00",
        "お預り合計 ¥2,000",
    ],
)
def test_lines_that_are_not_the_total_are_ignored(line):
    assert read(f"Shop\n{line}").amount is None


def test_without_a_total_word_no_amount_is_guessed():
    assert read("Bookshop\nDeep Learning 39.90\nAnother book 12.00").amount is None


def test_two_totals_the_one_next_to_the_total_word_not_the_cash_given():
    text = "Buchhandlung Müller\nSubtotal 35.00\nTax 2.80\nTOTAL 37.80\nCASH 50.00\nCHANGE 12.20"
    assert read(text, "USD").amount == Decimal("37.80")


def test_german_till_with_cash_given_and_change():
    text = "Thalia\nSUMME EUR 24,99\nGeg. BAR EUR 50,00\nRückgeld EUR 25,01"
    proposal = read(text)
    assert proposal.amount == Decimal("24.99")
    assert proposal.currency == "EUR"


def test_the_amount_on_the_line_after_the_total_word():
    assert read("Shop\nTOTAL\n€ 19,90\nVisa").amount == Decimal("19.90")


@pytest.mark.parametrize(
    ("text", "home", "day"),
    [
        ("Datum 07.04.2014", "EUR", dt.date(2014, 4, 7)),
        ("07.04.14 12:31", "EUR", dt.date(2014, 4, 7)),
        ("2014-08-03", "EUR", dt.date(2014, 8, 3)),
        ("August 3, 2014", "EUR", dt.date(2014, 8, 3)),
        ("3 Aug 2014", "EUR", dt.date(2014, 8, 3)),
        ("3. März 2014", "EUR", dt.date(2014, 3, 3)),
        ("3 de agosto de 2014", "EUR", dt.date(2014, 8, 3)),
        ("2014年8月3日", "JPY", dt.date(2014, 8, 3)),
        # OCR's slips: a date and its time read as one box, a zero for an O
        ("23/10/202413:06", "EUR", dt.date(2024, 10, 23)),
        ("June 29, 202514:21", "EUR", dt.date(2025, 6, 29)),
        ("3. 0ktober 2025", "EUR", dt.date(2025, 10, 3)),
        # day first unless the currency is the US dollar
        ("03/08/2014", "EUR", dt.date(2014, 8, 3)),
        ("03/08/2014", "USD", dt.date(2014, 3, 8)),
        ("Total $5.00 03/08/2014", "EUR", dt.date(2014, 3, 8)),
        # a number above 12 decides
        ("08/23/2014", "EUR", dt.date(2014, 8, 23)),
        ("23/08/2014", "USD", dt.date(2014, 8, 23)),
        # a reading in the future gives way to one in the past
        ("11/12/2026", "EUR", dt.date(2026, 11, 12)),
    ],
)
def test_dates_in_the_common_formats(text, home, day):
    assert read(f"Shop\n{text}", home).purchase_date == day


def test_a_labelled_date_wins_and_expiry_dates_are_ignored():
    text = "Shop\nGültig bis 31.12.2026\nVisa exp 12/25\nRechnungsdatum: 02.11.2026\n01.11.2026"
    assert read(text).purchase_date == dt.date(2026, 11, 2)


def test_a_date_in_the_future_is_not_proposed():
    assert read("Shop\n01.01.2027").purchase_date is None


@pytest.mark.parametrize(
    ("text", "home", "currency"),
    [
        ("Total 12,50 €", "USD", "EUR"),
        ("Total £12.50", "EUR", "GBP"),
        ("Total CHF 12.50", "EUR", "CHF"),
        ("Total $12.50", "EUR", "USD"),
        ("Total $12.50", "CAD", "CAD"),
        ("Total 12.50 $\nHST 1.50", "EUR", "CAD"),
        ("合計 ¥1,280", "EUR", "JPY"),
        ("Totalt 129,00 kr", "EUR", "SEK"),
        ("Totalt 129,00 kr", "NOK", "NOK"),
        ("Jumlah Rp 45.000", "EUR", "IDR"),
        ("Total 12.50", "GBP", "GBP"),
    ],
)
def test_currency_from_symbols_and_codes_else_the_home_currency(text, home, currency):
    assert read(f"Shop\n{text}", home).currency == currency


def test_a_currency_printed_on_the_total_line_beats_others():
    text = "Shop\nPrices in USD for reference\nTotal EUR 10.00"
    proposal = read(text)
    assert (proposal.currency, proposal.currency_printed) == ("EUR", True)


def test_no_currency_printed_is_the_home_currency_and_says_so():
    assert read("Shop\nTotal 10.00", "GBP").currency_printed is False


def test_the_shop_is_the_first_plausible_line():
    text = "*** RECEIPT ***\n+49 30 1234567\nBuchhandlung Walther König\nBurgstraße 27\nTotal 10,00"
    assert read(text).shop == "Buchhandlung Walther König"


def test_isbns_with_a_valid_check_digit_as_isbn13():
    text = "Shop\n978-0-262-03561-3 Deep Learning\nISBN 0-262-03561-8\n9780262035614\nISBN 0262035619\n0301234567"
    # the second is the first's ISBN-10; 9780262035614 has a wrong check digit; a
    # 10-digit number without "ISBN" on its line may be a phone number
    assert read(text).isbns == ("9780262035613",)


def test_an_empty_receipt_proposes_nothing():
    proposal = read("")
    assert proposal.is_empty
    assert proposal == Proposal(currency="EUR")


def test_the_proposal_survives_json():
    proposal = read("Thalia\n03.11.2026\nISBN 978-0-262-03561-3\nSumme 24,99 €")
    assert Proposal.from_json(proposal.as_json()) == proposal
    assert proposal.shop == "Thalia"


def test_boxes_on_one_line_are_joined_left_to_right():
    boxes = [
        ("39.90", [[400, 102], [460, 102], [460, 120], [400, 120]]),
        ("TOTAL", [[10, 100], [80, 100], [80, 118], [10, 118]]),
        ("Shop", [[10, 10], [80, 10], [80, 28], [10, 28]]),
    ]
    lines = lines_from_boxes(boxes)
    assert lines == ["Shop", "TOTAL  39.90"]
    assert read("\n".join(lines)).amount == Decimal("39.90")


def test_boxes_of_a_slanted_photo_keep_their_lines():
    # A photo turned 4°: the amount at the right of a line sits lower than its label by
    # more than half a line's height; the boxes' own slant straightens them.
    def box(x, y, width, height=20, slope=0.07):
        return [[x, y], [x + width, y + width * slope], [x + width, y + height + width * slope], [x, y + height]]

    boxes = [
        ("Shop", box(10, 10, 60)),
        ("TOTAL", box(10, 100, 70)),
        ("39.90", box(600, 100 + 590 * 0.07, 60)),
        ("CASH", box(10, 130, 60)),
        ("50.00", box(600, 130 + 590 * 0.07, 60)),
    ]
    assert lines_from_boxes(boxes) == ["Shop", "TOTAL  39.90", "CASH  50.00"]
