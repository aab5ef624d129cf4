"""rag.absent: names of a question that no transcript of the archive holds."""

from types import SimpleNamespace

import pytest

from rag.absent import ArchiveWords, absent_names, absent_warning, other_form, shares_a_name
from rag.answer import answer_question
from rag.ingest import ingest
from rag.retrieval import Retriever
from rag.store import load
from tests.fakes import FakeEncoder

ARCHIVE = {"kovrig", "huawei", "qatar", "emir", "visit", "mar", "rover", "ukrain", "who", "liu"}


def test_only_capitalised_words_the_archive_lacks_are_named():
    held = ARCHIVE.__contains__
    assert absent_names("What did China say about the Mars rover Zhurong?", held) == ("Zhurong",)
    # a lower-case word the ministry never used is a paraphrase, not a name: no warning
    assert absent_names("Huawei's itinerary blasting", held) == ()
    # framing and time words are not names, even capitalised ("What", "China", "May")
    assert absent_names("What did China Say in May about Kovrig?", held) == ()
    # the word as written, once, in the question's order; an acronym is a name
    assert absent_names("Has Liu Xiaobo, Xiaobo and the NYT", held) == ("Xiaobo", "NYT")


def test_a_sentence_s_first_word_is_a_name_only_when_no_common_english_word():
    """The seeds: "Reply to ...", "Death of the novelist ..." are capitalised for the sentence; a reporter's QA:
    "Zhurong rover: any comment?" and "Navalny: what did China say?" are names all the same."""
    held = ARCHIVE.__contains__
    assert absent_names("Reply to Kovrig. Death of Huawei?", held) == ()
    assert absent_names("Zhurong rover: any comment?", held) == ("Zhurong",)
    assert absent_names("Kovrig. Navalny: what did China say?", held) == ("Navalny",)
    assert absent_names("AUKUS: the submarine deal", held) == ("AUKUS",)
    # a title's full stop ends no sentence, and the title is no name, with or without its full stop (a QA: "Mrs May")
    assert absent_names("What about the poisoning of Mr. Skripal?", held) == ("Skripal",)
    assert absent_names("What about Mrs Kovrig and Dr Huawei?", held) == ()


def test_accents_do_not_make_a_name_absent():
    """A reporter's QA: "Erdoğan" was said to be in no transcript; the archive writes "Erdogan" (4 transcripts)."""
    held = {"erdogan", "guaido"}.__contains__
    assert absent_names("What did China say about Erdoğan and Juan Guaidó?", held) == ("Juan",)


def test_a_party_known_by_other_names_is_not_absent():
    """A seeds question: "Reply to Washington's worries"; the transcripts say "the US" (rag.parties knows both)."""
    held = ARCHIVE.__contains__
    assert absent_names("What about Washington and Islamabad?", held) == ()
    assert absent_names("What about Washington and Vientiane?", held) == ("Vientiane",)


def test_another_form_of_the_word_in_the_archive_is_not_absent():
    held, forms = ARCHIVE.__contains__, set(ARCHIVE) | {"naval", "modern", "tian", "hunt"}
    assert absent_names("The Qatari emir's visit", held) == ("Qatari",)  # without the archive's forms
    assert absent_names("The Qatari emir's visit", held, forms=forms) == ()  # "qatar" + "i"
    assert absent_names("On Ukrainian grain", held, forms=forms) == ()  # "ukrain" + "ian"
    # a name that only starts like an archive word is another name (a reporter's QA: "Navalny" passed as "naval")
    # ("Biden" is a person rag.parties knows: the keyword search adds his other names, so he is not reported)
    assert absent_names("On Navalny, Moderna, Tianwen and Hunter Biden", held, forms=forms) == (
        "Navalny", "Moderna", "Tianwen", "Hunter")
    assert other_form("koreans", {"korea"}) is False and other_form("korean", {"korea"}) is True
    assert other_form("congolese", {"congo"})  # a QA: "the Congolese election" was said to be in no transcript


def test_the_warning_names_the_words_and_says_what_the_quotes_are():
    one = absent_warning(("Zhurong",))
    assert one.startswith("“Zhurong” is not named in any transcript of the archive") and "rest of the question" in one
    assert absent_warning(("Kinshasa", "Brazzaville")).startswith("“Kinshasa” and “Brazzaville” are not named")


def _index(turns, lang="en"):
    srcs = {"a.txt": SimpleNamespace(lang=lang)}
    return SimpleNamespace(sources=srcs, turns={f"a:{i}": SimpleNamespace(source="a.txt", exchange=f"{q or ''}\n{t}")
                                                for i, (q, t) in enumerate(turns, 1)})


