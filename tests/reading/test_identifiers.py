"""ISBN, arXiv id and DOI: what is accepted, how it is normalised, what a person is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from reading.identifiers import (
    Identifier,
    IdentifierError,
    detect,
    isbn13_to_isbn10,
    normalize_arxiv_eprint,
    normalize_arxiv_id,
    normalize_doi,
    normalize_isbn,
    validate_arxiv_id,
    validate_doi,
    validate_isbn,
)

# --- ISBN ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "isbn13"),
    [
        ("978-0-465-09760-9", "9780465097609"),  # The Book of Why
        ("9780465097609", "9780465097609"),
        ("978 0 465 09760 9", "9780465097609"),
        ("ISBN: 978-0-465-09760-9", "9780465097609"),
        ("ISBN-13: 978-0-465-09760-9", "9780465097609"),
        ("046509760X", "9780465097609"),  # its ISBN-10, with an X check digit
        ("0-465-09760-x", "9780465097609"),
        ("ISBN-10 0-465-09760-X", "9780465097609"),
        ("978-0-375-42372-7", "9780375423727"),  # The Information
        ("0-375-42372-9", "9780375423727"),
        ("978‐0‐262‐03561‐3", "9780262035613"),  # Deep Learning (MIT Press), typographic hyphens
        ("979-10-90636-07-1", "9791090636071"),  # a 979 ISBN
    ],
)
def test_valid_isbn_is_normalised_to_isbn13_digits(raw, isbn13):
    assert normalize_isbn(raw) == isbn13


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("978-0-14-303943-2", "978-0-14-303943-2 is not a valid ISBN: its check digit is wrong."),
        ("978-0-465-09760-8", "978-0-465-09760-8 is not a valid ISBN: its check digit is wrong."),
        ("0-465-09760-9", "0-465-09760-9 is not a valid ISBN: its check digit is wrong."),
        ("0-375-42372-X", "0-375-42372-X is not a valid ISBN: its check digit is wrong."),
        ("977-0-465-09760-9", "977-0-465-09760-9 is not a valid ISBN: an ISBN-13 starts with 978 or 979."),
        ("978-0-465-0976", "978-0-465-0976 is not a valid ISBN: an ISBN has 10 or 13 digits, this one has 11."),
        ("04650X7609", "04650X7609 is not a valid ISBN: only the last character of an ISBN-10 may be an X."),
        ("978-O-465-09760-9", "978-O-465-09760-9 is not a valid ISBN: use only the digits 0 to 9, hyphens and spaces."),
        ("   ", "Enter an ISBN."),
    ],
)
def test_invalid_isbn_is_refused_with_a_message_saying_why(raw, message):
    with pytest.raises(IdentifierError) as error:
        normalize_isbn(raw)

    assert str(error.value) == message


@pytest.mark.parametrize(
    "raw",
    [
        "፩፪፫፬፭፮፯፰፱፲",  # Ethiopic: str.isdigit() says digits, int() refuses them
        "፩" * 10,
        "፩" * 13,
        "٩٧٨٠٤٦٥٠٩٧٦٠٩",  # Arabic-Indic: int() reads them, the stored ISBN must not hold them
        "978٠٠٠٠٠٠٠٠٠2",  # mixed scripts whose check digit works out
        "߀߁߂߃߄߅߆߇߈X",  # NKo
    ],
)
def test_isbn_of_another_scripts_digits_is_refused_with_a_message(raw):
    with pytest.raises(IdentifierError) as error:
        normalize_isbn(raw)

    assert str(error.value).endswith("is not a valid ISBN: use only the digits 0 to 9, hyphens and spaces.")


def test_long_paste_is_shortened_in_the_message():
    with pytest.raises(IdentifierError) as error:
        normalize_isbn("1" * 200)

    assert len(str(error.value)) < 140
    assert "…" in str(error.value)


def _isbn10(first_nine: str) -> str:
    total = sum((10 - position) * int(digit) for position, digit in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return first_nine + ("X" if check == 10 else str(check))


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(first_nine=nine_digits, hyphen_after=st.integers(min_value=1, max_value=9))
def test_isbn10_converts_to_isbn13_and_back(first_nine, hyphen_after):
    isbn10 = _isbn10(first_nine)
    written = f"{isbn10[:hyphen_after]}-{isbn10[hyphen_after:]}"

    isbn13 = normalize_isbn(written)

    assert isbn13.startswith("978") and len(isbn13) == 13 and isbn13.isdigit()
    assert normalize_isbn(isbn13) == isbn13
    assert isbn13_to_isbn10(isbn13) == isbn10


@given(first_nine=nine_digits, position=st.integers(min_value=0, max_value=12), shift=st.integers(1, 9))
def test_any_single_mistyped_digit_is_caught(first_nine, position, shift):
    isbn13 = normalize_isbn(_isbn10(first_nine))
    mistyped = isbn13[:position] + str((int(isbn13[position]) + shift) % 10) + isbn13[position + 1 :]

    with pytest.raises(IdentifierError):
        normalize_isbn(mistyped)


def test_979_isbn_has_no_isbn10():
    assert isbn13_to_isbn10("9791090636071") == ""


# --- arXiv ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "arxiv_id"),
    [
        ("1905.05393", "1905.05393"),
        ("1905.05393v2", "1905.05393"),
        ("arXiv:1905.05393", "1905.05393"),
        ("arxiv: 1905.05393v1", "1905.05393"),
        ("https://arxiv.org/abs/1905.05393v3", "1905.05393"),
        ("http://arxiv.org/abs/1905.05393", "1905.05393"),
        ("https://arxiv.org/pdf/1905.05393.pdf", "1905.05393"),
        ("https://arxiv.org/pdf/1905.05393v2", "1905.05393"),
        ("https://export.arxiv.org/abs/1905.05393?context=cs", "1905.05393"),
        ("0704.0001", "0704.0001"),  # the first new-style id: four digits until 2014
        ("cs/0112017", "cs/0112017"),
        ("cs/0112017v1", "cs/0112017"),
        ("math.GT/0309136", "math/0309136"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/math.GT/0309136v2", "math/0309136"),
    ],
)
def test_arxiv_forms_give_the_id_without_version(raw, arxiv_id):
    assert normalize_arxiv_id(raw) == arxiv_id


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1905.0539", "1905.0539 is not a valid arXiv id: ids from 2019 have five digits after the dot."),
        ("1913.05393", "1913.05393 is not a valid arXiv id: it should start with a year and month, such as 1905."),
        ("0612.0001", "0612.0001 is not a valid arXiv id: it should start with a year and month, such as 1905."),
        ("cs/0113017", "cs/0113017 is not a valid arXiv id: the month in it does not exist."),
        ("arXiv:nonsense", "arXiv:nonsense is not a valid arXiv id: arXiv ids look like 1905.05393 or cs/0112017."),
        ("https://example.com/abs/1905.05393", "https://example.com/abs/1905.05393 is not a link to an arXiv paper."),
        ("", "Enter an arXiv id."),
    ],
)
def test_invalid_arxiv_id_is_refused_with_a_message(raw, message):
    with pytest.raises(IdentifierError) as error:
        normalize_arxiv_id(raw)

    assert str(error.value) == message


# --- DOI -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("10.1038/nature14539", "10.1038/nature14539"),
        ("10.1038/NATURE14539", "10.1038/nature14539"),
        ("doi:10.1038/nature14539", "10.1038/nature14539"),
        ("DOI: 10.1038/nature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("http://dx.doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0", None),
        ("10.48550/arXiv.1905.05393", "10.48550/arxiv.1905.05393"),
    ],
)
def test_doi_forms_give_the_lower_case_doi(raw, doi):
    expected = doi or "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0"
    assert normalize_doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("10.1038", "10.1038 is not a valid DOI: a DOI looks like 10.1038/nature14539."),
        ("11.1038/nature14539", "11.1038/nature14539 is not a valid DOI: a DOI looks like 10.1038/nature14539."),
        ("10.1038/nature 14539", "10.1038/nature 14539 is not a valid DOI: a DOI looks like 10.1038/nature14539."),
        ("https://example.com/10.1038/x", "https://example.com/10.1038/x is not a doi.org link."),
        ("", "Enter a DOI."),
    ],
)
def test_invalid_doi_is_refused_with_a_message(raw, message):
    with pytest.raises(IdentifierError) as error:
        normalize_doi(raw)

    assert str(error.value) == message


# --- detect() ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "identifier"),
    [
        ("1905.05393", Identifier("arxiv", "1905.05393")),
        ("  arXiv:1905.05393v2 ", Identifier("arxiv", "1905.05393")),
        ("cs/0112017", Identifier("arxiv", "cs/0112017")),
        ("https://arxiv.org/abs/1905.05393v3", Identifier("arxiv", "1905.05393")),
        ("arxiv.org/abs/1905.05393", Identifier("arxiv", "1905.05393")),
        ("10.1038/nature14539", Identifier("doi", "10.1038/nature14539")),
        ("doi:10.1038/nature14539", Identifier("doi", "10.1038/nature14539")),
        ("https://doi.org/10.1038/nature14539", Identifier("doi", "10.1038/nature14539")),
        ("doi.org/10.1038/nature14539", Identifier("doi", "10.1038/nature14539")),
        ("978-0-465-09760-9", Identifier("isbn", "9780465097609")),
        ("ISBN 0-375-42372-9", Identifier("isbn", "9780375423727")),
        ("046509760X", Identifier("isbn", "9780465097609")),
        (
            "https://distill.pub/2017/feature-visualization/",
            Identifier("url", "https://distill.pub/2017/feature-visualization/"),
        ),
        ("https://arxiv.org/list/cs.LG/recent", Identifier("url", "https://arxiv.org/list/cs.LG/recent")),
        ("http://www.deeplearningbook.org", Identifier("url", "http://www.deeplearningbook.org")),
    ],
)
def test_detect_recognises_what_was_pasted(raw, identifier):
    assert detect(raw) == identifier


@pytest.mark.parametrize(
    "raw", ["", "   ", "hello", "1234", "deep learning book", "ftp://example.com/x", "12345678901"]
)
def test_detect_refuses_garbage_with_the_paste_hint(raw):
    with pytest.raises(IdentifierError) as error:
        detect(raw)

    assert str(error.value) == "Paste a link, an arXiv id, a DOI or an ISBN."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("978-0-465-09760-8", "978-0-465-09760-8 is not a valid ISBN: its check digit is wrong."),
        ("arXiv:1905.0539", "arXiv:1905.0539 is not a valid arXiv id: ids from 2019 have five digits after the dot."),
        ("doi:10.1038", "doi:10.1038 is not a valid DOI: a DOI looks like 10.1038/nature14539."),
        ("https://", "https:// is not a link we can open. Paste a link, an arXiv id, a DOI or an ISBN."),
    ],
)
def test_detect_explains_a_recognisable_but_wrong_identifier(raw, message):
    with pytest.raises(IdentifierError) as error:
        detect(raw)

    assert str(error.value) == message


def test_identifier_is_immutable():
    identifier = Identifier("doi", "10.1038/nature14539")

    with pytest.raises(AttributeError):
        identifier.value = "10.1/x"  # type: ignore[misc]


# --- Django validators ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("validator", "valid", "invalid", "message"),
    [
        (
            validate_isbn,
            "978-0-465-09760-9",
            "978-0-14-303943-2",
            "978-0-14-303943-2 is not a valid ISBN: its check digit is wrong.",
        ),
        (
            validate_arxiv_id,
            "1905.05393v2",
            "1905.0539",
            "1905.0539 is not a valid arXiv id: ids from 2019 have five digits after the dot.",
        ),
        (
            validate_doi,
            "doi:10.1038/nature14539",
            "10.1038",
            "10.1038 is not a valid DOI: a DOI looks like 10.1038/nature14539.",
        ),
    ],
)
def test_validators_raise_validation_error_with_the_same_message(validator, valid, invalid, message):
    validator(valid)

    with pytest.raises(ValidationError) as error:
        validator(invalid)

    assert error.value.messages == [message]
    assert error.value.code == "invalid"


def test_validators_can_be_named_in_migrations():
    from django.db.migrations.serializer import serializer_factory

    source, imports = serializer_factory(validate_isbn).serialize()

    assert source == "reading.identifiers.validate_isbn"
    assert imports == {"import reading.identifiers"}


@pytest.mark.parametrize(
    ("eprint", "primary_class", "arxiv_id"),
    [
        ("0412083", "quant-ph", "quant-ph/0412083"),
        ("0412083v3", "quant-ph", "quant-ph/0412083"),
        ("0309136", "math.GT", "math/0309136"),
        ("quant-ph/0412083", "", "quant-ph/0412083"),
        ("arXiv:1905.05393v1", "cs.LG", "1905.05393"),
    ],
)
def test_an_eprint_takes_its_archive_from_the_primary_class(eprint, primary_class, arxiv_id):
    assert normalize_arxiv_eprint(eprint, primary_class) == arxiv_id


def test_an_old_style_number_without_its_class_is_refused():
    with pytest.raises(IdentifierError, match="arXiv ids look like"):
        normalize_arxiv_eprint("0412083")


@pytest.mark.parametrize(
    "raw", ["doi.org/10.1038/nature14539", "dx.doi.org/10.1038/nature14539", "doi: https://doi.org/10.1038/nature14539"]
)
def test_a_doi_link_without_its_scheme_or_behind_doi_colon_is_read(raw):
    assert normalize_doi(raw) == "10.1038/nature14539"


@pytest.mark.parametrize(
    ("normalize", "args"),
    [
        (normalize_arxiv_id, ["١٩٠٥.٠٥٣٩٣"]),  # Arabic-Indic digits
        (normalize_arxiv_id, ["cs/０１１２０１７"]),  # full-width digits
        (normalize_doi, ["10.١٢٣٤/abc"]),
        (normalize_arxiv_eprint, ["٠٤١٢٠٨٣", "quant-ph"]),
    ],
)
def test_identifiers_of_other_scripts_digits_are_refused(normalize, args):
    # Python's \d matches every script's digits; an identifier is written in ASCII digits only.
    with pytest.raises(IdentifierError):
        normalize(*args)
