"""Every email's subject is one line with the site's prefix, whatever people typed."""

from __future__ import annotations

from django.core.mail import EmailMessage
from hypothesis import given
from hypothesis import strategies as st

from learningday.mail import MAX_SUBJECT, subject

PREFIX = "[Learning Day] "


def test_a_subject_has_the_sites_prefix():
    assert subject("Claim to decide: The Book of Why") == PREFIX + "Claim to decide: The Book of Why"


def test_line_breaks_and_control_characters_become_one_space():
    text = "Claim to decide: Book\r\nBcc: someone@example.com\x00\x85\u2028end\tof\x0bit"
    assert subject(text) == PREFIX + "Claim to decide: Book Bcc: someone@example.com end of it"


def test_bidi_controls_are_taken_out():
    assert subject("Claim paid: \u202egnp.exe\u202c") == PREFIX + "Claim paid: gnp.exe"


def test_a_long_subject_is_cut_with_an_ellipsis():
    made = subject("x" * 10_000)
    assert len(made) == len(PREFIX) + MAX_SUBJECT
    assert made.endswith("…")


@given(st.text())
def test_any_text_makes_a_subject_django_can_send(text):
    made = subject(text)
    assert "\n" not in made and "\r" not in made
    EmailMessage(made, "body", "from@example.com", ["to@example.com"]).message()  # BadHeaderError otherwise
