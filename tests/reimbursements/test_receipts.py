"""Receipt uploads: what is refused and why, and what is stored for what is accepted.

Every file is built here, in code, so that what a test feeds in is visible next to what it checks.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms, features
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from reimbursements import receipts
from reimbursements.receipts import ProcessedReceipt, ReceiptRejected, process_receipt, read_upload

NOT_ACCEPTED = "This file is not a JPEG, PNG, WebP, HEIC or PDF"
SECRET = "secret-marker-42"

# --- Building files ----------------------------------------------------------------------


def random_bytes(count: int, seed: int = 0) -> bytes:
    """The same bytes on every run, so that a failure can be reproduced."""
    return random.Random(seed).randbytes(count)  # noqa: S311 - reproducible test data, not a secret


def noise(size: tuple[int, int] = (64, 48), mode: str = "RGB", seed: int = 0) -> Image.Image:
    """Pixels that do not compress, so that file sizes are predictable."""
    return Image.frombytes(mode, size, random_bytes(size[0] * size[1] * Image.getmodebands(mode), seed))


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **params: object) -> bytes:
    return encode(noise(size), fmt, **params)


def halves(size: tuple[int, int] = (80, 40)) -> Image.Image:
    """Red on the left, blue on the right: shows which way an image was turned."""
    img = Image.new("RGB", size, (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return img


def phone_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: camera, orientation, and where the photo was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = SECRET
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 8.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (11.0, 34.0, 12.0)
    return exif


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header claims width x height: the classic decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def pdf_bytes(pages: int = 1, build: Callable[[PdfWriter], object] | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if build:
        build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def handmade_pdf(*bodies: bytes) -> bytes:
    """A PDF written byte by byte, for names spelled the way pypdf would never write them.

    Object 1 is the catalog; the cross-reference table is computed, so the file is well formed.
    """
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def action(kind: str, **entries: object) -> DictionaryObject:
    result = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        result[NameObject(f"/{key}")] = value
    return result


def js_action() -> DictionaryObject:
    return action("/JavaScript", JS=TextStringObject("app.alert('hello')"))


def rect() -> ArrayObject:
    return ArrayObject(FloatObject(n) for n in (10, 10, 100, 40))


def refusal(data: bytes, filename: str = "receipt") -> str:
    with pytest.raises(ReceiptRejected) as caught:
        process_receipt(data=data, filename=filename)
    return str(caught.value)


def reopen(content: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(content))
    img.load()
    return img


# --- Images that are accepted ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension", "stored_format"),
    [
        ("JPEG", "image/jpeg", ".jpg", "JPEG"),
        ("PNG", "image/png", ".png", "PNG"),
        ("WEBP", "image/webp", ".webp", "WEBP"),
        ("HEIF", "image/jpeg", ".jpg", "JPEG"),
    ],
)
def test_image_is_stored_in_a_format_every_browser_shows(fmt, content_type, extension, stored_format):
    data = image_bytes(fmt)

    receipt = process_receipt(data=data, filename="receipt")

    assert isinstance(receipt, ProcessedReceipt)
    assert (receipt.content_type, receipt.extension) == (content_type, extension)
    assert reopen(receipt.content).format == stored_format
    assert reopen(receipt.content).size == (64, 48)
    assert receipt.size == len(receipt.content)
    assert receipt.pages is None
    assert receipt.original_name == "receipt"


def test_heic_from_a_phone_is_stored_as_jpeg():
    data = image_bytes("HEIF", size=(120, 90))
    assert data[4:12] == b"ftypheic"  # really what an iPhone uploads, not a renamed JPEG

    receipt = process_receipt(data=data, filename="IMG_0042.HEIC")

    assert receipt.content_type == "image/jpeg"
    assert reopen(receipt.content).size == (120, 90)


def test_type_is_detected_from_content_when_the_name_lies():
    png = image_bytes("PNG")
    pdf = pdf_bytes()

    assert process_receipt(data=png, filename="receipt.pdf").content_type == "image/png"
    assert process_receipt(data=pdf, filename="photo.jpg").content_type == "application/pdf"


def test_sha256_is_of_the_uploaded_bytes_so_the_same_photo_twice_is_recognised():
    data = image_bytes("JPEG", exif=phone_exif())

    first = process_receipt(data=data, filename="a.jpg")
    second = process_receipt(data=data, filename="b.jpg")

    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.sha256 != hashlib.sha256(first.content).hexdigest()
    assert second.sha256 == first.sha256


def test_original_name_drops_client_folders_and_control_characters():
    receipt = process_receipt(data=image_bytes(), filename="C:\\Users\\ann\\Desktop\\book\x00 receipt.jpg")

    assert receipt.original_name == "book receipt.jpg"


# --- Metadata and hidden content are gone ------------------------------------------------


def test_jpeg_with_gps_exif_comes_out_with_no_exif_at_all():
    data = image_bytes("JPEG", exif=phone_exif())
    assert reopen(data).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input really has a location

    stored = reopen(process_receipt(data=data, filename="receipt.jpg").content)

    assert not stored.getexif()
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in stored.info


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.mark.parametrize(
    ("fmt", "metadata"),
    [
        ("JPEG", {"comment": SECRET.encode(), "xmp": f"<x:xmpmeta>{SECRET}</x:xmpmeta>".encode()}),
        ("PNG", {}),
        ("WEBP", {"xmp": f"<x:xmpmeta>{SECRET}</x:xmpmeta>".encode()}),
    ],
)
def test_exif_icc_xmp_and_comments_are_dropped(fmt, metadata):
    params = {"exif": phone_exif(), "icc_profile": srgb_profile(), **metadata}
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Comment", SECRET)
        params["pnginfo"] = text
    data = image_bytes(fmt, **params)
    assert SECRET.encode() in data

    content = process_receipt(data=data, filename="receipt").content

    assert SECRET.encode() not in content
    stored = reopen(content)
    assert not stored.getexif()
    assert not {"exif", "icc_profile", "xmp", "comment", "Comment"} & set(stored.info)


def test_bytes_appended_after_the_jpeg_end_are_gone():
    payload = b"<?php system($_GET['c']); ?>"
    data = image_bytes("JPEG") + payload

    receipt = process_receipt(data=data, filename="receipt.jpg")

    assert payload not in receipt.content
    assert receipt.content.endswith(b"\xff\xd9")
    assert receipt.sha256 == hashlib.sha256(data).hexdigest()


def test_exif_orientation_is_applied_to_the_pixels_and_the_thumbnail():
    # Orientation 6: the camera was held so that the picture must be turned 90° clockwise.
    data = encode(halves((80, 40)), "JPEG", exif=phone_exif(orientation=6))

    receipt = process_receipt(data=data, filename="receipt.jpg")

    stored = reopen(receipt.content)
    assert stored.size == (40, 80)
    red, blue = stored.getpixel((20, 10)), stored.getpixel((20, 70))
    assert red[0] > 200 and red[2] < 60  # the left half is now on top
    assert blue[2] > 200 and blue[0] < 60
    assert reopen(receipt.thumbnail).size == (40, 80)


# --- Modes --------------------------------------------------------------------------------


def test_cmyk_jpeg_is_stored_as_rgb():
    data = encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG")

    stored = reopen(process_receipt(data=data, filename="scan.jpg").content)

    assert stored.mode == "RGB"
    red = stored.getpixel((16, 16))
    assert red[0] > 200 and red[1] < 60


def test_palette_png_with_transparency_keeps_its_transparency_as_rgba():
    img = Image.new("P", (32, 32), 0)
    img.putpalette([255, 255, 255, 200, 0, 0])
    img.paste(1, (0, 0, 16, 32))
    data = encode(img, "PNG", transparency=0)

    stored = reopen(process_receipt(data=data, filename="a.png").content)

    assert stored.mode == "RGBA"
    assert stored.getpixel((4, 4)) == (200, 0, 0, 255)
    assert stored.getpixel((24, 4))[3] == 0


def test_grey_with_alpha_png_is_stored_as_rgba():
    data = encode(Image.new("LA", (8, 8), (100, 50)), "PNG")

    stored = reopen(process_receipt(data=data, filename="a.png").content)

    assert (stored.mode, stored.getpixel((0, 0))) == ("RGBA", (100, 100, 100, 50))


def test_sixteen_bit_grey_png_is_scaled_not_clipped_to_white():
    img = Image.frombytes("I;16", (8, 8), struct.pack("<H", 40000) * 64)
    data = encode(img, "PNG")
    assert reopen(data).getpixel((0, 0)) == 40000

    stored = reopen(process_receipt(data=data, filename="scan.png").content)

    assert stored.mode == "L"
    assert stored.getpixel((0, 0)) == 40000 // 256


def test_transparent_heic_is_laid_on_white_in_the_jpeg():
    data = encode(Image.new("RGBA", (32, 32), (0, 0, 0, 0)), "HEIF")

    stored = reopen(process_receipt(data=data, filename="a.heic").content)

    assert stored.mode == "RGB"
    assert min(stored.getpixel((16, 16))) > 240


def test_webp_with_transparency_stays_rgba_webp():
    data = encode(Image.new("RGBA", (32, 32), (10, 20, 30, 128)), "WEBP", lossless=True)

    stored = reopen(process_receipt(data=data, filename="a.webp").content)

    assert (stored.format, stored.mode) == ("WEBP", "RGBA")


# --- Thumbnails ------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "expected"), [((1000, 600), (320, 192)), ((600, 1000), (192, 320))])
def test_thumbnail_is_a_jpeg_whose_longest_side_is_320(size, expected):
    receipt = process_receipt(data=image_bytes("PNG", size=size), filename="a.png")

    thumbnail = reopen(receipt.thumbnail)
    assert (thumbnail.format, thumbnail.size) == ("JPEG", expected)


def test_thumbnail_of_a_small_image_is_not_enlarged():
    receipt = process_receipt(data=image_bytes("JPEG", size=(100, 50)), filename="a.jpg")

    assert reopen(receipt.thumbnail).size == (100, 50)


def test_thumbnail_of_a_transparent_png_is_an_rgb_jpeg():
    data = encode(Image.new("RGBA", (400, 400), (0, 0, 0, 0)), "PNG")

    thumbnail = reopen(process_receipt(data=data, filename="a.png").thumbnail)

    assert (thumbnail.format, thumbnail.mode) == ("JPEG", "RGB")
    assert min(thumbnail.getpixel((10, 10))) > 240


# --- Files that are refused ----------------------------------------------------------------


def test_empty_file_is_refused():
    assert refusal(b"", "receipt.jpg") == "This file is empty."


@pytest.mark.parametrize(
    ("data", "filename", "looks_like"),
    [
        (b"Total: 23.90 EUR\nThank you for your purchase!\n", "receipt.jpg", "plain text"),
        (b"<!DOCTYPE html><html><body><h1>Receipt</h1></body></html>", "receipt.pdf", "HTML"),
        (b"\n  <html><script>alert(1)</script></html>", "receipt.png", "HTML"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "receipt.svg",
            "an SVG image",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "receipt.jpg", "an SVG image"),
        (b"<?xml version='1.0'?><invoice><total>12</total></invoice>", "receipt.xml", "XML"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "receipt.jpg", "a Windows program"),
        (b"PK\x03\x04\x14\x00\x00\x00", "receipt.docx", "a ZIP archive or an Office document"),
        (b"junk\n%PDF-1.7\n", "receipt.pdf", "a PDF with something before its start"),
    ],
)
def test_files_that_are_not_receipts_are_refused_saying_what_they_look_like(data, filename, looks_like):
    assert refusal(data, filename) == f"{NOT_ACCEPTED} (it looks like {looks_like})."


def test_gif_is_refused_as_a_gif():
    assert refusal(image_bytes("GIF"), "receipt.jpg") == f"{NOT_ACCEPTED} (it looks like a GIF image)."


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow cannot write AVIF")
def test_avif_is_refused_as_an_avif():
    assert refusal(image_bytes("AVIF"), "receipt.jpg") == f"{NOT_ACCEPTED} (it looks like an AVIF image)."


def test_binary_noise_is_refused_without_a_guess():
    assert refusal(bytes(range(256)) * 4, "receipt.jpg") == f"{NOT_ACCEPTED}."


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_image_is_refused_as_damaged(fmt, keep):
    data = image_bytes(fmt, size=(200, 150))

    assert refusal(data[: int(len(data) * keep)]) == "This image is damaged or incomplete."


def test_jpeg_cut_just_before_its_end_marker_is_refused_as_damaged():
    assert refusal(image_bytes("JPEG")[:-2]) == "This image is damaged or incomplete."


@pytest.mark.parametrize("magic", [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP"])
def test_image_magic_followed_by_garbage_is_refused_as_damaged(magic):
    assert refusal(magic + random_bytes(2000, seed=1)) == "This image is damaged or incomplete."


def test_decompression_bomb_that_pillow_itself_refuses_is_refused():
    data = png_declaring(100_000, 100_000)  # 10 gigapixels in 80 bytes

    assert refusal(data, "receipt.png") == (
        "This image has too many pixels (more than 40 megapixels); photograph the receipt at a lower resolution."
    )


def test_decompression_bomb_that_pillow_only_warns_about_is_refused():
    # 100 MP: over Pillow's limit (89 MP), under twice that, where Pillow only warns.
    data = png_declaring(10_000, 10_000)

    with pytest.warns(Image.DecompressionBombWarning):
        message = refusal(data, "receipt.png")

    assert message == (
        "This image has too many pixels (10,000 × 10,000 pixels; at most 40 megapixels); "
        "photograph the receipt at a lower resolution."
    )


def test_pixel_limit_holds_even_when_pillows_own_limit_is_switched_off(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)

    assert refusal(png_declaring(100_000, 100_000)).startswith("This image has too many pixels (100,000 × 100,000")


def test_image_just_over_the_pixel_limit_is_refused_and_one_at_it_accepted(monkeypatch):
    monkeypatch.setattr(receipts, "MAX_PIXELS", 40 * 30)

    assert process_receipt(data=image_bytes("JPEG", size=(40, 30)), filename="a.jpg")
    assert refusal(image_bytes("JPEG", size=(41, 30))).startswith("This image has too many pixels (41 × 30 pixels")


def test_image_over_the_size_limit_is_refused(settings):
    settings.RECEIPT_MAX_MB = 0.01  # 10,485 bytes
    data = image_bytes("PNG", size=(100, 100))
    assert len(data) > 10_485

    assert refusal(data, "receipt.png") == "This image is larger than 0.01 MB."


def test_pdf_over_the_size_limit_is_refused(settings):
    settings.RECEIPT_MAX_MB = 0.0001

    assert refusal(pdf_bytes(), "receipt.pdf") == "This PDF is larger than 0.0001 MB."


def test_size_is_checked_before_anything_is_parsed(settings):
    settings.RECEIPT_MAX_MB = 0.001

    assert refusal(b"<html>" + b"x" * 2000, "receipt.pdf") == "This file is larger than 0.001 MB."


def test_size_limit_defaults_to_ten_megabytes(settings):
    del settings.RECEIPT_MAX_MB

    assert receipts.receipt_max_bytes() == 10 * 1024 * 1024


# --- PDFs ------------------------------------------------------------------------------------


def test_valid_one_page_pdf_is_stored_as_uploaded():
    data = pdf_bytes()

    receipt = process_receipt(data=data, filename="invoice.pdf")

    assert receipt.content == data
    assert (receipt.content_type, receipt.extension) == ("application/pdf", ".pdf")
    assert (receipt.pages, receipt.thumbnail, receipt.size) == (1, None, len(data))
    assert receipt.sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_with_twenty_pages_is_accepted():
    assert process_receipt(data=pdf_bytes(pages=20), filename="a.pdf").pages == 20


def test_pdf_with_twenty_one_pages_is_refused():
    assert refusal(pdf_bytes(pages=21), "a.pdf") == "This PDF has more than 20 pages."


def test_pdf_with_a_link_to_a_web_page_is_accepted():
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): rect(),
            NameObject("/A"): action("/URI", URI=TextStringObject("https://shop.example/orders/42")),
        }
    )

    assert process_receipt(data=pdf_bytes(build=lambda w: w.add_annotation(0, link)), filename="a.pdf").pages == 1


JAVASCRIPT = "This PDF contains JavaScript, which receipts may not."


@pytest.fixture
def parsed_check_only(monkeypatch):
    """Switch off the byte search, which would find what pypdf writes uncompressed, so a test shows the parsed
    walk finds it alone, as it must for objects inside compressed object streams."""
    monkeypatch.setattr(receipts, "_check_pdf_raw", lambda data: None)


def _open_action_js(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/OpenAction")] = js_action()


def _link_with_js(writer: PdfWriter) -> None:
    link = {"/Type": NameObject("/Annot"), "/Subtype": NameObject("/Link"), "/Rect": rect(), "/A": js_action()}
    writer.add_annotation(0, DictionaryObject({NameObject(key): value for key, value in link.items()}))


def _page_open_js(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): js_action()})


def _chained_js(writer: PdfWriter) -> None:
    go_to_page = action("/GoTo", D=ArrayObject([writer.pages[0].indirect_reference, NameObject("/Fit")]))
    go_to_page[NameObject("/Next")] = js_action()
    writer.root_object[NameObject("/OpenAction")] = go_to_page


@pytest.mark.parametrize(
    "build",
    [
        lambda writer: writer.add_open_action(JavaScript("app.alert('hello')")),  # document-level names tree
        _open_action_js,
        _link_with_js,
        _page_open_js,
        _chained_js,
    ],
    ids=["names-tree", "open-action", "link-annotation", "page-open-action", "after-another-action"],
)
def test_pdf_with_javascript_is_refused_wherever_it_sits(build, parsed_check_only):
    assert refusal(pdf_bytes(build=build), "a.pdf") == JAVASCRIPT


def test_pdf_with_javascript_spelled_with_escaped_names_is_refused():
    # /J#61vaScript is /JavaScript and /J#53 is /JS to a viewer; a byte search would miss them.
    data = handmade_pdf(
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> >>",
        PAGES,
        PAGE,
    )
    assert b"/JavaScript" not in data

    assert refusal(data, "a.pdf") == JAVASCRIPT


def test_pdf_with_javascript_in_an_object_nothing_refers_to_is_refused():
    # Unreachable from the catalog, so the parsed walk skips it; a forgiving viewer might not.
    data = handmade_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE, b"<< /S /JavaScript /JS (app.alert(1)) >>")

    assert refusal(data, "a.pdf") == JAVASCRIPT


def test_handmade_pdf_without_active_content_is_accepted():
    data = handmade_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES, PAGE)

    assert process_receipt(data=data, filename="a.pdf").pages == 1


def test_pdf_with_a_launch_action_is_refused(parsed_check_only):
    def build(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = action("/Launch", F=TextStringObject("calc.exe"))

    assert refusal(pdf_bytes(build=build), "a.pdf") == (
        "This PDF contains an action that starts a program, which receipts may not."
    )


def test_pdf_with_an_embedded_file_is_refused(parsed_check_only):
    data = pdf_bytes(build=lambda writer: writer.add_attachment("invoice.xml", b"<invoice/>"))

    assert refusal(data, "a.pdf") == (
        "This PDF contains embedded files, which receipts may not. Print it to a new PDF and upload that."
    )


@pytest.mark.parametrize("user_password", ["secret", ""], ids=["password-to-open", "permissions-only"])
def test_encrypted_pdf_is_refused(user_password):
    data = pdf_bytes(build=lambda writer: writer.encrypt(user_password, "owner", algorithm="AES-128"))

    assert refusal(data, "a.pdf") == (
        "This PDF is encrypted or password-protected; print it to a new PDF and upload that."
    )


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\nhello world",
        b"%PDF-1.7\n" + random_bytes(4000, seed=2) + b"\n%%EOF\n",
        pdf_bytes()[:200],
    ],
    ids=["text", "noise", "truncated"],
)
def test_damaged_pdf_is_refused(data):
    assert refusal(data, "a.pdf") == "This PDF is damaged or cannot be read."


def test_pdf_without_pages_is_refused():
    data = handmade_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>")

    assert refusal(data, "a.pdf") == "This PDF has no pages."


def test_pdf_too_complex_to_check_is_refused(monkeypatch):
    monkeypatch.setattr(receipts, "MAX_PDF_OBJECTS", 3)

    assert refusal(pdf_bytes(pages=3), "a.pdf").startswith("This PDF is too complex to check")


# --- Reading the upload ----------------------------------------------------------------------


def test_read_upload_returns_the_bytes_of_a_file_within_the_limit():
    data = image_bytes()

    assert read_upload(SimpleUploadedFile("a.jpg", data)) == data


def test_read_upload_refuses_a_file_over_the_limit(settings):
    settings.RECEIPT_MAX_MB = 0.001
    upload = SimpleUploadedFile("a.pdf", pdf_bytes() + b"\n" * 2000)

    with pytest.raises(ReceiptRejected, match=r"^This PDF is larger than 0.001 MB\.$"):
        read_upload(upload)


def test_read_upload_stops_reading_one_byte_past_the_limit(settings):
    settings.RECEIPT_MAX_MB = 0.001
    stream = io.BytesIO(b"x" * 1_000_000)

    with pytest.raises(ReceiptRejected, match=r"^This file is larger than 0.001 MB\.$"):
        read_upload(stream)
    assert stream.tell() == receipts.receipt_max_bytes() + 1
