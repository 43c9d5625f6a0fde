"""Metadata lookups against a local stand-in for arXiv, Crossref and Open Library."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from reading.lookup import LookupFailed, Metadata, lookup
from tests.reading.fake_services import NOT_FOUND, FakeServices, Reply, atom_reply, data, json_reply

ARXIV_PATH = "/arxiv/query"
CROSSREF_PATH = "/crossref/works/10.1038/nature14539"
OPENLIBRARY_PATH = "/openlibrary/api/books"

PBA = Metadata(
    kind="paper",
    title="Population Based Augmentation: Efficient Learning of Augmentation Policy Schedules",
    authors=["Daniel Ho", "Eric Liang", "Ion Stoica", "Pieter Abbeel", "Xi Chen"],
    year=2019,
    url="https://arxiv.org/abs/1905.05393",
    arxiv_id="1905.05393",
    source="arXiv",
)
DEEP_LEARNING = Metadata(
    kind="paper",
    title="Deep learning",
    authors=["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"],
    year=2015,
    url="https://doi.org/10.1038/nature14539",
    doi="10.1038/nature14539",
    source="Crossref",
)
BOOK_OF_WHY = Metadata(
    kind="book",
    title="The Book of Why: The New Science of Cause and Effect",
    authors=["Judea Pearl", "Dana Mackenzie"],
    year=2018,
    url="https://openlibrary.org/books/OL26885207M/The_Book_of_Why",
    isbn="9780465097609",
    source="Open Library",
)


@pytest.fixture
def services(settings):
    fake = FakeServices()
    fake.start()
    settings.ARXIV_API_URL = f"{fake.url}{ARXIV_PATH}"
    settings.CROSSREF_API_URL = f"{fake.url}/crossref"
    settings.OPENLIBRARY_API_URL = f"{fake.url}/openlibrary"
    settings.METADATA_LOOKUP_TIMEOUT = 2.0
    settings.SITE_URL = "https://learningday.example.com"
    fake.reply(ARXIV_PATH, atom_reply("arxiv_1905.05393.xml"))
    fake.reply(CROSSREF_PATH, json_reply("crossref_nature14539.json"))
    fake.reply(OPENLIBRARY_PATH, json_reply("openlibrary_9780465097609.json"))
    yield fake
    fake.stop()


def crossref_work(**changes) -> bytes:
    work = json.loads(data("crossref_nature14539.json"))
    work["message"].update(changes)
    return json.dumps(work).encode()


# --- Each service fills in the details ------------------------------------------------


def test_arxiv_id_fills_in_the_paper(services):
    assert lookup("1905.05393") == PBA

    (request,) = services.requests_to(ARXIV_PATH)
    assert request.query["id_list"] == ["1905.05393"]


def test_arxiv_link_with_version_is_looked_up_without_it(services):
    assert lookup("https://arxiv.org/pdf/1905.05393v2.pdf") == PBA

    assert services.requests_to(ARXIV_PATH)[0].query["id_list"] == ["1905.05393"]


def test_arxiv_doi_is_looked_up_on_arxiv_not_crossref(services):
    assert lookup("https://doi.org/10.48550/arXiv.1905.05393") == PBA

    assert services.requests_to(ARXIV_PATH)
    assert len(services.received) == 1


def test_doi_fills_in_the_paper_from_crossref(services):
    assert lookup("https://doi.org/10.1038/nature14539") == DEEP_LEARNING

    (request,) = services.requests_to(CROSSREF_PATH)
    assert request.headers["Accept"] == "application/json"


def test_crossref_book_is_a_book_with_its_isbn_and_subtitle(services):
    path = "/crossref/works/10.1234/information"
    body = crossref_work(
        DOI="10.1234/information",
        type="book",
        title=["The <i>Information</i>"],
        subtitle=["A History, a Theory, a Flood"],
        author=[{"given": "James", "family": "Gleick", "sequence": "first", "affiliation": []}],
        issued={"date-parts": [[2011, 3, 1]]},
        ISBN=["0-375-42372-9", "978-0-375-42372-7"],
    )
    services.reply(path, json_reply(body))

    found = lookup("doi:10.1234/information")

    assert found.kind == "book"
    assert found.title == "The Information: A History, a Theory, a Flood"
    assert found.authors == ["James Gleick"]
    assert found.year == 2011
    assert found.isbn == "9780375423727"


def test_crossref_organisation_author_keeps_its_name(services):
    services.reply(CROSSREF_PATH, json_reply(crossref_work(author=[{"name": "The ATLAS Collaboration"}])))

    assert lookup("10.1038/nature14539").authors == ["The ATLAS Collaboration"]


def test_isbn_fills_in_the_book_from_open_library(services):
    assert lookup("978-0-465-09760-9") == BOOK_OF_WHY

    (request,) = services.requests_to(OPENLIBRARY_PATH)
    # One request asks under both numbers: older editions are filed under ISBN-10 only.
    assert request.query == {"bibkeys": ["ISBN:9780465097609,ISBN:046509760X"], "format": ["json"], "jscmd": ["data"]}


def test_isbn10_finds_the_book_filed_under_its_isbn10(services):
    filed_under_isbn10 = json.loads(data("openlibrary_9780465097609.json"))
    services.reply(
        OPENLIBRARY_PATH, json_reply(json.dumps({"ISBN:046509760X": filed_under_isbn10["ISBN:9780465097609"]}).encode())
    )

    assert lookup("ISBN 0-465-09760-X") == BOOK_OF_WHY


def test_requests_name_learning_day_and_the_site(services):
    lookup("1905.05393")
    lookup("10.1038/nature14539")
    lookup("9780465097609")

    for request in services.received:
        assert "Learning Day" in request.headers["User-Agent"]
        assert "https://learningday.example.com" in request.headers["User-Agent"]


# --- Cache ---------------------------------------------------------------------------


def test_second_identical_lookup_is_served_from_the_cache(services):
    assert lookup("1905.05393") == PBA
    assert lookup("1905.05393") == PBA

    assert len(services.requests_to(ARXIV_PATH)) == 1


@pytest.mark.parametrize(
    ("first", "second", "path"),
    [
        ("1905.05393", "https://arxiv.org/abs/1905.05393v3", ARXIV_PATH),
        ("10.1038/nature14539", "https://doi.org/10.1038/NATURE14539", CROSSREF_PATH),
        ("978-0-465-09760-9", "046509760X", OPENLIBRARY_PATH),
    ],
)
def test_cache_is_keyed_by_the_normalised_identifier(services, first, second, path):
    assert lookup(first) == lookup(second)

    assert len(services.requests_to(path)) == 1


def test_cached_result_is_fetched_again_after_a_day(services):
    with time_machine.travel(dt.datetime(2025, 3, 6, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        lookup("1905.05393")
        traveller.shift(dt.timedelta(hours=23))
        lookup("1905.05393")
        assert len(services.requests_to(ARXIV_PATH)) == 1

        traveller.shift(dt.timedelta(hours=2))
        lookup("1905.05393")
        assert len(services.requests_to(ARXIV_PATH)) == 2


def test_changing_the_cached_result_does_not_change_the_cache(services):
    lookup("1905.05393").authors.append("Someone Else")

    assert lookup("1905.05393") == PBA


# --- Links and input that no service can answer ----------------------------------------


def test_other_links_must_be_filled_in_by_hand_without_asking_anyone(services):
    with pytest.raises(LookupFailed, match="fill in the details by hand"):
        lookup("https://distill.pub/2017/feature-visualization/")

    assert services.received == []


def test_arxiv_listing_link_is_not_looked_up(services):
    with pytest.raises(LookupFailed, match="fill in the details by hand"):
        lookup("https://arxiv.org/list/cs.LG/recent")

    assert services.received == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("hello there", "Paste a link, an arXiv id, a DOI or an ISBN."),
        ("978-0-465-09760-8", "978-0-465-09760-8 is not a valid ISBN: its check digit is wrong."),
    ],
)
def test_input_that_is_no_identifier_fails_with_the_identifier_message(services, raw, message):
    with pytest.raises(LookupFailed) as failure:
        lookup(raw)

    assert str(failure.value) == message
    assert services.received == []


# --- Failures: a clear message, and nothing cached -----------------------------------------


def fixed_and_fetched_again(services, raw: str, path: str, good: Reply) -> None:
    """The failure was not cached: once the service answers properly, a new lookup asks it again."""
    services.reply(path, good)
    lookup(raw)
    assert len(services.requests_to(path)) == 2


ARXIV_OK = atom_reply("arxiv_1905.05393.xml")
CROSSREF_OK = json_reply("crossref_nature14539.json")
OPENLIBRARY_OK = json_reply("openlibrary_9780465097609.json")
SERVICES = [
    pytest.param("1905.05393", ARXIV_PATH, ARXIV_OK, "arXiv", id="arxiv"),
    pytest.param("10.1038/nature14539", CROSSREF_PATH, CROSSREF_OK, "Crossref", id="crossref"),
    pytest.param("9780465097609", OPENLIBRARY_PATH, OPENLIBRARY_OK, "Open Library", id="openlibrary"),
]


@pytest.mark.parametrize(("raw", "path", "good", "service"), SERVICES)
def test_timeout_fails_with_a_message_and_is_not_cached(services, settings, raw, path, good, service):
    settings.METADATA_LOOKUP_TIMEOUT = 0.2
    services.reply(path, Reply(hang=True, body=good.body))

    with pytest.raises(LookupFailed) as failure:
        lookup(raw)

    assert str(failure.value) == f"{service} did not answer in time; fill in the details by hand."
    fixed_and_fetched_again(services, raw, path, good)


@pytest.mark.parametrize(("raw", "path", "good", "service"), SERVICES)
def test_connection_refused_fails_with_a_message_and_is_not_cached(
    services, settings, unused_tcp_port, raw, path, good, service
):
    closed = f"http://127.0.0.1:{unused_tcp_port}"
    working = (settings.ARXIV_API_URL, settings.CROSSREF_API_URL, settings.OPENLIBRARY_API_URL)
    settings.ARXIV_API_URL = f"{closed}{ARXIV_PATH}"
    settings.CROSSREF_API_URL = f"{closed}/crossref"
    settings.OPENLIBRARY_API_URL = f"{closed}/openlibrary"

    with pytest.raises(LookupFailed) as failure:
        lookup(raw)

    assert str(failure.value) == f"We could not reach {service}; fill in the details by hand."
    settings.ARXIV_API_URL, settings.CROSSREF_API_URL, settings.OPENLIBRARY_API_URL = working
    lookup(raw)
    assert len(services.requests_to(path)) == 1


@pytest.mark.parametrize(("raw", "path", "good", "service"), SERVICES)
def test_server_error_fails_with_a_message_and_is_not_cached(services, raw, path, good, service):
    services.reply(path, Reply(status=500, body=b"<h1>Internal Server Error</h1>", content_type="text/html"))

    with pytest.raises(LookupFailed) as failure:
        lookup(raw)

    assert str(failure.value) == f"{service} could not answer (error 500); fill in the details by hand."
    assert len(services.requests_to(path)) == 1  # no retry while the person waits
    fixed_and_fetched_again(services, raw, path, good)


@pytest.mark.parametrize(("raw", "path", "good", "service"), SERVICES)
def test_rate_limit_asks_the_person_to_try_again_later(services, raw, path, good, service):
    services.reply(path, Reply(status=429, body=b"Too Many Requests", content_type="text/plain"))

    with pytest.raises(LookupFailed) as failure:
        lookup(raw)

    assert str(failure.value) == f"{service} is busy right now; try again in a minute, or fill in the details by hand."
    fixed_and_fetched_again(services, raw, path, good)


@pytest.mark.parametrize(
    ("raw", "path", "unknown", "good", "message"),
    [
        pytest.param(
            "10.1038/nature14539",
            CROSSREF_PATH,
            NOT_FOUND,
            CROSSREF_OK,
            "Crossref does not know the DOI 10.1038/nature14539; check it, or fill in the details by hand.",
            id="crossref-404",
        ),
        pytest.param(
            "1905.05393",
            ARXIV_PATH,
            atom_reply("arxiv_empty.xml"),
            ARXIV_OK,
            "arXiv does not know arXiv:1905.05393; check it, or fill in the details by hand.",
            id="arxiv-empty-feed",
        ),
        pytest.param(
            "1905.05393",
            ARXIV_PATH,
            atom_reply("arxiv_error.xml"),
            ARXIV_OK,
            "arXiv does not know arXiv:1905.05393; check it, or fill in the details by hand.",
            id="arxiv-error-entry",
        ),
        pytest.param(
            "9780465097609",
            OPENLIBRARY_PATH,
            json_reply(b"{}"),
            OPENLIBRARY_OK,
            "Open Library does not know the ISBN 9780465097609; check it, or fill in the details by hand.",
            id="openlibrary-empty",
        ),
    ],
)
def test_unknown_identifier_fails_with_a_message_and_is_not_cached(services, raw, path, unknown, good, message):
    services.reply(path, unknown)

    with pytest.raises(LookupFailed) as failure:
        lookup(raw)

    assert str(failure.value) == message
    fixed_and_fetched_again(services, raw, path, good)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol2;</title></entry></feed>"""


