"""rag.followup: which questions lean on the thread, and what is searched for them (one test per rule)."""

from __future__ import annotations

import pytest

from rag.filters import Filters
from rag.followup import in_thread, is_followup, places, topic_words, understand

HUAWEI = "What did the spokesperson say about Huawei and 5G?"


@pytest.mark.parametrize("question", [
    "And what about in 2020?",  # opener + a time only
    "In 2019?",  # no topic words at all
    "Zhao Lijian?",  # a bare name
    "What did Zhao Lijian say about it?",  # back-reference
    "Why do they oppose it?",  # back-reference + one word of its own
    "What about Australia?",  # opener + another party
    "Did they say anything earlier?",  # earlier
    "Any later statements?",  # later
    "And Reuters?",  # an outlet
])
def test_leaning_questions_are_followups(question):
    assert is_followup(question)


@pytest.mark.parametrize("question", [
    "What did China say about the G20 summit in Osaka?",
    "How did China respond to the Australian call for an inquiry into the coronavirus?",
    "And what about the trade talks with the European Union on steel and solar panels?",  # > MAX_NEW_WORDS own
])
def test_questions_with_their_own_topic_start_a_new_one(question):
    assert not is_followup(question)
    assert understand(question, [HUAWEI]).searched == question


def test_time_shift_replaces_the_topics_time_phrase():
    u = understand("And in 2020?", ["What did China say about Huawei in 2019?"])
    assert u.followup and u.searched == "What did China say about Huawei? in 2020" and u.changes == ("in 2020",)


@pytest.mark.parametrize("earlier", [
    "What did China say about the Hong Kong extradition bill protests in June 2019?",
    "What did China say in June 2019 about the Hong Kong extradition bill protests?",
    "Hong Kong extradition bill protests, in summer 2019?",
])
def test_the_old_time_phrase_leaves_with_its_preposition(earlier):
    """A reporter's QA: "And what about in 2020?" was searched as "... protests in? in 2020"."""
    u = understand("And what about in 2020?", [earlier])
    assert u.searched.endswith("Hong Kong extradition bill protests? in 2020"), u.searched
    assert " in?" not in u.searched and ",?" not in u.searched


@pytest.mark.parametrize("earlier, searched", [
    ("In June 2019, what did China say about Hong Kong?", "What did China say about Hong Kong? in 2020"),
    ("What did China say at the end of June 2019?", "What did China say? in 2020"),
    ("What did China say in the summer of 2019 about Hong Kong?", "What did China say about Hong Kong? in 2020"),
])
def test_no_word_of_the_old_time_phrase_is_left(earlier, searched):
    """A review: "In, what did China say ...", "... say at the?", "... in the about Hong Kong?"."""
    assert understand("And in 2020?", [earlier]).searched == searched


@pytest.mark.parametrize("followup, searched", [
    ("And in July?", "What did China say about Hong Kong? July 2019"),
    ("And on June 4?", "What did China say about Hong Kong? June 4 2019"),
])
def test_a_new_day_or_month_without_a_year_takes_the_thread_s_year(followup, searched):
    """A reporter's QA: "And in July?" after "... in June 2019" searched June 2019 again, with "July" as a word."""
    u = understand(followup, ["What did China say about Hong Kong in June 2019?"])
    assert u.followup and u.searched == searched
    assert understand("And in July?", ["What did China say about Hong Kong?"]).searched.endswith("? July")  # no year


def test_spokesperson_shift_replaces_the_name():
    u = understand("What did Zhao Lijian say about it?", ["What did Geng Shuang say about Huawei?"])
    assert "Geng Shuang" not in u.searched and "Zhao Lijian" in u.searched and "Huawei" in u.searched
    assert u.changes == ("spokesperson Zhao Lijian",)


def test_party_shift_replaces_the_other_country():
    u = understand("What about Australia?", ["What did China say about US tariffs on steel?"])
    assert u.searched == "What did China say about Australia tariffs on steel?"
    assert understand("And Japan?", ["What did China say about tariffs?"]).searched == \
        "What did China say about tariffs? Japan"
    assert [p for p, _, _ in places("US and U.S. and the United States, Americans")] == ["United States"] * 4


def test_names_that_only_hold_a_partys_name_are_topics_not_parties():
    """"Latin America" is not the United States, nor "the Washington Post": no swap, no party to lift, the name kept."""
    u = understand("What about Latin America?", ["What did China say about US tariffs on steel?"])
    assert u.searched == "What did China say about US tariffs on steel? Latin America" and u.party is None
    u = understand("What about Australia?", ["What did the US say at the China-Latin America forum?"])
    assert u.searched == "What did the Australia say at the China-Latin America forum?" and u.party == "Australia"
    # an outlet named in the follow-up is the outlet, not its country
    u = understand("And Australian Broadcasting Corporation?", ["What did China say about US tariffs on steel?"])
    assert u.party is None and "US tariffs" in u.searched and "Australian Broadcasting Corporation" in u.changes
    # nor is a newspaper named after its place, known to the archive or not
    for outlet in ("the Japan Times", "the Korea Herald", "China Daily", "the Times of India", "The Times of India",
                   "the Japan News", "The Australian"):
        u = understand(f"What about {outlet}?", ["What did China say about US tariffs on steel?"])
        assert u.party is None and "US tariffs" in u.searched, (outlet, u)


