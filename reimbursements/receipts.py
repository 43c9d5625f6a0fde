"""Checking and cleaning uploaded receipts before they are stored.

The type comes from the bytes, never from the file name or the browser's content type.
Images are decoded under a pixel limit and re-encoded from their pixels alone, which
drops EXIF (GPS included), ICC and XMP metadata, comments and anything appended after
the image. PDFs are stored as uploaded, but only once pypdf has parsed them and found
no encryption, JavaScript, launch actions or embedded files.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import pillow_heif
from django.conf import settings
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

__all__ = [
    "MAX_PDF_PAGES",
    "MAX_PIXELS",
    "THUMBNAIL_SIDE",
    "ProcessedReceipt",
    "ReceiptRejected",
    "process_receipt",
    "read_upload",
    "receipt_max_bytes",
]

# A 12-megapixel phone photo is 12 million; 40 million leaves room for 24 MP cameras and
# panoramas while bounding decoding at ~160 MB (RGBA), ~320 MB while the pixels are turned.
MAX_PIXELS = 40_000_000
MAX_PDF_PAGES = 20
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85
WEBP_QUALITY = 85
THUMBNAIL_QUALITY = 80
# A receipt has hundreds of PDF objects, a long invoice a few thousand; past this, checking
# every object for active content would take seconds of pure Python.
MAX_PDF_OBJECTS = 100_000

ACCEPTED_TYPES = "JPEG, PNG, WebP, HEIC or PDF"

# Phones upload HEIC. Registering the opener is global to Pillow, which is what we want:
# it only adds a format, and only process_receipt ever opens untrusted images.
pillow_heif.register_heif_opener()

# Pillow format name of the file -> (format we store, content type, extension). HEIC is
# stored as JPEG because browsers other than Safari cannot show it.
_IMAGE_OUTPUTS: dict[str, tuple[str, str, str]] = {
    "JPEG": ("JPEG", "image/jpeg", ".jpg"),
    "MPO": ("JPEG", "image/jpeg", ".jpg"),  # what Pillow calls some iPhone and Android JPEGs
    "PNG": ("PNG", "image/png", ".png"),
    "WEBP": ("WEBP", "image/webp", ".webp"),
    "HEIF": ("JPEG", "image/jpeg", ".jpg"),
}
_PDF = "PDF"

_HEVC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis"}
# Generic HEIF brands: libheif decides whether it can read what is inside.
_GENERIC_HEIF_BRANDS = {b"mif1", b"msf1"}

# Only for a kinder message: what a refused file seems to be.
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
)
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# Names that viewers act on. pypdf resolves #-escapes in names (/J#53 is /JS), so comparing
# parsed names is enough; the raw scan below is for objects pypdf's cross-reference table
# does not reach, which a more forgiving viewer might still find.
_PDF_JAVASCRIPT = "This PDF contains JavaScript, which receipts may not."
_PDF_LAUNCH = "This PDF contains an action that starts a program, which receipts may not."
_PDF_EMBEDDED = "This PDF contains embedded files, which receipts may not. Print it to a new PDF and upload that."
_PDF_DAMAGED = "This PDF is damaged or cannot be read."
_IMAGE_DAMAGED = "This image is damaged or incomplete."
_RAW_PDF_NAMES = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?)(?=[\s/<>\[\]()%{}]|\Z)")
_RAW_PDF_MESSAGES = {
    b"JavaScript": _PDF_JAVASCRIPT,
    b"Launch": _PDF_LAUNCH,
    b"EmbeddedFile": _PDF_EMBEDDED,
    b"EmbeddedFiles": _PDF_EMBEDDED,
}


class Upload(Protocol):
    """What read_upload needs: Django's UploadedFile, or any binary file."""

    def read(self, size: int = -1, /) -> bytes: ...


class ReceiptRejected(Exception):
    """An upload that is not a receipt we store; the message says why, fit to show the person."""


@dataclass(frozen=True)
class ProcessedReceipt:
    content: bytes
    content_type: str
    extension: str
    thumbnail: bytes | None
    sha256: str  # of the bytes as uploaded, so the same photo uploaded twice is recognised
    original_name: str
    pages: int | None
    size: int


