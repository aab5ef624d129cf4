"""rag.intent: names, time phrases and years read from a question; how they meet the form's filters."""

from __future__ import annotations

import pytest

from rag.filters import Filters
from rag.intent import parse_intent, resolve_filters


@pytest.mark.parametrize("question, name, phrase", [
    ("What did Hua Chunying say about Pompeo?", "Hua Chunying", "Hua Chunying"),
    ("hua chunying on Pompeo", "Hua Chunying", "hua chunying"),
    ("Geng Shuang's remarks on Huawei", "Geng Shuang", "Geng Shuang's"),
    ("What did Ms. Hua say about the trade talks?", "Hua Chunying", "Ms. Hua"),
    ("What did spokesperson Geng say about 5G?", "Geng Shuang", "spokesperson Geng"),
    ("耿爽 on the Hong Kong protests", "Geng Shuang", "耿爽"),
    # the given name in its syllables (a QA reader: "Hua Chun Ying" was searched as words)
    ("What did Hua Chun Ying say on Kovrig?", "Hua Chunying", "Hua Chun Ying"),
    ("Zhao Li-jian on the WHO", "Zhao Lijian", "Zhao Li-jian"),
    # given name first, as Reuters and AP write it (a reporter's QA: no filter and no warning)
    ("What did spokesman Lijian Zhao say about Australia?", "Zhao Lijian", "spokesman Lijian Zhao"),
    ("What did Lijian Zhao tell Reuters?", "Zhao Lijian", "Lijian Zhao"),
    ("Shuang Geng's remarks on Canada", "Geng Shuang", "Shuang Geng's"),
])
def test_spokesperson_named(question, name, phrase):
    i = parse_intent(question)
    assert (i.spokesperson, i.spokesperson_phrase) == (name, phrase)
    assert phrase not in i.search_text  # the name is a filter, not words to match


@pytest.mark.parametrize("question", [
    "What did China say about Huawei?",
    "What did Mr. Wang say about Taiwan?",  # Wang Wenbin or Wang Yi: ambiguous, not guessed
    "Hua Hin summit",  # a place, not Hua Chunying
    "the kang lu thing",  # given name first only when written as a name (capitalised) ...
    "Lei Hong Kong protests", "What about Yu Jiang?",  # ... and as a speaker's (a review: Hong Lei, Jiang Yu)
    "Wang Yi going to the Iran deal ministers' gathering in Vienna",  # the minister is a topic
    # his tweet is the topic, answered by another spokesperson (a reporter's QA: filtered to Zhao Lijian)
    "Did the spokesperson comment on Zhao Lijian's tweet that the US army brought the virus to Wuhan?",
])
def test_no_spokesperson(question):
    i = parse_intent(question)
    assert i.spokesperson is None and i.search_text == question


def test_outlet_named_stays_in_search_text():
    i = parse_intent("Xinjiang camps BBC")
    assert (i.outlet, i.outlet_phrase) == ("BBC", "BBC")
    assert i.search_text == "Xinjiang camps BBC"


def test_years_outside_the_time_phrase():
    assert parse_intent("What did China say about the 2022 Winter Olympics boycott?").years == (2022,)
    i = parse_intent("In June 2019, what was said about the 2022 Winter Olympics?")
    assert (i.time_phrase, i.years) == ("June 2019", (2022,))
    assert parse_intent("COVID-19 vaccines in 2020").years == ()  # "2020" is the time phrase; "19" no year


def test_resolve_fills_empty_form_fields():
    f, warnings = resolve_filters(parse_intent("What did Hua Chunying say in June 2019?"), Filters())
    assert f == Filters("2019-06-01", "2019-06-30", "Hua Chunying", None) and warnings == []


def test_resolve_form_wins_with_a_warning_on_conflict():
    form = Filters("2019-01-01", "2019-12-31", "Geng Shuang", "AFP")
    f, warnings = resolve_filters(parse_intent("What did Hua Chunying tell Reuters in January 2020?"), form)
    assert f == form
    assert len(warnings) == 3
    assert "January 2020" in warnings[0] and "Hua Chunying" in warnings[1] and "Reuters" in warnings[2]


