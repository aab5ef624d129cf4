"""A conversation in the page (issue 10): a follow-up answered with the thread's topic, undone with one
click; statements ordered by date. Index of ``conftest.py`` (Pompeo statements of 2019 and 2020 in
``helpers.EXTRA_TRANSCRIPTS``)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import ANSWERS, ask, cards

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_year_followup_is_answered_from_that_year_and_can_be_undone(page):
    first, _ = ask(page, "What did the spokesperson say about Pompeo and the debt traps?")
    assert {c["date"][-4:] for c in cards(first)} >= {"2019", "2020"}
    answer, _ = ask(page, "And in 2020?")
    understood = answer.locator(".ss-understood").inner_text()
    assert "follow-up of your previous question" in understood and "Pompeo" in understood and "2020" in understood
    got = cards(answer)
    assert got and all(c["date"].endswith("2020") for c in got)
    # One click asks it on its own: no thread, so no Pompeo topic and no follow-up banner.
    alone = page.locator("#ss-alone")
    assert alone.is_visible()
    before = page.locator(ANSWERS).count()
    alone.click()
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[ANSWERS, before],
                           timeout=60_000)
    last = page.locator(ANSWERS).last
    assert last.locator(".ss-understood").count() == 0
    assert "Pompeo" not in last.locator(".ss-text").inner_text()


def test_spokesperson_followup_switches_the_speaker(page):
    ask(page, "What did Hua Chunying say about Pompeo?")
    answer, _ = ask(page, "What did Geng Shuang say about it?")
    assert "follow-up" in answer.locator(".ss-understood").inner_text()
    whos = {c["card"].locator(".ss-who").inner_text() for c in cards(answer)}
    assert whos == {"Geng Shuang"}


def test_statements_can_be_ordered_by_date(page):
    answer, _ = ask(page, "What did the spokesperson say about Pompeo and the debt traps?")
    years = lambda a: [c["date"][-4:] for c in cards(a)]  # noqa: E731
    assert len(set(years(answer))) >= 2
    page.locator("#ss-order").get_by_text("Oldest first").click()
    page.wait_for_timeout(800)
    shown = page.locator(ANSWERS).last
    assert years(shown) == sorted(years(shown))
    page.locator("#ss-order").get_by_text("Newest first").click()
    page.wait_for_timeout(800)
    shown = page.locator(ANSWERS).last
    assert years(shown) == sorted(years(shown), reverse=True)
    # The [n] markers follow the new order: the first card is [1].
    assert shown.locator("li.ss-card .ss-n").first.inner_text() == "[1]"


def test_quoted_phrase_counts_every_verbatim_use(page, servers):
    answer, _ = ask(page, 'How often did they say "debt traps"?')
    head = answer.locator(".ss-phrase-head").inner_text()
    # The same count as a direct scan of the answers' canonical text (case-insensitive, whole words).
    import re

    index = servers["index"]
    direct = sum(len(re.findall(r"(?<!\w)debt traps(?!\w)", s.canonical[t.start:t.end], re.I))
                 for s in index.sources.values() for t in s.turns)
    assert direct >= 2 and head.startswith(f"\u201cdebt traps\u201d: {direct} times")
    marks = answer.locator("mark.ss-hl").all_inner_texts()
    assert len(marks) == direct and all(m.lower() == "debt traps" for m in marks)
    assert answer.locator(".ss-bars .ss-bar").count() >= 2 and answer.locator("table.ss-table").count() == 2


def test_timeline_of_the_last_question_lists_a_periods_statements_on_click(page, servers):
    ask(page, "What did the spokesperson say about Pompeo and the debt traps?")
    before = page.locator(ANSWERS).count()
    page.locator("#ss-timeline").click()
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[ANSWERS, before],
                           timeout=60_000)
    tl = page.locator(ANSWERS).last
    assert "Timeline of" in tl.locator(".ss-phrase-head").inner_text()
    bars = tl.locator(".ss-tl-bar")
    assert bars.count() >= 2  # one per period over the archive, empty ones included
    full = [i for i in range(bars.count()) if not bars.nth(i).get_attribute("class").endswith("ss-h0")]
    assert full, "no period addresses the topic"
    bar = bars.nth(full[0])
    period = bar.get_attribute("title").split(":")[0]
    section = tl.locator(f'details[id$="-p-{period}"]')
    assert section.get_attribute("open") is None
    bar.click()
    page.wait_for_timeout(300)
    assert section.get_attribute("open") is not None
    quotes = section.locator("blockquote.ss-quote").all_inner_texts()
    assert quotes and "Pompeo" in " ".join(quotes)
    canon = {s.source: s.canonical for s in servers["index"].sources.values()}
    assert any(q[1:-1] in c for q in quotes for c in canon.values())  # verbatim
