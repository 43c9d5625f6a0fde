"""Reading receipt files: photos by OCR (also sideways), PDFs by their text layer.

The OCR engine is loaded once for the module (``receipt_ocr.engine`` is cached); each
photo takes one to three seconds, so there are few of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from reimbursements import receipt_ocr
from tests.reimbursements.receipt_files import image_pdf, receipt_photo, scanned_pdf, text_pdf

TODAY = dt.date(2026, 11, 24)
TILL = [
    ("Buchhandlung Walther", ""),
    ("Datum 07.04.2014 12:31", ""),
    ("Deep Learning", "39,90"),
    ("Rust Book", "24,50"),
    ("SUMME EUR", "64,40"),
    ("Gegeben BAR", "100,00"),
    ("Rückgeld", "35,60"),
]


def read(data: bytes, content_type: str):
    return receipt_ocr.read_receipt(data=data, content_type=content_type, home_currency="USD", today=TODAY)


def test_the_models_ship_inside_the_package_so_nothing_is_downloaded():
    names = {path.name for path in Path(receipt_ocr.model_dir()).glob("*.onnx")}
    assert any("det" in name for name in names)
    assert any("rec" in name for name in names)
    engine = receipt_ocr.engine()
    assert str(engine.cfg.Global.model_root_dir) == str(receipt_ocr.model_dir())


def test_a_photo_with_cash_given_proposes_the_total_next_to_the_total_word():
    proposal = read(receipt_photo(TILL), "image/jpeg")
    assert proposal.amount == Decimal("64.40")
    assert proposal.currency == "EUR"
    assert proposal.purchase_date == dt.date(2014, 4, 7)
    assert proposal.shop == "Buchhandlung Walther"


@pytest.mark.parametrize("turn", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270])
def test_a_sideways_photo_is_turned_and_read(turn):
    photo = receipt_photo(
        [("Powell's Books", ""), ("August 3, 2014", ""), ("Subtotal", "35.00"), ("TOTAL", "$37.80")], turn=turn
    )
    proposal = read(photo, "image/jpeg")
    assert (proposal.amount, proposal.currency, proposal.purchase_date) == (
        Decimal("37.80"),
        "USD",
        dt.date(2014, 8, 3),
    )
    assert proposal.shop == "Powell's Books"


def test_a_pdf_is_read_from_its_text_layer_without_ocr(monkeypatch):
    monkeypatch.setattr(receipt_ocr, "engine", lambda: pytest.fail("OCR of a PDF with text"))
    pdf = text_pdf(
        [
            ("O'Reilly Media", ""),
            ("Invoice date: 2014-08-03", ""),
            ("ISBN 978-0-262-03561-3", ""),
            ("Subtotal", "1.234,50 EUR"),
            ("Total TTC", "1.481,40 EUR"),
        ]
    )
    proposal = read(pdf, "application/pdf")
    assert proposal.amount == Decimal("1481.40")
    assert proposal.currency == "EUR"
    assert proposal.purchase_date == dt.date(2014, 8, 3)
    assert proposal.isbns == ("9780262035613",)
    assert proposal.shop == "O'Reilly Media"


def test_a_scanned_pdf_without_text_is_read_by_ocr():
    proposal = read(scanned_pdf(receipt_photo(TILL)), "application/pdf")
    assert proposal.amount == Decimal("64.40")


def test_an_image_without_text_proposes_nothing():
    blank = Image.new("RGB", (600, 800), "white")
    assert receipt_ocr.image_lines(blank) == []


def test_a_scanned_pdf_whose_image_has_more_pixels_than_a_photo_may_is_not_read(monkeypatch):
    monkeypatch.setattr(receipt_ocr, "MAX_PIXELS", 30 * 30)
    monkeypatch.setattr(receipt_ocr, "image_lines", lambda image: pytest.fail("decoded an oversized image"))
    assert receipt_ocr.receipt_lines(data=image_pdf(40, 40), content_type="application/pdf") == []
    monkeypatch.setattr(receipt_ocr, "image_lines", lambda image: [f"{image.width}x{image.height}"])
    assert receipt_ocr.receipt_lines(data=image_pdf(30, 30), content_type="application/pdf") == ["30x30"]
