"""BibTeX export and import: round trips, citation keys, LaTeX, and per-entry errors."""

from __future__ import annotations

import dataclasses
import re

import bibtexparser
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reading.bibtex import BibRecord, BibtexError, ParsedEntry, export_bibtex, parse_bibtex

PBA = BibRecord(
    key="",
    kind="paper",
    title="Population Based Augmentation: Efficient Learning of Augmentation Policy Schedules",
    authors=["Daniel Ho", "Eric Liang", "Ion Stoica", "Pieter Abbeel", "Xi Chen"],
    year=2019,
    url="https://arxiv.org/abs/1905.05393",
    arxiv_id="1905.05393",
)
DEEP_LEARNING = BibRecord(
    key="",
    kind="paper",
    title="Deep learning",
    authors=["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"],
    year=2015,
    doi="10.1038/nature14539",
)
BOOK_OF_WHY = BibRecord(
    key="",
    kind="book",
    title="The Book of Why: The New Science of Cause and Effect",
    authors=["Judea Pearl", "Dana Mackenzie"],
    year=2018,
    isbn="9780465097609",
    note="Chapter 1 is the one to read before Thursday.",
)
ACCENTS_AND_BRACES = BibRecord(
    key="",
    kind="book",
    title="Gödel, Escher, Bach — ein {Endloses} Geflochtenes Band & 100% $5 #1 a_b ~ ^ \\ -- ``x''",
    authors=["Douglas R. Hofstadter", "Philipp Krähenbühl", "Łukasz Kaiser", "Élodie Müller-Schrödinger"],
    year=1979,
    isbn="9780465026562",
)
OTHER_KINDS = [
    BibRecord(key="", kind="tutorial", title="Feature Visualization", authors=["Chris Olah"], year=2017,
              url="https://distill.pub/2017/feature-visualization/"),
    BibRecord(key="", kind="course", title="Deep Unsupervised Learning", authors=["Pieter Abbeel"], year=2019,
              url="https://sites.google.com/view/berkeley-cs294-158-sp19/home"),
    BibRecord(key="", kind="video", title="Intro to Large Language Models", authors=["Andrej Karpathy"], year=2023,
              url="https://www.youtube.com/watch?v=zjkBMFhNj_g"),
    BibRecord(key="", kind="code", title="Population Based Augmentation", authors=[], year=None,
              url="https://github.com/arcelien/pba"),
]  # fmt: skip


def records_of(parsed: list[ParsedEntry]) -> list[BibRecord]:
    assert [entry.errors for entry in parsed] == [[] for _ in parsed]
    return [entry.record for entry in parsed]


def without_keys(records) -> list[BibRecord]:
    return [dataclasses.replace(record, key="") for record in records]


# --- Round trip --------------------------------------------------------------------------


def test_round_trip_keeps_titles_authors_years_and_identifiers():
    records = [PBA, DEEP_LEARNING, BOOK_OF_WHY, ACCENTS_AND_BRACES, *OTHER_KINDS]

    parsed = parse_bibtex(export_bibtex(records))

    assert without_keys(records_of(parsed)) == records


def test_round_trip_keeps_old_style_arxiv_ids_and_et_al():
    record = dataclasses.replace(PBA, arxiv_id="math/0309136", authors=["Daniel Ho", "et al."])

    (parsed,) = parse_bibtex(export_bibtex([record]))

    assert parsed.record.arxiv_id == "math/0309136"
    assert parsed.record.authors == ["Daniel Ho", "et al."]


def test_round_trip_keeps_organisations_with_and_or_commas_whole():
    record = dataclasses.replace(DEEP_LEARNING, authors=["Johnson and Johnson", "OpenAI, Inc.", "Yann LeCun"])

    (parsed,) = parse_bibtex(export_bibtex([record]))

    assert parsed.record.authors == ["Johnson and Johnson", "OpenAI, Inc.", "Yann LeCun"]


title_text = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 äöüéèçñßøåŁłÉ—–“”'\"`-{}&%$#_~^\\.,:;!?()[]/@")), min_size=1, max_size=60
).filter(lambda text: text.strip())


@given(title=title_text)
@example(title="?`")  # TeX's ligature for ¿, found by this test
@example(title="Why?` and !`")
def test_any_title_survives_the_round_trip(title):
    record = dataclasses.replace(DEEP_LEARNING, title=title)

    (parsed,) = parse_bibtex(export_bibtex([record]))

    assert parsed.record.title == " ".join(title.split())