def test_the_archive_is_read_whole_only_when_the_keyword_vocabulary_lacks_a_word():
    index = _index([("What about Kovrig's case?", "Kovrig is suspected."), (None, "Huawei is a private firm.")])
    words = ArchiveWords(index, vocab={"kovrig", "huawei"})
    assert words.absent("On Kovrig and Huawei") == () and words._all is None  # the vocabulary sufficed
    # "Spavor" is in no turn: the whole archive is read once, and the answer is the same with it
    assert words.absent("On Kovrig and Spavor") == ("Spavor",) and words._all is not None
    # the vocabulary (keyword index) may lack a word of a long question's tail: the whole turn decides
    assert ArchiveWords(_index([("Is Kovrig " + "well " * 90 + "Spavor?", "No.")]), {"kovrig"}).absent("On Spavor") == ()


def test_an_archive_without_english_transcripts_warns_of_nothing():
    index = _index([(None, "华为是一家民营企业。")], lang="zh")
    assert ArchiveWords(index, vocab=set()).absent("On Zhurong") == ()


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    d = tmp_path_factory.mktemp("src")
    (d / "c.txt").write_text(
        "China Foreign Ministry Spokesperson Mao Ning held a Regular Press Conference on May 5, 2019\n"
        "Reuters: What about Huawei?\nMao Ning: Huawei is a private company. Its 5G work is lawful.\n"
        "CCTV: What about the Xanadu zoo?\nMao Ning: The pandas are well.\n",
        encoding="utf-8")
    idx = tmp_path_factory.mktemp("idx")
    enc = FakeEncoder()
    ingest([d], idx, encoder_factory=lambda: enc)
    return Retriever(load(idx), enc)


def test_the_warning_is_stronger_when_the_first_answer_shares_no_other_name():
    """A reporter's QA: "the Beirut port explosion" quoted an answer about a port elsewhere under the plain warning."""
    assert "may not be about what was asked" in absent_warning(("Beirut",), alone=True)
    assert shares_a_name("Havana and the US embargo", ("Havana",), "The US embargo on Cuba must end.")
    assert shares_a_name("Havana and Washington", ("Havana",), "The US must end it.")  # a party by another name
    assert not shares_a_name("the Beirut port explosion and Hezbollah", ("Beirut",), "The port in Sri Lanka.")
    assert shares_a_name("On Zhurong", ("Zhurong",), "Anything at all.")  # nothing else named: no judging


def test_the_search_warns_of_a_name_no_transcript_holds(retriever):
    res = retriever.search("What did China say about the rover Zhurong?", k=3)
    assert res.warnings == [absent_warning(("Zhurong",))] and res.extra["absent"]["names"] == ("Zhurong",)
    # the answer words it by what it quotes (a review: decided on the search's first hit, the warning spoke of "the
    # first answer below" when a follow-up had re-ranked the hits, or when nothing was quoted at all)
    a = answer_question(retriever, "What did China say about Huawei and Zhurong?")
    assert a.citations and list(a.warnings) == [absent_warning(("Zhurong",))]  # the first answer names Huawei
    a = answer_question(retriever, "What did China say about the lawful 5G work of the private company Zhurong?")
    assert a.citations and list(a.warnings) == [absent_warning(("Zhurong",))]  # nothing else named: no judging
    a = answer_question(retriever, "Is the lawful 5G work of the private company Zhurong done in Xanadu?")
    assert a.citations[0].quote.startswith("Huawei")  # the first answer names neither Zhurong nor Xanadu
    assert list(a.warnings) == [absent_warning(("Zhurong",), alone=True)]
    a = answer_question(retriever, "Zhurong rover landing pictures?")
    assert not a.citations and list(a.warnings) == [absent_warning(("Zhurong",), quoted=False)]
    assert a.warnings[0] == "“Zhurong” is not named in any transcript of the archive."
    # a spokesperson the archive has no statement by is said once, not again as a name no transcript holds
    res = retriever.search("What did Wang Wenbin say about Huawei?", k=3)
    assert len(res.warnings) == 1 and "No statement by Wang Wenbin" in res.warnings[0]
    # ... nor a spokesperson's name one slip away ("did you mean Mao Ning?"; a review: "“Nin” is not named ...")
    res = retriever.search("What did Mao Nin say about Huawei?", k=3)
    assert len(res.warnings) == 1 and "did you mean Mao Ning?" in res.warnings[0]
    assert retriever.search("What did Mao Ning say about Huawei?", k=3).warnings == []
    # the asking outlet is who asked, not what about: "AFP" and "NYT" are in no transcript here, and not warned of
    assert retriever.search("What did they tell AFP about Huawei?", k=3).warnings == []
    assert retriever.search("What did the spokesperson tell the NYT about Huawei?", k=3).warnings == []
