"""What every email the site sends has in common: its subject line."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings

__all__ = ["MAX_SUBJECT", "subject"]

MAX_SUBJECT = 150  # characters of the text after the prefix; mail clients show far fewer
# Bidirectional embeddings, overrides and isolates: they reorder what a reader sees.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def subject(text: str) -> str:
    """The site's prefix and ``text`` as one line: every email's subject is made here.

    Subjects carry what people typed (a claim's description). Django refuses to send a
    message whose subject holds a CR or LF (BadHeaderError), so a line break typed into a
    form would lose the email; here every line break, control character and run of
    whitespace becomes one space, bidi controls go, and a long text is cut with an ellipsis.
    """
    text = _BIDI_CONTROLS.sub("", text)
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    line = " ".join(text.split())  # str.split() splits at every Unicode line break and space
    if len(line) > MAX_SUBJECT:
        line = line[: MAX_SUBJECT - 1].rstrip() + "…"
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + line
