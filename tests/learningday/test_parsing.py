"""Ids, numbers and slugs from people: ASCII digits only, bounded, None for anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learningday.parsing import MAX_ID, is_ascii_digits, parse_id, parse_int, parse_slug


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("42", 42), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_an_id_of_ascii_digits_is_read(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "0",
        "-1",
        "²",  # str.isdigit() is true, int() refuses it
        "፩",  # Ethiopic one: the same
        "٣",  # Arabic-Indic three: int() reads it as 3
        "１２",  # full-width
        " 1",
        "1 ",
        "+1",
        "1_000",
        "1e3",
        "0x10",
        "1.0",
        "NaN",
        str(MAX_ID + 1),
        "9" * 10_000,  # int() would refuse it only after reading 4,300 digits
        "1\x00",
    ],
)
def test_anything_else_is_no_id(text):
    assert parse_id(text) is None


def test_a_number_is_read_within_its_bounds_only():
    assert parse_int("-5", minimum=-10, maximum=10) == -5
    assert parse_int("11", minimum=-10, maximum=10) is None
    assert parse_int("--1", minimum=-10, maximum=10) is None
    assert parse_int("-", minimum=-10, maximum=10) is None


@given(st.text())
def test_no_text_makes_the_parsers_raise(text):
    assert parse_id(text) is None or 1 <= parse_id(text) <= MAX_ID
    assert parse_slug(text) in {None, text}
    assert is_ascii_digits(text) == (text != "" and all(c in "0123456789" for c in text))


@pytest.mark.parametrize(("text", "expected"), [("robotics", "robotics"), ("team-2_b", "team-2_b")])
def test_a_slug_is_kept(text, expected):
    assert parse_slug(text) == expected


@pytest.mark.parametrize("text", [None, "", "a\x00b", "ĉapelo", "a b", "a/b", "x" * 101, "robotics\n"])
def test_anything_else_is_no_slug(text):
    assert parse_slug(text) is None