@pytest.mark.parametrize(
    ("raw", "path", "bad", "good", "service"),
    [
        pytest.param(
            "10.1038/nature14539",
            CROSSREF_PATH,
            json_reply(b'{"status": "ok", "mess'),
            CROSSREF_OK,
            "Crossref",
            id="json",
        ),
        pytest.param(
            "9780465097609",
            OPENLIBRARY_PATH,
            Reply(body=b"<html>Maintenance</html>", content_type="text/html"),
            OPENLIBRARY_OK,
            "Open Library",
            id="html-instead-of-json",
        ),
        pytest.param(
            "10.1038/nature14539", CROSSREF_PATH, json_reply(b'["a", "list"]'), CROSSREF_OK, "Crossref", id="json-shape"
        ),
        pytest.param("1905.05393", ARXIV_PATH, atom_reply(b"<feed><entry><title>Pop"), ARXIV_OK, "arXiv", id="xml"),
        pytest.param("1905.05393", ARXIV_PATH, atom_reply(BILLION_LAUGHS), ARXIV_OK, "arXiv", id="xml-entities"),
        pytest.param(
            "1905.05393",
            ARXIV_PATH,
            atom_reply(b"<rss><channel/></rss>"),
            ARXIV_OK,
            "arXiv",
            id="xml-not-atom",
        ),
        pytest.param(
            "10.1038/nature14539",
            CROSSREF_PATH,
            json_reply(b'{"message": {"title": ["' + b"x" * (3 * 1024 * 1024) + b'"]}}'),
            CROSSREF_OK,
            "Crossref",
            id="huge",
        ),
    ],
)
def test_unreadable_answer_fails_with_a_message_and_is_not_cached(services, raw, path, bad, good, service):
    services.reply(path, bad)

    with pytest.raises(LookupFailed) as failure:
        lookup(raw)

    assert str(failure.value) == f"{service} sent an answer we could not read; fill in the details by hand."
    fixed_and_fetched_again(services, raw, path, good)


