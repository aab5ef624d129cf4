"""The press line and the quote's context (rag/cite.py, which the page and the CLI use)."""

from __future__ import annotations

from rag.answer import CLOSE, OPEN
from rag.cite import citation_line, context_span, press_quote


def test_citation_line_full():
    line = citation_line("China is a natural member of the Global South.", spokesperson="Mao Ning",
                         date="2023-07-26", outlet="Global Times", url="https://www.fmprc.gov.cn/x.html")
    assert line == (f"{OPEN}China is a natural member of the Global South,{CLOSE} Foreign Ministry Spokesperson "
                    "Mao Ning said at the regular press conference on 26 July 2023, answering Global Times. "
                    "Source: https://www.fmprc.gov.cn/x.html")


def test_citation_line_omits_unknown_fields():
    line = citation_line("We oppose it.")
    assert line == (f"{OPEN}We oppose it,{CLOSE} a Foreign Ministry spokesperson said at a regular press conference."
                    " (Date not established — check before publishing.)")  # an undated quote is never press-ready
    for word in ("Source", "answering", "None", "unknown"):
        assert word not in line
    no_date = citation_line("We oppose it.", spokesperson="Mao Ning", outlet="AFP")
    assert no_date.endswith("Foreign Ministry Spokesperson Mao Ning said at a regular press conference, answering AFP."
                            " (Date not established — check before publishing.)")
    no_outlet = citation_line("We oppose it.", spokesperson="Mao Ning", date="2024-10-15")
    assert no_outlet.endswith("said at the regular press conference on 15 October 2024.")


def test_citation_line_never_links_unsafe_urls():
    for url in ("javascript:alert(1)", "data:text/html,x", "/relative", "ftp://x", "https://", "http://a b"):
        assert "Source" not in citation_line("Q.", spokesperson="X Y", url=url)


def test_citation_line_keeps_question_marks_and_kinds():
    assert press_quote("Who benefits?") == f"{OPEN}Who benefits?{CLOSE}"
    assert press_quote("No") == f"{OPEN}No,{CLOSE}"
    remarks = citation_line("Text.", spokesperson="Lin Jian", date="2024-01-02", kind="remarks")
    assert "in remarks published on 2 January 2024." in remarks
    stmt = citation_line("Text.", spokesperson="Lin Jian", date="2024-01-02", outlet="CCTV", statement=True)
    assert "in an opening statement at the regular press conference on 2 January 2024." in stmt
    assert "answering" not in stmt
    after = citation_line("Text.", spokesperson="Lin Jian", outlet="Reuters", after_conference=True)
    assert after.endswith("answering Reuters after the press conference. (Date not established — check before "
                          "publishing.)")


def test_context_span():
    text = "a\n\nb c d\n\ne"
    s = text.index("c")
    assert context_span(text, s, s + 1) == (3, 8)
    assert text[slice(*context_span(text, 0, 1))] == "a"
    # Spanning two paragraphs gives both; bounds clip to the turn.
    assert context_span(text, s, len(text)) == (3, len(text))
    assert context_span(text, s, s + 1, lo=5, hi=7) == (5, 7)
