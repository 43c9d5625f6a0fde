"""A reference manager's export of any size, in the shapes Mendeley Desktop writes.

Made, not recorded: the entries are invented (DOIs under 10.5555, Crossref's test prefix;
ISBNs under 978-1-5555), but each field is written as Mendeley writes it: titles in
double braces, several links in ``url``, ``arxivId`` next to an ``eprint`` that holds
only the number of an old-style id, an ISSN in ``isbn``, DOIs as links, maths and LaTeX
accents, abstracts, file paths and groups. Used by tests/reading/test_import.py and
bench/bibtex_import.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

WORDS = [
    *("learning", "network", "neural", "deep", "model", "data", "training", "graph", "policy", "gradient"),
    *("sparse", "attention", "bayesian", "inference", "kernel", "optimal", "transport", "quantum", "causal"),
    *("robust", "estimation", "convex", "language", "vision", "generative", "adversarial", "spectral"),
]
SURNAMES = [
    r"Schr{\"{o}}dinger",
    r"M{\"u}ller",
    r"Garc{\'{i}}a",
    r"{\L}ukasiewicz",
    "Smith",
    "Nguyen",
    "Okafor",
    r"Dvo{\v{r}}{\'{a}}k",
    "Tanaka",
    r"Bront{\"{e}}",
]
KEYS = ["Schrodinger", "Muller", "Garcia", "Lukasiewicz", "Smith", "Nguyen", "Okafor", "Dvorak", "Tanaka", "Bronte"]
GIVEN = ["Anna", "Jos{\\'{e}}", "Wei", "Ngozi", "Erwin", "{\\AA}sa", "Pierre-Yves", "Maria", "Kenji", "Ola"]


@dataclass(frozen=True)
class Expected:
    """What importing the file into an empty list must give."""

    entries: int
    errors: int  # entries without a title
    repeats: int  # entries that repeat an earlier entry of the file
    noted: int  # entries that come in with a field left out

    @property
    def addable(self) -> int:
        return self.entries - self.errors - self.repeats


def _isbn13(twelve: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return twelve + str((10 - total % 10) % 10)


def _abstract(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(90, 160))).capitalize() + "."


def _authors(rng: random.Random, count: int) -> str:
    return " and ".join(f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(count))


def _entry(i: int, rng: random.Random) -> tuple[str, str, dict[str, str], bool]:
    """Entry type, key and fields of the i-th entry, and whether a field of it will be left out."""
    shape = i % 10
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7)))
    title = f"{words.capitalize()} {i}"
    year = str(1995 + i % 30)
    doi = f"10.5555/mendeley.{i}"
    fields = {
        "abstract": _abstract(rng),
        "author": _authors(rng, rng.randint(1, 6)),
        "file": f":home/anna/Documents/Mendeley Desktop/paper{i}.pdf:pdf",
        "keywords": ", ".join(rng.sample(WORDS, 3)),
        "mendeley-groups": "Reading group/Thursday",
        "title": "{" + title + "}",
        "year": year,
    }
    noted = False
    if shape == 0:  # a new-style arXiv preprint, two links separated by a space
        arxiv = f"{15 + i % 9}{1 + i % 12:02d}.{10000 + i:05d}"
        fields |= {
            "archivePrefix": "arXiv",
            "arxivId": arxiv,
            "eprint": arxiv,
            "primaryClass": "cs.LG",
            "url": f"http://arxiv.org/abs/{arxiv} http://arxiv.org/pdf/{arxiv}",
        }
        entry_type = "article"
    elif shape == 1:  # an old-style arXiv id as Mendeley splits it, links on two lines
        arxiv = f"04{1 + i % 12:02d}{i:03d}"
        fields |= {
            "archivePrefix": "arXiv",
            "arxivId": f"quant-ph/{arxiv}",
            "eprint": arxiv,
            "primaryClass": "quant-ph",
            "url": f"http://arxiv.org/abs/quant-ph/{arxiv}\nhttps://example.org/mirror/quant-ph/{arxiv}",
        }
        entry_type = "article"
    elif shape == 2:  # a DOI written as a link and the journal's ISSN in isbn
        fields |= {"doi": f"https://doi.org/{doi}", "isbn": "1476-4687", "issn": "0028-0836", "journal": "Nature"}
        noted = True
        entry_type = "article"
    elif shape == 3:  # a plain DOI, the publisher's page and the DOI link in url
        fields |= {
            "doi": doi,
            "journal": "Journal of Machine Learning Research",
            "pages": "1--42",
            "url": f"https://publisher.example/article/{i} http://dx.doi.org/{doi}",
            "volume": str(i % 20 + 1),
        }
        entry_type = "article"
    elif shape == 4:  # a book with an ISBN-10, hyphenated
        isbn = _isbn13(f"97815555{i:04d}")
        isbn10 = f"{isbn[3:4]}-{isbn[4:8]}-{isbn[8:12]}-{_isbn10_check(isbn[3:12])}"
        fields |= {"isbn": isbn10, "publisher": "MIT Press"}
        entry_type = "book"
    elif shape == 5:  # maths in the title
        fields |= {"doi": doi, "title": "{{On $\\alpha$-divergences and $O(n \\log n)$ " + title + "}}"}
        entry_type = "inproceedings"
    elif shape == 6:  # accents and protected capitals in the title
        fields |= {"doi": doi, "title": "{{{BERT} f{\\\"{u}}r {\\'{E}}t{\\'{e}}: " + title + "}}"}
        entry_type = "article"
    elif shape in (7, 8):  # no identifier and no link: known by title, year and first author
        entry_type = "misc" if shape == 7 else "phdthesis"
        fields |= {"school": 'Universit{\\"{a}}t Wien'} if shape == 8 else {"howpublished": "Lecture notes"}
    else:  # a year in superscript digits
        fields |= {"doi": doi, "year": "²⁰²²"}
        noted = True
        entry_type = "article"
    key = f"{KEYS[i % len(KEYS)]}{year}{words.split()[0]}{i}"
    return entry_type, key, fields, noted


def _isbn10_check(nine: str) -> str:
    check = (11 - sum((10 - p) * int(d) for p, d in enumerate(nine)) % 11) % 11
    return "X" if check == 10 else str(check)


def _write(entry_type: str, key: str, fields: dict[str, str]) -> str:
    # Mendeley writes one field per line, sorted by name, every value in braces.
    body = ",\n".join(f"{name} = {{{value}}}" for name, value in sorted(fields.items(), key=lambda f: f[0].lower()))
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def mendeley_export(count: int = 1000, *, seed: int = 12) -> tuple[str, Expected]:
    """A .bib file of ``count`` entries and what importing it into an empty list gives.

    Of every hundred entries, one has no title (refused), and two repeat an earlier
    entry of the file: the 49th by its DOI under another key, the 77th by title, year
    and first author (no identifier).
    """
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    made: list[tuple[str, str, dict[str, str], bool]] = []
    errors = repeats = noted = 0
    for i in range(count):
        if i % 100 == 99:
            entry_type, key, fields, _ = _entry(i, rng)
            del fields["title"]
            made.append((entry_type, key, fields, False))
            errors += 1
        elif i % 100 in (49, 77) and i >= 20:
            entry_type, key, fields, _ = made[i - 20 if i % 100 == 77 else i - 10]
            made.append((entry_type, f"{key}-again", dict(fields), False))
            repeats += 1
        else:
            made.append(_entry(i, rng))
            noted += made[-1][3]
    text = "% Mendeley export, made for the tests\n\n" + "\n".join(_write(t, k, f) for t, k, f, _ in made)
    return text, Expected(entries=count, errors=errors, repeats=repeats, noted=noted)