ARXIV_WITHOUT_TITLE = data("arxiv_1905.05393.xml").replace(
    b"<title>Population Based Augmentation: Efficient Learning of Augmentation Policy\n  Schedules</title>",
    b"<title>  </title>",
)


@pytest.mark.parametrize(
    ("raw", "path", "untitled", "good", "service"),
    [
        pytest.param(
            "10.1038/nature14539",
            CROSSREF_PATH,
            json_reply(crossref_work(title=[])),
            CROSSREF_OK,
            "Crossref",
            id="crossref",
        ),
        pytest.param("1905.05393", ARXIV_PATH, atom_reply(ARXIV_WITHOUT_TITLE), ARXIV_OK, "arXiv", id="arxiv"),
        pytest.param(
            "9780465097609",
            OPENLIBRARY_PATH,
            json_reply(b'{"ISBN:9780465097609": {"authors": [{"name": "Judea Pearl"}]}}'),
            OPENLIBRARY_OK,
            "Open Library",
            id="openlibrary",
        ),
    ],
)
def test_answer_without_a_title_fails_with_a_message_and_is_not_cached(services, raw, path, untitled, good, service):
    services.reply(path, untitled)

    with pytest.raises(LookupFailed) as failure:
        lookup(raw)

    assert str(failure.value) == f"{service} has no title for this; fill in the details by hand."
    fixed_and_fetched_again(services, raw, path, good)