# --- Export --------------------------------------------------------------------------------


def test_export_writes_arxiv_papers_with_eprint_and_archive_prefix():
    text = export_bibtex([PBA])

    assert text.startswith("@article{ho2019population,")
    assert "author = {Daniel Ho and Eric Liang and Ion Stoica and Pieter Abbeel and Xi Chen}" in text
    assert "year = {2019}" in text
    assert "eprint = {1905.05393}" in text
    assert "archivePrefix = {arXiv}" in text
    assert "url = {https://arxiv.org/abs/1905.05393}" in text


def test_export_writes_books_with_isbn_and_papers_with_doi():
    text = export_bibtex([BOOK_OF_WHY, DEEP_LEARNING])

    assert "@book{pearl2018book," in text
    assert "isbn = {9780465097609}" in text
    assert "@article{lecun2015deep," in text
    assert "doi = {10.1038/nature14539}" in text


def test_export_writes_other_kinds_as_misc_saying_what_they_are():
    library = bibtexparser.parse_string(export_bibtex(OTHER_KINDS))

    assert [(entry.entry_type, entry["howpublished"]) for entry in library.entries] == [
        ("misc", "Tutorial"),
        ("misc", "Course"),
        ("misc", "Video"),
        ("misc", "Code"),
    ]


def test_export_escapes_latex_specials_so_nothing_is_lost_in_latex():
    text = export_bibtex([ACCENTS_AND_BRACES])
    title_line = next(line for line in text.splitlines() if line.strip().startswith("title"))

    assert r"G{\"o}del" in title_line
    assert r"\&" in title_line and r"\%" in title_line and r"\$" in title_line
    # A bare % would comment out the rest of the line in LaTeX; a bare & breaks it.
    assert not re.search(r"(?<!\\)[%&]", title_line)
    assert r"Kr{\"a}henb{\"u}hl" in text


def test_export_writes_braces_so_that_bibtex_still_sees_them_balanced():
    text = export_bibtex([dataclasses.replace(DEEP_LEARNING, title="Sets {x | x > 0} and a lone {")])

    assert text.count("{") == text.count("}")


def test_export_protects_the_capitals_of_titles():
    assert "title = {{Deep learning}}" in export_bibtex([DEEP_LEARNING])


def test_export_writes_the_note_as_annote_so_styles_do_not_print_it():
    text = export_bibtex([BOOK_OF_WHY])

    assert "annote = {Chapter 1 is the one to read before Thursday.}" in text
    assert "\n  note =" not in text


def test_export_makes_unique_citation_keys():
    same = dataclasses.replace(PBA, arxiv_id="")
    records = [PBA, same, same, DEEP_LEARNING]

    keys = [entry.key for entry in bibtexparser.parse_string(export_bibtex(records)).entries]

    assert keys == ["ho2019population", "ho2019populationb", "ho2019populationc", "lecun2015deep"]


def test_export_keeps_given_keys_and_makes_them_unique_and_safe():
    records = [
        dataclasses.replace(PBA, key="pba"),
        dataclasses.replace(DEEP_LEARNING, key="PBA"),
        dataclasses.replace(BOOK_OF_WHY, key="book of {why}, 2018"),
    ]

    keys = [entry.key for entry in bibtexparser.parse_string(export_bibtex(records)).entries]

    assert keys == ["pba", "PBAb", "bookofwhy2018"]


def test_export_key_skips_small_words_and_folds_accents():
    record = BibRecord(key="", kind="book", title="The Ökonomie of Attention", authors=["Łukasz Müller"], year=2001)

    assert export_bibtex([record]).startswith("@book{muller2001okonomie,")


def test_export_of_nothing_is_an_empty_file():
    assert export_bibtex([]) == ""


# --- Import ---------------------------------------------------------------------------------

