"""rag.coverage: periods, counts, nearest period, month chart data."""

from __future__ import annotations

from rag.coverage import GAP_DAYS, Coverage, Period, span_words

DATES = ["2018-05-11", "2018-05-14", "2018-07-02", "2020-07-03", "2023-07-26", "2024-10-14", None]


def test_periods_split_at_gaps_longer_than_gap_days():
    cov = Coverage.from_dates(DATES)
    # 2018-05-14 -> 2018-07-02 is 49 days (<= GAP_DAYS): one period; the later gaps are years long.
    assert GAP_DAYS >= 49
    assert cov.periods == (Period("2018-05-11", "2018-07-02", 3), Period("2020-07-03", "2020-07-03", 1),
                           Period("2023-07-26", "2023-07-26", 1), Period("2024-10-14", "2024-10-14", 1))
    assert cov.undated == 1
    assert cov.describe() == ("11 May 2018 – 2 July 2018; 3 July 2020; 26 July 2023; 14 October 2024 "
                              "(plus 1 undated)")


def test_count_is_inclusive_and_open_ended():
    cov = Coverage.from_dates(DATES)
    assert cov.count("2018-05-11", "2018-05-14") == 2
    assert cov.count(None, "2018-12-31") == 3
    assert cov.count("2021-01-01", "2022-12-31") == 0
    assert cov.count(None, None) == 6


def test_nearest_period_by_days():
    cov = Coverage.from_dates(DATES)
    # 2022: 2023-07-26 is 206 days after 2022-12-31; 2020-07-03 is 547 days before 2022-01-01.
    assert cov.nearest("2022-01-01", "2022-12-31").start == "2023-07-26"
    assert cov.nearest("2021-01-01", "2021-01-31").start == "2020-07-03"
    assert cov.nearest("2018-06-01", "2018-06-30").distance("2018-06-01", "2018-06-30") == 0
    assert Coverage.from_dates([None]).nearest("2022-01-01", None) is None


def test_months_keep_empty_months():
    months = Coverage.from_dates(["2019-11-05", "2019-11-06", "2020-02-03"]).months()
    assert months == [("2019-11", 2), ("2019-12", 0), ("2020-01", 0), ("2020-02", 1)]


def test_span_words():
    assert span_words("2022-01-01", "2022-12-31") == "2022"
    assert span_words("2021-01-01", "2022-12-31") == "2021–2022"
    assert span_words("2022-02-01", "2022-02-28") == "February 2022"
    assert span_words("2022-02-03", "2022-02-03") == "3 February 2022"
    assert span_words(None, "2018-01-01") == "before 1 January 2018"
