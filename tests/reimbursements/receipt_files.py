"""Receipts made in the test: photos with text rendered by Pillow, PDFs with a text layer."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A TrueType font of the machine, else Pillow's own scalable one."""
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def receipt_photo(
    lines: Sequence[tuple[str, str]], *, width: int = 900, size: int = 36, turn: Image.Transpose | None = None
) -> bytes:
    """A JPEG of a till receipt: each line's label on the left and amount on the right."""
    face = font(size)
    step = round(size * 1.9)
    image = Image.new("RGB", (width, len(lines) * step + 2 * size), "white")
    draw = ImageDraw.Draw(image)
    for index, (label, amount) in enumerate(lines):
        y = size + index * step
        draw.text((size, y), label, fill="black", font=face)
        if amount:
            draw.text((width - size - draw.textlength(amount, font=face), y), amount, fill="black", font=face)
    if turn is not None:
        image = image.transpose(turn)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def image_pdf(width: int, height: int) -> bytes:
    """A PDF holding one white grey-scale image of ``width`` × ``height`` pixels."""
    pixels = b"\xff" * (width * height)
    content = b"q 100 0 0 100 0 0 cm /Im0 Do Q"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Resources << /XObject << /Im0 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (width, height, len(pixels)) + pixels + b"\nendstream",
        ]
    )


def text_pdf(lines: Sequence[tuple[str, str]]) -> bytes:
    """A one-page PDF whose text layer has each line's label and, right-aligned, its amount.

    Written by hand (Helvetica, WinAnsi text): no PDF library is a dependency."""
    height = 100 + 20 * len(lines)
    commands = ["BT /F1 11 Tf"]
    for index, (label, amount) in enumerate(lines):
        y = height - 50 - 20 * index
        commands.append(f"1 0 0 1 40 {y} Tm ({_pdf_escape(label)}) Tj")
        if amount:
            commands.append(f"1 0 0 1 300 {y} Tm ({_pdf_escape(amount)}) Tj")
    commands.append("ET")
    stream = "\n".join(commands).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 {height}] /Resources << /Font << /F1 5 0 R >> >> "
        "/Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return _pdf(objects)


def scanned_pdf(photo: bytes) -> bytes:
    """A PDF holding only a photo, as a scanner writes it: no text layer."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(out, "PDF", resolution=150)
    return out.getvalue()