FROM_ELSEWHERE = r"""
% Exported from a reference manager
@string{nat = "Nature"}

@article{LeCun2015,
  author    = {LeCun, Yann and Bengio, Yoshua and Hinton, Geoffrey},
  title     = {Deep
               learning},
  journal   = nat,
  year      = 2015,
  doi       = {https://doi.org/10.1038/NATURE14539},
}

@book{pearl,
  author = {Pearl, Judea and Mackenzie, Dana},
  title = "The {Book} of {Why}: The New Science of Cause and Effect",
  publisher = {Basic Books},
  year = {2018},
  isbn = {978-0-465-09760-9},
}

@misc{schroedinger,
  author = {Schr{\"o}dinger, Erwin and M{\"{u}}ller, Hans and {\'E}mile Zola and {\L}ukasz Kaiser},
  title = {{\"U}ber {DNA} \& Leben: 50\% {\"a}lter},
  howpublished = {\url{https://example.org/dna}},
  note = {Accessed 2024-05-01},
}

@online{pba,
  author = {Ho, Daniel and others},
  title = {Population Based Augmentation},
  date = {2019-05-14},
  eprinttype = {arxiv},
  eprint = {1905.05393v1},
}

@comment{ignored}
"""


def test_import_reads_entries_from_other_tools():
    parsed = parse_bibtex(FROM_ELSEWHERE)

    assert [entry.raw_key for entry in parsed] == ["LeCun2015", "pearl", "schroedinger", "pba"]
    lecun, pearl, schroedinger, pba = records_of(parsed)
    assert lecun == BibRecord(
        key="LeCun2015",
        kind="paper",
        title="Deep learning",
        authors=["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"],
        year=2015,
        doi="10.1038/nature14539",
    )
    assert pearl == dataclasses.replace(BOOK_OF_WHY, key="pearl", note="")
    assert pba.kind == "paper"
    assert (pba.arxiv_id, pba.year, pba.authors) == ("1905.05393", 2019, ["Daniel Ho", "et al."])
    assert schroedinger.url == "https://example.org/dna"


def test_import_turns_latex_into_plain_unicode():
    schroedinger = records_of(parse_bibtex(FROM_ELSEWHERE))[2]

    assert schroedinger.title == "Über DNA & Leben: 50% älter"
    assert schroedinger.authors == ["Erwin Schrödinger", "Hans Müller", "Émile Zola", "Łukasz Kaiser"]


def test_import_does_not_take_note_as_the_reason_to_read():
    schroedinger = records_of(parse_bibtex(FROM_ELSEWHERE))[2]

    assert schroedinger.note == ""