def test_earlier_and_later_keep_the_topic_and_say_so():
    for q, rel in (("Did they say anything earlier?", "earlier"), ("Any later statements?", "later")):
        u = understand(q, [HUAWEI])
        assert u.followup and u.searched == HUAWEI and u.relative == rel


def test_the_topic_carries_over_a_chain_of_followups():
    u = understand("And in 2019?", ["What did China say about US tariffs?", "What about Japan?"])
    assert u.topic == "What did China say about Japan tariffs?"
    assert u.searched == "What did China say about Japan tariffs? in 2019"


def test_a_new_topic_in_the_thread_resets_it():
    u = understand("And in 2020?", [HUAWEI, "What did China say about the G20 summit in Osaka?"])
    assert u.searched == "What did China say about the G20 summit in Osaka? in 2020"


def test_without_context_nothing_changes():
    u = understand("And in 2020?", [])
    assert not u.followup and u.searched == "And in 2020?"
    assert in_thread(None, "And in 2020?", [], Filters()) == ("And in 2020?", Filters(), None)


def test_parts_of_china_stay_the_topic_when_the_party_changes():
    u = understand("And Australia?", ["What did China say about Britain's offer to BNO passport holders in Hong Kong?"])
    assert u.searched == "What did China say about Australia's offer to BNO passport holders in Hong Kong?"


def test_a_question_of_its_own_about_the_topic_leads_the_search():
    u = understand("How did they retaliate?", ["What did China say about the US Hong Kong Human Rights Act?"])
    assert u.searched == "How did China retaliate? US Hong Kong Human Rights Act"


def test_a_person_replaces_a_person_not_a_country():
    u = understand("And Pompeo?", ["What did China say when Trump called the coronavirus the 'Chinese virus' in the US?"])
    assert u.searched == "What did China say when Pompeo called the coronavirus the 'Chinese virus' in the US?"
    # and a country still replaces a country, leaving the person alone
    u = understand("And Canada?", ["What did China say about Trump's tariffs on Mexico?"])
    assert u.searched == "What did China say about Trump's tariffs on Canada?"


def test_an_acronym_is_a_topic_word_even_when_it_spells_a_question_word():
    assert "WHO" in topic_words("How did China respond when Trump suspended US funding to the WHO?")
    assert "who" not in topic_words("who said that about Huawei?")
    u = understand("Will they step in to cover the gap?", ["How did China respond when Trump cut funding to the WHO?"])
    assert "WHO" in u.searched


def test_they_is_china_when_the_thread_asked_what_china_said():
    u = understand("How did they retaliate?", ["What did China say about the Hong Kong act?"])
    assert u.searched.startswith("How did China retaliate?")
    # a thread about what someone else did keeps the pronoun: who "they" are is not known
    u = understand("How did they retaliate?", ["US sanctions on Hong Kong officials"])
    assert u.searched.startswith("How did they retaliate?")


def _hits(*turns: tuple[float, str, str]):
    from types import SimpleNamespace

    from rag.retrieval import Hit, SearchResult

    hits = [Hit(i, score, None, SimpleNamespace(question=q, text=a, turn_id=f"t{i}"), None)
            for i, (score, q, a) in enumerate(turns, start=1)]
    return SearchResult("q", Filters(), None, hits)


def test_a_new_party_lifts_the_turns_that_name_it():
    from rag.followup import PARTY_BOOST, focus, names_party

    u = understand("And France?", ["What is the ministry's position on US arms sales to Taiwan?"])
    assert u.party == "France"
    res = focus(_hits((1.0, "US arms sales to Taiwan?", "China opposes US arms sales."),
                      (0.9, "The French government's plan to sell weapons to Taiwan?", "We firmly oppose it."),
                      (0.5, "Paris?", "No comment.")), u)
    assert [h.turn.turn_id for h in res.hits] == ["t2", "t1", "t3"]  # 0.9 + boost above 1.0; 0.5 + boost below it
    assert [h.rank for h in res.hits] == [1, 2, 3] and res.hits[0].score == 0.9 + PARTY_BOOST
    assert names_party("the Americans said", "United States") and not names_party("Frenchman", "France")


def test_no_lift_without_a_new_party_or_for_parts_of_china():
    from rag.followup import focus

    assert understand("And in 2020?", [HUAWEI]).party is None
    assert understand("What about Hong Kong?", ["What did China say about US tariffs?"]).party is None
    assert understand("What about Australia?", []).party is None  # not a follow-up: nothing to lift
    res = _hits((1.0, "a", "b"), (0.9, "France?", "c"))
    assert [h.turn.turn_id for h in focus(res, understand("And in 2020?", [HUAWEI])).hits] == ["t1", "t2"]
    assert focus(res, None) is res