def receipt_max_bytes() -> int:
    """The largest upload accepted: settings.RECEIPT_MAX_MB, counted in MiB as operating systems show sizes."""
    return int(_max_mb() * 1024 * 1024)


def read_upload(upload: Upload) -> bytes:
    """Read an uploaded file, refusing it as soon as it is over the limit rather than after reading it whole."""
    limit = receipt_max_bytes()
    if seek := getattr(upload, "seek", None):
        seek(0)
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise ReceiptRejected(_too_large_message(upload.read(512)))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ReceiptRejected(_too_large_message(data))
    return data


def process_receipt(*, data: bytes, filename: str) -> ProcessedReceipt:
    """Check an upload and return what to store, or raise ReceiptRejected with the reason."""
    if not data:
        raise ReceiptRejected("This file is empty.")
    if len(data) > receipt_max_bytes():
        raise ReceiptRejected(_too_large_message(data))
    kind = _sniff(data)
    if kind is None:
        raise ReceiptRejected(_not_accepted_message(data))

    pages = thumbnail = None
    if kind == _PDF:
        pages = _check_pdf(data)
        content, content_type, extension = data, "application/pdf", ".pdf"
    else:
        content, content_type, extension, thumbnail = _clean_image(data, kind)

    return ProcessedReceipt(
        content=content,
        content_type=content_type,
        extension=extension,
        thumbnail=thumbnail,
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=_display_name(filename),
        pages=pages,
        size=len(content),
    )


# --- Telling what a file is -------------------------------------------------------------


def _sniff(data: bytes) -> str | None:
    """The format the magic bytes claim, as Pillow names it, or None for anything we do not take."""
    if data.startswith(b"%PDF-"):
        return _PDF
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    brands = _ftyp_brands(data)
    if brands & _HEVC_BRANDS or (brands & _GENERIC_HEIF_BRANDS and not brands & _AVIF_BRANDS):
        return "HEIF"
    return None


def _ftyp_brands(data: bytes) -> set[bytes]:
    """The major and compatible brands of an ISO media file (HEIC, AVIF, MP4), empty for anything else."""
    if data[4:8] != b"ftyp":
        return set()
    box_end = min(int.from_bytes(data[:4], "big"), len(data), 512)
    return {data[8:12]} | {data[i : i + 4] for i in range(16, box_end - 3, 4)}


def _looks_like(data: bytes) -> str | None:
    """A guess at what a refused file is, for the message only."""
    head = data[:1024]
    for magic, name in _OTHER_MAGIC:
        if head.startswith(magic):
            return name
    if head.startswith(b"BM") and len(data) > 26 and int.from_bytes(data[2:6], "little") == len(data):
        return "a BMP image"
    if _ftyp_brands(data) & _AVIF_BRANDS:
        return "an AVIF image"
    if b"%PDF-" in head:
        return "a PDF with something before its start"
    markup = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if markup.startswith((b"<!doctype html", b"<html")):
        return "HTML"
    if b"<svg" in markup:
        return "an SVG image"
    if markup.startswith(b"<") and any(tag in markup for tag in (b"<head", b"<body", b"<script", b"<meta")):
        return "HTML"
    if markup.startswith(b"<?xml"):
        return "XML"
    if _is_text(head):
        return "plain text"
    return None


def _is_text(head: bytes) -> bool:
    try:
        # Incremental, because the 1 KB cut may split a multi-byte character.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return not _TEXT_CONTROL.search(text)


def _not_accepted_message(data: bytes) -> str:
    guess = _looks_like(data)
    suffix = f" (it looks like {guess})" if guess else ""
    return f"This file is not a {ACCEPTED_TYPES}{suffix}."


def _max_mb() -> float:
    return getattr(settings, "RECEIPT_MAX_MB", 10)


def _too_large_message(data: bytes) -> str:
    kind = _sniff(data[:512]) if data else None
    noun = "file" if kind is None else "PDF" if kind == _PDF else "image"
    return f"This {noun} is larger than {_max_mb():g} MB."