def test_import_leaves_out_fields_it_cannot_use_with_a_note_and_keeps_the_entry():
    text = r"""
@article{good1, title = {Deep learning}, author = {LeCun, Yann}, year = {2015}, doi = {10.1038/nature14539}}
@article{untitled, author = {Nobody, A.}, year = {2020}}
@book{badisbn, title = {The Book of Why}, isbn = {978-0-465-09760-8}}
@article{baddoi, title = {A paper}, doi = {nature14539}}
@article{badyear, title = {A paper}, year = {in press}}
@article{badarxiv, title = {A paper}, eprint = {1905.0539}, archivePrefix = {arXiv}}
@article{many, title = {Many}, year = {forthcoming}, isbn = {123}}
@book{good2, title = {The Information}, isbn = {0-375-42372-9}}
"""
    parsed = parse_bibtex(text)

    assert [(entry.raw_key, entry.errors, entry.notes) for entry in parsed] == [
        ("good1", [], []),
        ("untitled", ["It has no title."], []),
        ("badisbn", [], ["978-0-465-09760-8 is not a valid ISBN: its check digit is wrong. The ISBN was left out."]),
        ("baddoi", [], ["nature14539 is not a valid DOI: a DOI looks like 10.1038/nature14539. The DOI was left out."]),
        ("badyear", [], ["The year “in press” is not a number: it was left out."]),
        (
            "badarxiv",
            [],
            [
                "1905.0539 is not a valid arXiv id: ids from 2019 have five digits after the dot. "
                "The arXiv id was left out."
            ],
        ),
        (
            "many",
            [],
            [
                "123 is not a valid ISBN: an ISBN has 10 or 13 digits, this one has 3. The ISBN was left out.",
                "The year “forthcoming” is not a number: it was left out.",
            ],
        ),
        ("good2", [], []),
    ]
    assert [entry.record is None for entry in parsed] == [False, True, False, False, False, False, False, False]
    assert (parsed[2].record.title, parsed[2].record.isbn) == ("The Book of Why", "")
    assert parsed[-1].record.isbn == "9780375423727"
    assert [entry.line for entry in parsed] == [2, 3, 4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize("year", ["{²²²²}", "{፩፱፻፹}", "{٢٠١٩}", "{2019²}"])
def test_import_leaves_out_a_year_of_other_scripts_digits(year):
    (parsed,) = parse_bibtex(f"@article{{k, title = {{T}}, year = {year}}}")

    assert parsed.record.year is None
    assert parsed.notes == [f"The year “{year.strip('{}')}” is not a number: it was left out."]


def test_import_leaves_out_a_year_the_reading_list_cannot_hold():
    old, future, endless = parse_bibtex(
        "@book{old, title = {Principia}, year = {1687}}\n@book{x, title = {X}, year = {99999}}\n"
        f"@book{{y, title = {{Y}}, year = {{{'9' * 5000}}}}}"  # more digits than Python's int() reads
    )

    assert old.record.year == 1687
    assert (future.record.year, future.notes) == (
        None,
        ["The year 99999 is not between 1400 and 2100: it was left out."],
    )
    assert endless.record.year is None
    assert "is not between 1400 and 2100" in endless.notes[0]


# --- What reference managers write (Mendeley, Zotero, JabRef) ----------------------------------


def test_import_keeps_the_first_of_several_links_and_takes_identifiers_from_the_others():
    (parsed,) = parse_bibtex(
        "@article{k, title = {T},\n"
        "url = {https://www.nature.com/articles/nature14539 http://dx.doi.org/10.1038/nature14539\n"
        "       http://arxiv.org/abs/quant-ph/0412083v2}}"
    )

    assert parsed.notes == []
    assert parsed.record.url == "https://www.nature.com/articles/nature14539"
    assert (parsed.record.doi, parsed.record.arxiv_id) == ("10.1038/nature14539", "quant-ph/0412083")


def test_import_leaves_out_a_link_that_is_not_one():
    (parsed,) = parse_bibtex("@misc{k, title = {T}, url = {file:///home/me/paper.pdf}}")

    assert parsed.record.url == ""
    assert parsed.notes == ["The link “file:///home/me/paper.pdf” is not a web address we can use: it was left out."]


@pytest.mark.parametrize(
    "fields",
    [
        "arxivId = {quant-ph/0412083}",
        "eprint = {0412083}, primaryClass = {quant-ph}, archivePrefix = {arXiv}",
        "eprint = {0412083v2}, primaryClass = {quant-ph}",
        # What Mendeley writes: both, with the number alone in eprint.
        "archivePrefix = {arXiv}, arxivId = {quant-ph/0412083}, eprint = {0412083}, primaryClass = {quant-ph}",
        "eprint = {arXiv:quant-ph/0412083}",
    ],
)
def test_import_reads_old_style_arxiv_ids_as_reference_managers_write_them(fields):
    (parsed,) = parse_bibtex(f"@article{{k, title = {{T}}, {fields}}}")

    assert (parsed.errors, parsed.notes) == ([], [])
    assert parsed.record.arxiv_id == "quant-ph/0412083"


def test_import_reads_an_old_style_arxiv_id_with_a_subject_class():
    (parsed,) = parse_bibtex("@article{k, title = {T}, eprint = {0309136}, primaryClass = {math.GT}}")

    assert parsed.record.arxiv_id == "math/0309136"


@pytest.mark.parametrize(
    "doi",
    [
        "https://doi.org/10.1038/nature14539",
        "http://dx.doi.org/10.1038/nature14539",
        "doi.org/10.1038/nature14539",
        "doi: https://doi.org/10.1038/NATURE14539",
    ],
)
def test_import_reads_a_doi_written_as_a_link(doi):
    (parsed,) = parse_bibtex(f"@article{{k, title = {{T}}, doi = {{{doi}}}}}")

    assert (parsed.record.doi, parsed.notes) == ("10.1038/nature14539", [])


@pytest.mark.parametrize("issn", ["0028-0836", "1476-4687", "2049-362X", "00280836"])
def test_import_leaves_out_an_issn_in_the_isbn_field_with_a_note(issn):
    (parsed,) = parse_bibtex(f"@article{{k, title = {{T}}, isbn = {{{issn}}}}}")

    assert parsed.errors == []
    assert parsed.record.isbn == ""
    assert parsed.notes == [
        f"“{issn}” in the isbn field is an ISSN (a journal's number), not an ISBN. The ISBN was left out."
    ]


def test_import_takes_the_first_valid_isbn_of_several():
    (parsed,) = parse_bibtex("@book{k, title = {T}, isbn = {0028-0836, 978-0-465-09760-9; 0465097601}}")

    assert (parsed.record.isbn, parsed.notes) == ("9780465097609", [])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (r"{{A study of $\alpha$-divergences}}", r"A study of $\alpha$-divergences"),
        (r"{$O(n \log n)$ sorting with {\em no} comparisons}", r"$O(n \log n)$ sorting with no comparisons"),
        (r"{Costs under \$100}", "Costs under $100"),
        (r"{{\textless}i{\textgreater}In vivo{\textless}/i{\textgreater} learning}", "In vivo learning"),
        (r"{Sch{\"o}nes {\'E}t{\'e} in {M{\"{u}}nchen}}", "Schönes Été in München"),
    ],
)
def test_import_reads_maths_markup_accents_and_braces_in_titles(title, expected):
    (parsed,) = parse_bibtex(f"@article{{k, title = {title}}}")

    assert (parsed.record.title, parsed.notes) == (expected, [])


