"""Time phrases of a question as date ranges (rag/timeparse.py)."""

from __future__ import annotations

import doctest

import pytest

from rag import timeparse
from rag.timeparse import parse_time_phrase


def test_doctests():
    result = doctest.testmod(timeparse)
    assert result.attempted >= 6 and result.failed == 0


@pytest.mark.parametrize(("question", "since", "until", "phrase"), [
    # two months: the whole range, not the last month named (a reporter's QA found "May 2019" alone)
    ("What did the spokesperson say between March and May 2019 about the trade talks?",
     "2019-03-01", "2019-05-31", "between March and May 2019"),
    ("trade talks from March to May 2019", "2019-03-01", "2019-05-31", "from March to May 2019"),
    ("between March 2019 and May 2019", "2019-03-01", "2019-05-31", "between March 2019 and May 2019"),
    ("Huawei, March-May 2019", "2019-03-01", "2019-05-31", "March-May 2019"),
    ("from December 2018 to February 2019", "2018-12-01", "2019-02-28", "from December 2018 to February 2019"),
    ("from November to February 2020", "2019-11-01", "2020-02-29", "from November to February 2020"),
    ("between 2018 and 2019", "2018-01-01", "2019-12-31", "between 2018 and 2019"),
    # a third of a month
    ("Hong Kong national security law in late June 2020?", "2020-06-21", "2020-06-30", "late June 2020"),
    ("early June 2020", "2020-06-01", "2020-06-10", "early June 2020"),
    ("mid-March 2019", "2019-03-11", "2019-03-20", "mid-March 2019"),
    ("end of February 2020", "2020-02-21", "2020-02-29", "end of February 2020"),
    # a bound with a third of a month, or "by" a month (a review of the thirds found them read as the third alone)
    ("since late June 2020", "2020-06-21", None, "since late June 2020"),
    ("after late June 2020", "2020-07-01", None, "after late June 2020"),
    ("before early July 2020", None, "2020-06-30", "before early July 2020"),
    ("until the end of March 2020", None, "2020-03-31", "until the end of March 2020"),
    ("cases by late March 2020", None, "2020-03-31", "by late March 2020"),
    ("by March 2020", None, "2020-03-31", "by March 2020"),
    # "until" / "till" / "through" a month or year take it in; "before" stops short (a reporter's QA: "until March
    # 2020" was read as "before March 2020")
    ("statements until March 2020", None, "2020-03-31", "until March 2020"),
    ("till Feb 2020", None, "2020-02-29", "till Feb 2020"),
    ("through 2019", None, "2019-12-31", "through 2019"),
    ("before March 2020", None, "2020-02-29", "before March 2020"),
    ("before 2019", None, "2018-12-31", "before 2019"),
    # a bound before a part of a year or a season (a reporter's QA: "since the start of 2020" was January-April)
    ("What has China said about Huawei since the start of 2020?", "2020-01-01", None, "since the start of 2020"),
    ("since early 2019", "2019-01-01", None, "since early 2019"),
    ("after the first half of 2019", "2019-07-01", None, "after the first half of 2019"),
    ("before summer 2019", None, "2019-05-31", "before summer 2019"),
    ("by the end of 2019", None, "2019-12-31", "by the end of 2019"),
    # "from" a part of a year up to another (a review: read as from the first, with no end)
    ("from the start of 2020 to the end of 2021", "2020-01-01", "2021-12-31", "from the start of 2020 to the end of 2021"),
    ("from early 2019 to late 2020", "2019-01-01", "2020-12-31", "from early 2019 to late 2020"),
    ("through late March 2020", None, "2020-03-31", "through late March 2020"),
    # quarters
    ("Kovrig in Q1 2020", "2020-01-01", "2020-03-31", "Q1 2020"),
    ("Huawei in the second quarter of 2019", "2019-04-01", "2019-06-30", "the second quarter of 2019"),
    ("since Q3 2019", "2019-07-01", None, "since Q3 2019"),
    ("Huawei up to mid-2019", None, "2019-08-31", "up to mid-2019"),
    ("up to March 2020", None, "2020-03-31", "up to March 2020"),
    ("Huawei between spring and autumn 2019", "2019-03-01", "2019-11-30", "between spring and autumn 2019"),
    # ranges whose ends are thirds; "or" joins two months too
    ("from mid-March to late April 2020", "2020-03-11", "2020-04-30", "from mid-March to late April 2020"),
    ("late May or early June 2020", "2020-05-21", "2020-06-10", "late May or early June 2020"),
    ("from May to the end of June 2020", "2020-05-01", "2020-06-30", "from May to the end of June 2020"),
    ("Dec 2019 - Feb 2020", "2019-12-01", "2020-02-29", "Dec 2019 - Feb 2020"),
    # as before
    ("late 2019", "2019-09-01", "2019-12-31", "late 2019"),
    ("in June 2018", "2018-06-01", "2018-06-30", "June 2018"),
    ("since March 2020", "2020-03-01", None, "since March 2020"),
    ("July 26, 2023", "2023-07-26", "2023-07-26", "July 26, 2023"),
])
def test_phrases(question, since, until, phrase):
    assert parse_time_phrase(question) == (since, until, phrase)


def test_a_range_that_runs_backwards_is_not_a_range():
    assert parse_time_phrase("between 2019 and 2018") is None
    # a first month later in the calendar is the year before only across a new year (at most four months)
    assert parse_time_phrase("between May and March 2019") == ("2019-03-01", "2019-03-31", "March 2019")
    assert parse_time_phrase("from May 2019 to March 2019") == ("2019-05-01", None, "from May 2019")
