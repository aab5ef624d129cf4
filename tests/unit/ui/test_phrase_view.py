"""The page's phrase view (rag/ui/phrase_view.py): counts, bars, verbatim highlights, escaping."""

from __future__ import annotations

from rag.phrases import find_phrase
from rag.ui.escape import esc
from rag.ui.phrase_view import bars, months, phrase_markdown, render_phrase
from tests.unit.ui.answers import make_retriever, make_source

TEXT = ("Regular Press Conference on July 26, 2023\nCCTV: Is it win-win <b>really</b>?\n"
        "Mao Ning: Cooperation is win-win. We say win-win again.\n")


def test_phrase_view_counts_and_highlights_verbatim_text():
    r = make_retriever(make_source(TEXT, "w.txt"))
    report = find_phrase(r.index, "Win-Win")
    html = render_phrase(report, r.index)
    assert "2 times in the spokespersons' answers at 1 conference; 1 more in journalists" in html
    assert html.count('<mark class="ss-hl">win-win</mark>') == 2  # canonical text, not the typed case
    assert "<b>really</b>" not in html  # transcript text escaped (the question is not shown raw)
    assert esc("Copy citation") in html
    md = phrase_markdown(report)
    assert "2 uses in answers at 1 conferences; 1 in questions." in md and "w.txt characters" in md


def test_bars_and_months():
    assert months(["2019-11-05", "2020-01-02", "2019-11-30"]) == [("2019-11", 2), ("2019-12", 0), ("2020-01", 1)]
    html = bars([("2019-11", 2), ("2019-12", 0), ("2020-01", 1)], "uses")
    assert 'class="ss-bar ss-h8" title="2019-11: 2"' in html and 'class="ss-bar ss-h0"' in html
    assert 'class="ss-bar ss-h4" title="2020-01: 1"' in html and "style=" not in html