def test_import_cuts_a_title_longer_than_the_list_holds_with_a_note():
    (parsed,) = parse_bibtex("@article{k, title = {" + "word " * 100 + "}}")

    assert len(parsed.record.title) == 300
    assert parsed.notes == ["The title was cut to 300 characters."]


def test_import_keeps_the_first_authors_of_a_large_collaboration():
    authors = " and ".join(f"Person{i}, A." for i in range(250))
    (parsed,) = parse_bibtex(f"@article{{k, title = {{T}}, author = {{{authors}}}}}")

    assert len(parsed.record.authors) == 100
    assert parsed.record.authors[-2:] == ["A. Person98", "et al."]
    assert parsed.notes == ["Only the first 99 of 250 authors were kept, then “et al.”."]


def test_import_keeps_both_entries_that_share_a_key():
    text = "@article{same, title = {First}}\n@article{same, title = {Second}}\n"

    assert [entry.record.title for entry in parse_bibtex(text)] == ["First", "Second"]


def test_import_refuses_an_entry_with_its_title_twice():
    (parsed,) = parse_bibtex("@article{twice, title = {One}, title = {Two}}")

    assert parsed.raw_key == "twice"
    assert parsed.record is None
    assert parsed.errors == ["It has more than one title field."]


def test_import_leaves_out_another_field_given_twice_with_a_note():
    (parsed,) = parse_bibtex("@article{twice, title = {{One}}, year = {2019}, year = {2020}, doi = {10.1038/x}}")

    assert (parsed.record.title, parsed.record.year, parsed.record.doi) == ("One", None, "10.1038/x")
    assert parsed.notes == ["It has more than one year field: both were left out."]


@pytest.mark.parametrize(
    ("entry_type", "fields", "kind"),
    [
        ("inproceedings", "", "paper"),
        ("phdthesis", "", "paper"),
        ("incollection", "", "paper"),
        ("inbook", "", "book"),
        ("software", "", "code"),
        ("misc", "howpublished = {Video},", "video"),
        ("misc", "eprint = {1905.05393},", "paper"),
        ("misc", "isbn = {9780465097609},", "book"),
        ("misc", "url = {https://distill.pub/2017/feature-visualization/},", "tutorial"),
    ],
)
def test_import_guesses_the_kind_from_the_entry_type(entry_type, fields, kind):
    (parsed,) = parse_bibtex(f"@{entry_type}{{k, title = {{T}}, {fields}}}")

    assert parsed.record.kind == kind


# --- Files that are not BibTeX ------------------------------------------------------------------


def test_broken_file_raises_a_clear_error_naming_the_line():
    text = """@article{good, title = {Deep learning}, year = {2015}}

@book{broken, title = {The Book of Why, year = {2018}
@article{after, title = {Deep learning}}
"""
    with pytest.raises(BibtexError) as error:
        parse_bibtex(text)

    assert str(error.value) == (
        "The file is not valid BibTeX: the entry starting on line 3 could not be read. "
        "Check its braces, quotes and commas, then upload the file again."
    )


def test_file_cut_off_in_the_middle_raises_a_clear_error():
    with pytest.raises(BibtexError, match="line 1 could not be read"):
        parse_bibtex("@article{cut, title = {Deep lea")


@pytest.mark.parametrize("text", ["", "   \n", "Title,Authors,Year\nDeep learning,LeCun,2015\n", "@comment{only}"])
def test_file_without_entries_raises_a_clear_error(text):
    with pytest.raises(BibtexError) as error:
        parse_bibtex(text)

    assert str(error.value) == "The file holds no BibTeX entries (such as @article{...} or @book{...})."