def test_resolve_no_warning_when_question_agrees():
    form = Filters("2019-01-01", "2019-12-31", "Hua Chunying", None)
    assert resolve_filters(parse_intent("Hua Chunying in June 2019"), form) == (form, [])


def test_an_outlet_after_tell_or_answering_is_the_asker():
    assert parse_intent("What did they tell Reuters about it?").outlet_asked is True
    assert parse_intent("answering AFP on Huawei").outlet_asked is True
    assert parse_intent("the BBC report on Xinjiang").outlet_asked is False


@pytest.mark.parametrize("question, phrase", [
    ("Huawei last summer", "last summer"),
    ("What did China say recently about the WHO?", "recently"),
    ("Taiwan arms sales in the past few months", "the past few months"),
    ("What was said 2 years ago?", "2 years ago"),
    ("Pompeo two years ago", "two years ago"),  # a QA reader: only digits were read
    ("Huawei a year ago", "a year ago"),
    ("Taiwan in recent months", "in recent months"),
    ("Huawei last December", "last December"),  # a reporter's QA: no warning at all
    ("What did China say this May?", "this May"),
])
def test_a_relative_time_is_searched_over_the_whole_archive_with_a_warning(question, phrase):
    """The archive has no "now": a reporter's QA found "last summer" silently searching everything."""
    i = parse_intent(question)
    assert i.relative_phrase == phrase and i.since is None and i.until is None
    filters, warnings = resolve_filters(i, Filters())
    assert filters == Filters() and len(warnings) == 1 and f"“{phrase}” depends on today's date" in warnings[0]
    # with dates set in the form there is nothing to warn about
    assert resolve_filters(i, Filters(since="2019-06-01"))[1] == []
    # an absolute time phrase beside it wins
    assert parse_intent(question + " in June 2019").relative_phrase is None


@pytest.mark.parametrize("question, phrase", [
    ("What did the spokesperson say on June 4 about Tiananmen?", "on June 4"),
    ("What did China say in June about Hong Kong?", "in June"),
    ("comments on 12 May", "on 12 May"),
    ("What was said on the 4th of June?", "on the 4th of June"),
    ("Hong Kong since March", "since March"),
    ("Huawei by the end of May", "the end of May"),
    # a review: a sentence's first word is capitalised ("On June 4, ..."), and a holiday keeps its date
    ("On June 4, what did China say about Tiananmen?", "On June 4"),
    ("What did China say on March 8 International Women's Day?", None),
    # a reporter's QA found these unread ...
    ("Hong Kong protests in mid-June?", "in mid-June"),
    ("Huawei in late-June", "in late-June"),
    ("What was said between June and August?", "between June and August"),
    ("on the fourth of June", "on the fourth of June"),
    ("What was said on June the 4th?", "on June the 4th"),
    ("comments on Dec 6", "on Dec 6"),
    ("Hong Kong in Dec.", "in Dec."),
    ("Huawei in June and July", "in June and July"),  # the whole phrase, not "in June"
    # ... and these read as dates
    ("What did the spokesperson say on the June 4 incident?", None),  # "the June 4": the event's name
    ("Was there a comment on the March for Democracy?", None),
    ("What did China say about the June 4 incident?", None),  # a name of the event, not a date to search
    ("What about the May Fourth Movement?", None),
    ("What may China say in May 2019?", None),  # the year makes it a time phrase (a filter)
    ("What did China say on June 4, 2019?", None),
    ("Huawei last summer in June", None),  # one warning for the time is enough: the relative one
    ("According to reports, on June 18, US Secretary of State Mike Pompeo criticized China's economic and trade "
     "policies at an event in Detroit. What is your response?", None),  # a pasted question narrates the event's day
])
def test_a_date_without_a_year_is_not_a_filter_and_says_so(question, phrase):
    """A reporter's QA: "on June 4" (Tiananmen) was dropped silently; every year's June 4 is in the archive."""
    i = parse_intent(question)
    assert i.yearless_phrase == phrase
    filters, warnings = resolve_filters(i, Filters())
    if phrase is None:
        assert not any("names no year" in w for w in warnings)
        return
    assert filters == Filters() and warnings == [f"“{phrase}” names no year, so it was not used as a date filter: "
                                                 "the whole archive was searched. To search one day or month, add "
                                                 "its year (“June 4, 2019”)."]
    assert resolve_filters(i, Filters(since="2019-06-01"))[1] == []  # dates set in the form: nothing to warn about