def _display_name(filename: str) -> str:
    """The name as the person knows it: no client-side folders (old browsers send them), no control characters."""
    name = re.split(r"[/\\]", filename)[-1]
    name = " ".join(_TEXT_CONTROL.sub("", name).split())
    return name[:200] or "receipt"


# --- Images -----------------------------------------------------------------------------


def _clean_image(data: bytes, kind: str) -> tuple[bytes, str, str, bytes]:
    """Decode under the pixel limit, turn upright and re-encode from the pixels alone."""
    with _image_errors_refused():
        # formats= keeps Pillow from trying its other, less exercised decoders on hostile bytes.
        img = Image.open(io.BytesIO(data), formats=[kind])
        _check_pixels(img.size)
        # Decode everything now, so that a truncated file fails here and not at save time.
        img.load()
        _turn_upright(img)
        out_format, content_type, extension = _IMAGE_OUTPUTS[img.format or kind]
        clean = _pixels_only(img, _stored_mode(img, out_format))
    del img  # the decoded original: let it go before encoding doubles the memory again

    content = _encode(clean, out_format)
    return content, content_type, extension, _thumbnail(clean)


@contextmanager
def _image_errors_refused() -> Iterator[None]:
    try:
        yield
    except ReceiptRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise ReceiptRejected(_too_many_pixels_message(None)) from exc
    except Exception as exc:
        # Decoders fed hostile bytes raise whatever they raise: OSError, SyntaxError,
        # ValueError, struct.error, EOFError, libheif's own errors... All mean the same here.
        raise ReceiptRejected(_IMAGE_DAMAGED) from exc


def _check_pixels(size: tuple[int, int]) -> None:
    """Refuse before decoding, from the size the header declares.

    Pillow itself only warns between its own limit (89 MP) and twice that; this check
    refuses everything over MAX_PIXELS, which is lower, so its warnings never let a bomb
    through, and it does not depend on Image.MAX_IMAGE_PIXELS, which is global to Pillow.
    """
    if size[0] * size[1] > MAX_PIXELS:
        raise ReceiptRejected(_too_many_pixels_message(size))


def _too_many_pixels_message(size: tuple[int, int] | None) -> str:
    megapixels = f"{MAX_PIXELS / 1_000_000:g} megapixels"
    found = f"{size[0]:,} × {size[1]:,} pixels; at most {megapixels}" if size else f"more than {megapixels}"
    return f"This image has too many pixels ({found}); photograph the receipt at a lower resolution."


def _turn_upright(img: Image.Image) -> None:
    """Apply the EXIF orientation to the pixels, since the tag that carries it is about to be dropped."""
    ImageOps.exif_transpose(img, in_place=True)


def _stored_mode(img: Image.Image, out_format: str) -> str:
    """The mode to store: grey stays grey, transparency stays where the format keeps it, the rest is RGB."""
    grey = img.mode in {"1", "L", "LA", "I", "I;16", "I;16L", "I;16B", "I;16N"}
    if img.has_transparency_data and out_format in {"PNG", "WEBP"}:
        return "RGBA"
    if grey and out_format != "WEBP":  # WebP has no grey mode
        return "L"
    return "RGB"


def _pixels_only(img: Image.Image, mode: str) -> Image.Image:
    """A new image holding only the pixels: no info dict, EXIF, ICC profile, comment or XMP to carry over."""
    clean = Image.new(mode, img.size, "white")
    if img.mode.startswith("I"):
        # Pillow clips 16-bit grey to 255 when converting; scale it instead.
        img = img.convert("I").point(lambda value: value / 256)
    if img.has_transparency_data and mode not in {"RGBA", "LA"}:
        # JPEG has no alpha: lay the image on white, as a transparent receipt scan would look on paper.
        rgba = img.convert("RGBA")
        clean.paste(rgba.convert(mode), mask=rgba.getchannel("A"))
    else:
        clean.paste(img if img.mode == mode else img.convert(mode))
    return clean


