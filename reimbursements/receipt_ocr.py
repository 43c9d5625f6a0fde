"""A receipt's text: from a PDF's text layer (pypdf), or from a photo or scan by OCR.

The OCR engine is RapidOCR (PP-OCR models on onnxruntime). Its default models ship inside
the ``rapidocr`` wheel (``rapidocr/models``); ``model_root_dir`` points there explicitly, so
the engine never downloads anything at run time. It is loaded once per process (about half
a second and 300 MB), then reads a photo in one to three seconds on two cores.

Only files that ``receipts.process_receipt`` accepted reach this module.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import io
import logging
from functools import cache
from pathlib import Path

from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from reimbursements.receipt_reading import Proposal, lines_from_boxes, read_lines
from reimbursements.receipts import MAX_PIXELS

log = logging.getLogger(__name__)

# Long side the photo is scaled to before OCR: receipts' small print stays legible, and the
# detector's time and memory stay bounded whatever the camera.
LONG_SIDE = 2000
PDF_PAGES = 3  # a receipt's total is on its first pages
# Text boxes that are taller than wide, as a share of those with a few characters, past
# which the photo is taken to be sideways.
SIDEWAYS_SHARE = 0.5
MIN_TEXT_SCORE = 0.5
SIDEWAYS_SAMPLES = 6  # tall boxes read both ways to tell which way a sideways photo was turned
# The detector looks at the photo at most this large (the reader still reads the text from
# the 2,000 px image): at 2,000 px the detector alone peaks near 900 MB, at 1,280 near 540 MB.
DETECTOR_SIDE = 1280


def model_dir() -> Path:
    """Where the OCR models live: inside the installed rapidocr package."""
    import rapidocr

    return Path(rapidocr.__file__).parent / "models"


@cache
def engine():
    """The OCR engine, loaded once per process."""
    from rapidocr import RapidOCR

    return RapidOCR(
        params={
            "Global.log_level": "warning",
            "Global.model_root_dir": str(model_dir()),
            "Global.text_score": MIN_TEXT_SCORE,
            "Det.limit_type": "max",
            "Det.limit_side_len": DETECTOR_SIDE,
        }
    )


def read_receipt(*, data: bytes, content_type: str, home_currency: str, today: dt.date | None = None) -> Proposal:
    """The proposal for a stored receipt's bytes; an empty one when nothing can be read."""
    return read_lines(receipt_lines(data=data, content_type=content_type), home_currency=home_currency, today=today)


def receipt_lines(*, data: bytes, content_type: str) -> list[str]:
    if content_type == "application/pdf":
        lines = pdf_lines(data)
        if lines:
            return lines
        image = _pdf_largest_image(data)  # a scan saved as PDF
        return image_lines(image) if image is not None else []
    if content_type.startswith("image/"):
        with Image.open(io.BytesIO(data)) as opened:
            return image_lines(ImageOps.exif_transpose(opened))
    return []


def pdf_lines(data: bytes) -> list[str]:
    """The text layer of the first pages, line by line, in reading order."""
    try:
        reader = PdfReader(io.BytesIO(data))
        texts = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages[:PDF_PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        log.info("receipt PDF without readable text: %s", error)
        return []
    # Layout mode keeps a total and its amount on one line, with the spaces between them.
    return [" ".join(line.split("   ")).strip() for text in texts for line in text.splitlines() if line.strip()]


def _pdf_largest_image(data: bytes) -> Image.Image | None:
    """The first page's largest image, decoded only if its declared size is within the
    pixel limit of uploaded photos (a PDF's image is not checked when the PDF is accepted)."""
    try:
        page = PdfReader(io.BytesIO(data)).pages[0]
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        sizes = {}
        for name, ref in (xobjects.get_object() if xobjects is not None else {}).items():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                pixels = int(obj.get("/Width", 0)) * int(obj.get("/Height", 0))
                if 0 < pixels <= MAX_PIXELS:
                    sizes[name] = pixels
        if not sizes:
            return None
        return page.images[max(sizes, key=sizes.__getitem__)].image
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, IndexError, AttributeError):
        return None


def scaled(image: Image.Image) -> Image.Image:
    """RGB, long side LONG_SIDE (small scans are enlarged up to twice)."""
    image = image.convert("RGB")
    factor = min(LONG_SIDE / max(image.size), 2.0)
    if abs(factor - 1) > 0.05:
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def image_lines(image: Image.Image) -> list[str]:
    """OCR of a photo; a sideways one's lines put back across the page.

    A sideways photo's lines are found as tall boxes, and the engine reads them already (it
    turns each tall crop, and its classifier turns those upside down). What is left is to know
    which way the page was turned, to put its lines in order: a few tall crops are read
    turned a quarter each way, without the classifier, and the turn that reads with more
    confidence wins; the boxes are turned with it. One OCR pass, whichever way the photo was
    taken."""
    image = scaled(image)
    found = _ocr(image, upright_check=True)
    if _mostly_tall(found):
        turn = _sideways_turn(image, found)
        found = [(text, _turned_box(box, image.size, turn), score) for text, box, score in found]
    _give_back_memory()
    return lines_from_boxes((text, box) for text, box, _score in found)


def _give_back_memory() -> None:
    """Hand the OCR's freed buffers back to the system (glibc keeps them otherwise): a
    worker that read a photo stays near its size after loading the engine, not at its peak."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to hand back
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _sideways_turn(image: Image.Image, found: list[tuple[str, list, float]]) -> Image.Transpose:
    import numpy as np

    tall = [(box, text) for text, box, _score in found if len(text.strip()) >= 3 and _is_tall(box)]
    tall.sort(key=lambda item: -len(item[1]))
    sure = dict.fromkeys((Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270), 0.0)
    for box, _text in tall[:SIDEWAYS_SAMPLES]:
        xs, ys = [point[0] for point in box], [point[1] for point in box]
        crop = image.crop((max(0, min(xs)), max(0, min(ys)), max(xs), max(ys)))
        for turn in sure:
            result = engine()(np.asarray(crop.transpose(turn)), use_det=False, use_cls=False, use_rec=True)
            for text, score in zip(result.txts or (), result.scores or (), strict=False):
                sure[turn] += float(score) * len(text)
    return max(sure, key=lambda turn: sure[turn])


def _turned_box(box: list, size: tuple[int, int], turn: Image.Transpose) -> list:
    """A box's corners after the page is turned as ``Image.transpose(turn)`` turns it."""
    width, height = size
    if turn == Image.Transpose.ROTATE_90:  # counter-clockwise
        return [[y, width - x] for x, y in box]
    return [[height - y, x] for x, y in box]  # clockwise


def _ocr(image: Image.Image, *, upright_check: bool) -> list[tuple[str, list, float]]:
    import numpy as np

    # Every flag on every call: RapidOCR keeps the last call's flags for the next one.
    result = engine()(np.asarray(image), use_det=True, use_cls=upright_check, use_rec=True)
    if getattr(result, "txts", None) is None or result.boxes is None:
        return []
    return [
        (text, box.tolist(), float(score))
        for text, box, score in zip(result.txts, result.boxes, result.scores, strict=True)
        if text.strip()
    ]


def _is_tall(box: list) -> bool:
    xs, ys = [point[0] for point in box], [point[1] for point in box]
    return max(ys) - min(ys) > max(xs) - min(xs)


def _mostly_tall(found: list[tuple[str, list, float]]) -> bool:
    shapes = [_is_tall(box) for text, box, _score in found if len(text.strip()) >= 3]
    return bool(shapes) and sum(shapes) / len(shapes) > SIDEWAYS_SHARE
