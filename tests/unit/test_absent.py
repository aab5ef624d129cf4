"""rag.absent: names of a question that no transcript of the archive holds."""

from types import SimpleNamespace

import pytest

from rag.absent import MIN_FORM, ArchiveWords, absent_names, absent_warning
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
    # a sentence's first word is capitalised for the sentence, not as a name, unless written in capitals
    assert absent_names("Reply to Kovrig. Death of Huawei?", held) == ()
    assert absent_names("AUKUS: the submarine deal", held) == ("AUKUS",)


def test_a_party_known_by_other_names_is_not_absent():
    """A seeds question: "Reply to Washington's worries"; the transcripts say "the US" (rag.parties knows both)."""
    held = ARCHIVE.__contains__
    assert absent_names("What about Washington and Islamabad?", held) == ()
    assert absent_names("What about Washington and Vientiane?", held) == ("Vientiane",)


def test_another_form_of_the_word_in_the_archive_is_not_absent():
    held, forms = ARCHIVE.__contains__, sorted(ARCHIVE)
    assert absent_names("The Qatari emir's visit", held) == ("Qatari",)  # without the archive's forms
    assert absent_names("The Qatari emir's visit", held, forms=forms) == ()  # "qatar" is a prefix of "qatari"
    assert absent_names("On Ukrainian grain", held, forms=forms) == ()
    # a short token stands for no other form: "Ma" is not a form of "mar", "Xi" of nothing here
    assert len("ma") < MIN_FORM and absent_names("On Ma Zhaoxu", held, forms=forms) == ("Ma", "Zhaoxu")


def test_the_warning_names_the_words_and_says_what_the_quotes_are():
    one = absent_warning(("Zhurong",))
    assert one.startswith("“Zhurong” is not named in any transcript of the archive") and "rest of the question" in one
    assert absent_warning(("Kinshasa", "Brazzaville")).startswith("“Kinshasa” and “Brazzaville” are not named")


def _index(turns, lang="en"):
    srcs = {"a.txt": SimpleNamespace(lang=lang)}
    return SimpleNamespace(sources=srcs, turns={f"a:{i}": SimpleNamespace(source="a.txt", question=q, text=t)
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
        "Reuters: What about Huawei?\nMao Ning: Huawei is a private company. Its 5G work is lawful.\n",
        encoding="utf-8")
    idx = tmp_path_factory.mktemp("idx")
    enc = FakeEncoder()
    ingest([d], idx, encoder_factory=lambda: enc)
    return Retriever(load(idx), enc)


def test_the_search_warns_of_a_name_no_transcript_holds(retriever):
    res = retriever.search("What did China say about the rover Zhurong?", k=3)
    assert res.warnings == [absent_warning(("Zhurong",))]
    assert retriever.search("What did Mao Ning say about Huawei?", k=3).warnings == []
    # the asking outlet is who asked, not what about: "AFP" and "NYT" are in no transcript here, and not warned of
    assert retriever.search("What did they tell AFP about Huawei?", k=3).warnings == []
    assert retriever.search("What did the spokesperson tell the NYT about Huawei?", k=3).warnings == []