def _encode(img: Image.Image, out_format: str) -> bytes:
    buffer = io.BytesIO()
    if out_format == "JPEG":
        img.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    elif out_format == "WEBP":
        img.save(buffer, format="WEBP", quality=WEBP_QUALITY)
    else:
        img.save(buffer, format="PNG")
    return buffer.getvalue()


def _thumbnail(img: Image.Image) -> bytes:
    """A JPEG whose longest side is at most THUMBNAIL_SIDE, made from the already upright, cleaned pixels."""
    width, height = img.size
    scale = min(1.0, THUMBNAIL_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # reducing_gap first shrinks by an integer factor (cheap box filter), then resamples the
    # small result: near-Lanczos quality at a fraction of the cost, with no full-size copy.
    small = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0) if size != img.size else img
    if small.mode not in {"L", "RGB"}:
        small = _pixels_only(small, "RGB")
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=THUMBNAIL_QUALITY)
    return buffer.getvalue()


# --- PDFs -------------------------------------------------------------------------------


def _check_pdf(data: bytes) -> int:
    """Parse the PDF and refuse anything a viewer could run; return the number of pages."""
    try:
        # Not strict: real invoices often have slightly wrong cross-reference offsets, which
        # pypdf repairs as viewers do. Bytes that are not a PDF still fail to parse.
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ReceiptRejected("This PDF is encrypted or password-protected; print it to a new PDF and upload that.")
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise ReceiptRejected(f"This PDF has more than {MAX_PDF_PAGES} pages.")
        if pages == 0:
            raise ReceiptRejected("This PDF has no pages.")
        for obj in _pdf_dictionaries(reader):
            _check_pdf_dictionary(obj)
    except ReceiptRejected:
        raise
    except Exception as exc:
        # pypdf raises PdfReadError for most bad input, but ValueError, KeyError, TypeError,
        # RecursionError and zlib errors for some; to the person they all mean the same.
        raise ReceiptRejected(_PDF_DAMAGED) from exc
    _check_pdf_raw(data)
    return pages


def _pdf_dictionaries(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every dictionary (streams included) reachable from the trailer, each indirect object once.

    Walking the whole graph, rather than the few places JavaScript usually sits (names tree,
    OpenAction, annotations' /A and /AA, form fields, outlines, /Next chains), means a place
    we did not think of is checked too.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [reader.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if not isinstance(obj, DictionaryObject | ArrayObject):
            continue
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ReceiptRejected("This PDF is too complex to check; print it to a new PDF and upload that.")
        # dict.values and list iteration give the raw values, IndirectObject included, which
        # is what lets `seen` stop the walk going round /Parent and /Kids cycles.
        if isinstance(obj, DictionaryObject):
            yield obj
            stack.extend(dict.values(obj))
        else:
            stack.extend(list.__iter__(obj))


def _check_pdf_dictionary(obj: DictionaryObject) -> None:
    keys = set(obj.keys())
    action = _pdf_name(obj, "/S")
    if keys & {"/JS", "/JavaScript"} or action == "/JavaScript":
        raise ReceiptRejected(_PDF_JAVASCRIPT)
    if action == "/Launch":
        raise ReceiptRejected(_PDF_LAUNCH)
    if (
        keys & {"/EmbeddedFiles", "/EF"}
        or _pdf_name(obj, "/Type") == "/EmbeddedFile"
        or _pdf_name(obj, "/Subtype") == "/FileAttachment"
    ):
        raise ReceiptRejected(_PDF_EMBEDDED)


def _pdf_name(obj: DictionaryObject, key: str) -> object:
    value = dict.get(obj, key)
    return value.get_object() if isinstance(value, IndirectObject) else value


def _check_pdf_raw(data: bytes) -> None:
    """Look for the same names in the bytes themselves.

    This catches objects outside pypdf's cross-reference table (a superseded revision, or
    one hidden from a strict parser but found by a forgiving viewer). It cannot see inside
    compressed object streams; the parsed walk covers those.
    """
    if match := _RAW_PDF_NAMES.search(data):
        raise ReceiptRejected(_RAW_PDF_MESSAGES[match.group(1)])
