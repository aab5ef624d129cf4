import pytest

from rag import parties, retrieval, store
from rag.ingest import ingest
from rag.parties import COUNTRY_OF, MINISTRY_FORM, bm25_expansion, ministry_form, names_party
from rag.retrieval import Retriever
from tests.fakes import FakeEncoder


@pytest.mark.parametrize("text, added", [
    ("Washington not sending officials", ["US"]),  # a reporter's name for a party -> the ministry's
    ("Pyongyang and Seoul talks", ["DPRK", "ROK"]),
    ("Britain's Huawei review", ["UK"]),
    ("Pompeo on Hong Kong", ["US"]),  # a person adds their country; Hong Kong is written as is
    ("Trump and Pompeo, then Washington", ["US"]),  # once, however many names lead to it
    ("US tariffs and the United States", []),  # the ministry's form is already there
    ("Tedros praises the response", []),  # a person of no country adds nothing
    ("Japanese novelist", ["Japan"]),
    ("Canadians detained", []),  # "Canadian" is already there as BM25 reads it
    ("Tell us what Pompeo said", []),  # and so is "US"
    ("China-Latin America forum and the Paris Agreement", []),  # names that hold a party's name
    ("What did the Korea Herald ask about Washington?", ["US"]),  # a newspaper named after a place is not it
    ("Abe Japan Times interview", []),  # the paper is masked, not the person before it ("Japan" is there)
    ("Putin Moscow Times interview", ["Russia"]),
    ("Modi told the Times of India", []),  # Modi adds India but for the paper ("India" is in the text)
    ("Washington, the Times of India and the Japan News", ["US"]),
    ("Washington and The Times of India", ["US"]),  # the paper's own capital T (it was read as "The Times")
    ("Japan news on Tokyo", []),  # "news" as a word: Japan is the party ("Japan" is there)
    ("Canada Post halts parcels", ["Canadian"]),  # "Post" is a newspaper only in "Washington Post"
    ("South African miners", ["South Africa"]),  # South Africa, not Africa
    ("washington tariffs", []),  # names are matched as written
    ("中国外交部", []),
    ("", []),
])
def test_expansion_adds_the_ministry_form_once(text, added):
    assert bm25_expansion(text) == " ".join([text, *added])


def test_an_outlet_named_in_the_question_adds_nothing():
    assert bm25_expansion("What did they tell the Washington Post?", skip=["the Washington Post"]) == \
        "What did they tell the Washington Post?"
    assert bm25_expansion("Japan Times asked about Tokyo", skip=["Japan Times", None]) == "Japan Times asked about Tokyo"
    assert bm25_expansion("Japan Times asked about Tokyo") == "Japan Times asked about Tokyo"  # "Japan" is there
    assert bm25_expansion("ABC asked about Canberra", skip=["ABC"]) == "ABC asked about Canberra Australia"


def test_every_form_and_country_is_a_known_party():
    for party, form in MINISTRY_FORM.items():
        assert form in parties._PARTIES[party]  # a name the gazetteer knows for that party
        assert ministry_form(party) == form
    assert all(names_party(c, c) for c in COUNTRY_OF.values())
    assert set(COUNTRY_OF) <= set(parties._PEOPLE)  # a misspelt person would never match
    assert ministry_form("Japan") == "Japan"  # no entry: the first name


def _conf(day: int, answer: str) -> str:
    return (f"China Foreign Ministry Spokesperson Geng Shuang held a Regular Press Conference on May {day}, 2019\n"
            f"AFP: A question?\nGeng Shuang: {answer}\n")


def test_keyword_search_finds_the_ministry_form(tmp_path, monkeypatch):
    d = tmp_path / "src"
    d.mkdir()
    (d / "a.txt").write_text(_conf(5, "The US side should lift the tariffs. We have made our position clear on this "
                                      "many times before, and we will not repeat it at length here today."), "utf-8")
    (d / "b.txt").write_text(_conf(6, "Tariffs, tariffs and more tariffs."), "utf-8")
    (d / "c.txt").write_text(_conf(7, "Pandas and zoos."), "utf-8")
    enc = FakeEncoder()
    ingest([d], tmp_path / "idx", encoder_factory=lambda: enc)
    r = Retriever(store.load(tmp_path / "idx"), enc)
    top = r.search("Washington tariffs", k=2, mode="bm25").hits[0]
    assert top.source.source == "a.txt" and top.bm25 > 0
    # The expansion is what lifts it: without it the shorter answer on tariffs alone wins.
    monkeypatch.setattr(retrieval, "bm25_expansion", lambda text, skip=(): text)
    assert r.search("Washington tariffs", k=2, mode="bm25").hits[0].source.source == "b.txt"


def test_doctests():
    import doctest

    result = doctest.testmod(parties)
    assert result.attempted >= 4 and result.failed == 0


def test_an_event_the_ministry_names_otherwise_is_added_to_the_keyword_query():
    """A reporter's QA: "Tiananmen" is in no answer; the 4 June 2019 exchange says "the 1989 political disturbance"."""
    from rag.parties import bm25_expansion

    assert bm25_expansion("What did China say about Tiananmen?").endswith("1989 political disturbance")
    assert bm25_expansion("the June 4th anniversary").endswith("1989 political disturbance")
    assert bm25_expansion("What did they say on June 4 about Huawei?") == "What did they say on June 4 about Huawei?"