@pytest.mark.parametrize("question, near", [
    ("What did Hua Chunyin say about Pompeo?", ("Hua Chunyin", "Hua Chunying")),
    ("Geng Shaung on Huawei", ("Geng Shaung", "Geng Shuang")),
    ("North Korean leader lays a wreath at the Mao Anying tomb", None),  # another person, same surname
    ("What posts did Liu Jian hold?", None),  # not Lin Jian
    ("What did Hua Chunying say?", None),  # spelt right: the filter
])
def test_a_misspelt_spokesperson_gets_a_warning_not_a_filter(question, near):
    """A reporter's QA: "Hua Chunyin" was searched as words with no word said."""
    i = parse_intent(question)
    assert i.near_name == near
    filters, warnings = resolve_filters(i, Filters())
    if near:
        assert filters.spokesperson is None and warnings == [
            f"“{near[0]}” is not the name of a spokesperson in the archive; did you mean {near[1]}? No spokesperson "
            "filter was applied."]


def test_the_asker_is_cut_from_the_topic_and_according_to_is_not_asking():
    from rag.intent import without_outlet

    assert without_outlet("What did the spokesperson tell Reuters about Huawei?", "Reuters") == \
        "What did the spokesperson about Huawei?"
    assert without_outlet("Huawei, answering the BBC", "BBC") == "Huawei,"
    assert without_outlet("Huawei", None) == "Huawei"
    # "According to Bloomberg, ..." reports what Bloomberg wrote: Bloomberg is named, not the asker
    i = parse_intent("According to Bloomberg, the trade talks broke up. Any comment?")
    assert i.outlet == "Bloomberg" and not i.outlet_asked
    assert parse_intent("What did they say to Reuters?").outlet_asked
    # the outlet's work is the topic: "in response to the BBC report" is not a question the BBC asked
    for q in ("What did China say in response to the BBC report on Xinjiang?", "What about the BBC report?",
              "in reply to the AFP story on Huawei"):
        assert not parse_intent(q).outlet_asked, q
    assert parse_intent("answering the BBC's question").outlet_asked


@pytest.mark.parametrize("question, spokesperson, near, relative", [
    # a review of the session's intent rules
    ("Why this may help ties with Japan", None, None, None),  # a month is capitalised: "this may" is no time
    ("Zhao Lijian's tweet: what did Hua Chunying say?", "Hua Chunying", None, None),  # the other name still speaks
    ("What was Zhao Lijian's account of the Xinjiang cotton issue?", "Zhao Lijian", None, None),
    ("Did Hua Chunyin comment on Huawei?", None, ("Hua Chunyin", "Hua Chunying"), None),  # after a capital word
    ("What did China tell USA Today about Huawei?", None, None, None),  # a newspaper, not a date
    ("Greetings for this Spring Festival", None, None, None),
    ("the last year of Trump's term", None, None, None),
    ("the recently concluded 2019 summit", None, None, None),  # a year anchors it
])
def test_intent_rules_do_not_over_match(question, spokesperson, near, relative):
    i = parse_intent(question)
    assert (i.spokesperson, i.near_name, i.relative_phrase) == (spokesperson, near, relative)


def test_the_asker_is_the_mention_after_an_asking_word_and_a_whole_word():
    from rag.intent import without_outlet

    assert without_outlet("On APEC, what did they tell AP?", "AP") == "On APEC, what did they ?"
    assert without_outlet("Reuters reported it; what did they tell Reuters?", "Reuters") == \
        "Reuters reported it; what did they ?"
