"""What a journalist on deadline must see in the page (issue 15): coverage and "not in the archive",
a spokesperson named in the question as a filter, procedural lines never first, one name per outlet,
undated quotes flagged, internal names behind "Details", conflicts between question and filters.

The index is the one of ``conftest.py`` (seeds, 2024 test transcripts, and the 2019/2020/undated
transcripts of ``helpers.EXTRA_TRANSCRIPTS``)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import CLOSE, OPEN, ask, cards

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_header_states_coverage_periods_with_a_month_chart(page):
    header = page.locator("#ss-header").inner_text()
    assert "4 March 2019 – 5 March 2019" in header and "1 June 2020" in header and "26 July 2023" in header
    assert "undated)" in header and "not in the archive" in header
    bars = page.locator("#ss-header .ss-chart span")
    assert bars.count() >= 60  # one bar per month, March 2019 to October 2024
    assert bars.first.get_attribute("title") == "2019-03: 2 transcripts"


def test_question_about_an_uncovered_year_says_not_in_the_archive(page):
    answer, _ = ask(page, "What did China say about the 2022 Winter Olympics boycott?")
    text = answer.inner_text()
    assert "Not in the archive: there are no transcripts from 2022" in text
    assert "The archive covers" in text
    # Only statements that name 2022 could be quoted; none of the test transcripts does.
    assert answer.locator("li.ss-card").count() == 0
    answer, _ = ask(page, "What did the spokesperson say about the SCO in June 2018?")
    assert "no transcripts from June 2018" in answer.inner_text() and "nearest covered period" in answer.inner_text()


def test_spokesperson_named_in_question_filters_and_no_greeting_is_quoted(page):
    answer, _ = ask(page, "What did Hua Chunying say about Pompeo?")
    chips = answer.locator(".ss-filters").inner_text()
    assert f"Spokesperson: Hua Chunying (from {OPEN}Hua Chunying{CLOSE} in the question)" in chips
    got = cards(answer)
    assert got and {c["card"].locator(".ss-who").inner_text() for c in got} == {"Hua Chunying"}
    assert "Good afternoon" not in answer.inner_text()
    assert got[0]["quote"].startswith(f"{OPEN}Pompeo's remarks about debt traps")
    # A referral may follow, marked as procedural; it is never the first quote.
    assert got[0]["card"].locator(".ss-procedural").count() == 0
    for c in got[1:]:
        if "refer you" in c["quote"]:
            assert c["card"].locator(".ss-procedural").count() == 1
    # Unticking "read the question" searches the words only: the name filter goes away.
    page.locator("#ss-read-question input").uncheck()
    answer, _ = ask(page, "What did Hua Chunying say about Pompeo?")
    assert "Spokesperson:" not in answer.locator(".ss-filters").inner_text()
    page.locator("#ss-read-question input").check()


def test_outlet_filter_lists_one_name_per_outlet_with_counts(page):
    # The dropdown's choices as the page received them: [label, value] pairs.
    choices = page.evaluate("""() => window.gradio_config.components
        .find(c => c.props && c.props.elem_id === 'ss-outlet').props.choices""")
    afp = [c for c in choices if c[1] == "AFP"]
    assert len(afp) == 1 and int(afp[0][0][5:-1]) >= 2  # "AFP" and "Agence France-Presse" (2020): one outlet
    assert not any("Agence France-Presse" in c[0] for c in choices)
    assert len([c for c in choices if c[1] == "Reuters"]) == 1


def test_undated_quote_is_flagged_and_internal_names_are_behind_details(page, servers):
    answer, _ = ask(page, "Is the panda loan to the Yellowstone zoo confirmed?")
    got = cards(answer)
    assert got and got[0]["source"] == "zz_undated.txt"
    card = got[0]["card"]
    assert "Date not established — check before publishing." in card.locator(".ss-undated").inner_text()
    assert "Local transcript" in card.inner_text()
    assert "zz_undated.txt" not in card.inner_text()  # only inside the closed "Details"
    card.locator("details.ss-details summary").click()
    assert "zz_undated.txt" in card.locator(".ss-loc").inner_text()
    card.locator("button.ss-copy").click()
    page.wait_for_timeout(200)
    line = page.evaluate("navigator.clipboard.readText()")
    assert line.endswith("(Date not established — check before publishing.)")


def test_date_in_question_outside_the_filter_is_a_warning(page):
    answer, _ = ask(page, "What did China say about Pompeo in January 2020?", since="2019-01-01",
                    until="2019-12-31")
    warns = answer.locator(".ss-warn").all_inner_texts()
    assert f"{OPEN}January 2020{CLOSE}" in warns[0] and "the filters were used" in warns[0]
    # the fixture's 2019 is two days of March: said too, in its own line
    assert len(warns) == 2 and warns[1].startswith("Of 2019, the archive covers 4 March 2019")
    assert all("2019" in c["date"] for c in cards(answer))
