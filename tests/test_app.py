"""Unit tests of the chat page's helpers (rag/ui.py) and app.py's arguments: no browser, no model."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

import app
from rag import ui
from rag.answer import CLOSE, OPEN
from rag.records import Source, Turn

CANON = ("Header line\n\nCCTV: What about the Global South?\n\n"
         "Mao Ning: First paragraph of the answer. China is a natural member of the Global South. More text.\n\n"
         "Second paragraph here.")
QUOTE = "China is a natural member of the Global South."
HOSTILE = ('<script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> '
           '[link](javascript:alert(1)) **bold** `code` $$x^2$$ & "quotes"')


def _source(canonical: str = CANON, url: str | None = "https://www.fmprc.gov.cn/eng/xw/t1.html",
            date: str | None = "2023-07-26", kind: str = "conference") -> Source:
    a_start = canonical.index("First paragraph")
    turn = Turn(turn_id="s:1", source="s.txt", n=1, kind="answer", spokesperson="Mao Ning", outlet="CCTV",
                question="What about the Global South?", question_start=None, question_end=None,
                start=a_start, end=len(canonical), text=canonical[a_start:])
    return Source(source="s.txt", canonical=canonical, title="Regular press conference", date=date,
                  date_inferred=False, spokesperson="Mao Ning", url=url, kind=kind, turns=(turn,))


def _out(src: Source, quote: str = QUOTE, found: bool = True, filters: dict | None = None) -> dict:
    start = src.canonical.index(quote)
    c = {"n": 1, "quote": quote, "source": src.source, "url": src.url, "date": src.date,
         "spokesperson": "Mao Ning", "outlet": "CCTV", "question": src.turns[0].question,
         "start": start, "end": start + len(quote)}
    answer = (f"At the regular press conference on 26 July 2023, answering CCTV, spokesperson Mao Ning said: "
              f"{OPEN}{quote}{CLOSE} [1]\n\nSearched 1 transcript(s) dated 2023-07-26 to 2023-07-26.")
    if not found:
        answer = ("Not found: nothing in the 1 transcript(s) searched dated 2023-07-26 to 2023-07-26 answers "
                  "this closely enough. Try other words or widen the filters.")
    return {"question": "What about the Global South?", "answer": answer, "found": found,
            "filters": filters or {"since": None, "until": None, "spokesperson": None, "outlet": None},
            "citations": [c] if found else [], "hits": []}


# --- the press line ----------------------------------------------------------------------------

def test_citation_line_full():
    line = ui.citation_line("China is a natural member of the Global South.", spokesperson="Mao Ning",
                            date="2023-07-26", outlet="Global Times", url="https://www.fmprc.gov.cn/x.html")
    assert line == (f"{OPEN}China is a natural member of the Global South,{CLOSE} Foreign Ministry Spokesperson "
                    "Mao Ning said at the regular press conference on 26 July 2023, answering Global Times. "
                    "Source: https://www.fmprc.gov.cn/x.html")


def test_citation_line_omits_unknown_fields():
    line = ui.citation_line("We oppose it.")
    assert line == f"{OPEN}We oppose it,{CLOSE} a Foreign Ministry spokesperson said at a regular press conference."
    for word in ("Source", "answering", "None", "unknown"):
        assert word not in line
    no_date = ui.citation_line("We oppose it.", spokesperson="Mao Ning", outlet="AFP")
    assert no_date.endswith("Foreign Ministry Spokesperson Mao Ning said at a regular press conference, answering AFP.")
    no_outlet = ui.citation_line("We oppose it.", spokesperson="Mao Ning", date="2024-10-15")
    assert no_outlet.endswith("said at the regular press conference on 15 October 2024.")


def test_citation_line_never_links_unsafe_urls():
    for url in ("javascript:alert(1)", "data:text/html,x", "/relative", "ftp://x", "https://", "http://a b"):
        assert "Source" not in ui.citation_line("Q.", spokesperson="X Y", url=url)


def test_citation_line_keeps_question_marks_and_kinds():
    assert ui.press_quote("Who benefits?") == f"{OPEN}Who benefits?{CLOSE}"
    assert ui.press_quote("No") == f"{OPEN}No,{CLOSE}"
    remarks = ui.citation_line("Text.", spokesperson="Lin Jian", date="2024-01-02", kind="remarks")
    assert "in remarks published on 2 January 2024." in remarks
    stmt = ui.citation_line("Text.", spokesperson="Lin Jian", date="2024-01-02", outlet="CCTV", statement=True)
    assert "in an opening statement at the regular press conference on 2 January 2024." in stmt
    assert "answering" not in stmt
    after = ui.citation_line("Text.", spokesperson="Lin Jian", outlet="Reuters", after_conference=True)
    assert after.endswith("answering Reuters after the press conference.")


# --- escaping ----------------------------------------------------------------------------------

def test_esc_and_safe_url():
    assert ui.esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert ui.esc(None) == ""
    assert ui.safe_url("https://www.fmprc.gov.cn/eng/t1.html") == "https://www.fmprc.gov.cn/eng/t1.html"
    assert ui.safe_url("HTTP://example.org/") == "HTTP://example.org/"
    for bad in (None, "", "javascript:alert(1)", " javascript:x", "JaVaScRiPt:x", "data:x", "//evil.org",
                'https://x.org/"onmouseover="x', "https://x.org/<script>", "vbscript:x"):
        assert ui.safe_url(bad) is None


def _hostile_source() -> Source:
    canon = f"Header\n\nCCTV: {HOSTILE}?\n\nMao Ning: Before. {HOSTILE} After."
    a = canon.index("Before.")
    turn = Turn(turn_id="h:1", source="h.txt", n=1, kind="answer", spokesperson="Mao Ning", outlet="CCTV",
                question=f"{HOSTILE}?", question_start=None, question_end=None, start=a, end=len(canon),
                text=canon[a:])
    return Source(source="h.txt", canonical=canon, title=HOSTILE, date="2024-03-01", date_inferred=False,
                  spokesperson="Mao Ning", url="javascript:alert(1)", kind="conference", turns=(turn,))


def test_render_answer_escapes_transcript_text():
    src = _hostile_source()
    index = SimpleNamespace(sources={src.source: src})
    out = _out(src, quote=HOSTILE)
    html_out, md = ui.render_answer(out, index)
    # No tag from the transcript survives as markup; the only tags are the page's own.
    tags = set(re.findall(r"<\s*([a-zA-Z]+)", html_out))
    assert tags <= {"div", "span", "p", "a", "ol", "li", "blockquote", "details", "summary", "mark", "button"}
    assert "<script" not in html_out and "<img" not in html_out
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html_out
    assert "onerror=&quot;window.__xss=2&quot;" in html_out
    # The javascript: URL is shown as text, never as a link.
    assert 'href="javascript' not in html_out.lower()
    assert all(h.startswith("#ss-") for h in re.findall(r'href="([^"]*)"', html_out))
    assert "not a web link" in html_out
    # Markdown export: the payload cannot become a link, image or emphasis when rendered.
    assert "[link](javascript" not in md
    assert r"\[link\](javascript:alert(1))" in md
    assert r"\*\*bold\*\*" in md and r"\<script\>" in md


def test_render_answer_cards_and_highlight():
    src = _source()
    index = SimpleNamespace(sources={src.source: src})
    out = _out(src)
    html_out, md = ui.render_answer(out, index)
    c = out["citations"][0]
    assert f'<mark class="ss-hl">{ui.esc(src.canonical[c["start"]:c["end"]])}</mark>' in html_out
    # The context is the quote's paragraph inside its turn, not the question or the next paragraph.
    para = re.search(r'<div class="ss-para">(.*?)</div>', html_out, re.S).group(1)
    assert re.sub(r"</?mark[^>]*>", "", para) == ui.esc("First paragraph of the answer. " + QUOTE + " More text.")
    assert "[1]" in html_out and 'class="ss-ref"' in html_out
    assert '<a class="ss-url" href="https://www.fmprc.gov.cn/eng/xw/t1.html" target="_blank"' in html_out
    assert "Question from CCTV" in html_out
    clip = re.findall(r'<span class="ss-clip" hidden>(.*?)</span>', html_out, re.S)
    assert clip[0] == ui.esc(ui.citation_line(QUOTE, spokesperson="Mao Ning", date="2023-07-26", outlet="CCTV",
                                              url=src.url))
    assert "26 July 2023" in md and "\\[1\\]" in md and "Mao Ning" in md
    assert "Source: <https://www.fmprc.gov.cn/eng/xw/t1.html>" in md


def test_render_answer_not_found():
    src = _source()
    html_out, md = ui.render_answer(_out(src, found=False), SimpleNamespace(sources={}))
    assert "ss-notfound" in html_out and "Not found" in html_out and "ss-card" not in html_out
    assert "Not found" in md


def test_context_span():
    text = "a\n\nb c d\n\ne"
    s = text.index("c")
    assert ui.context_span(text, s, s + 1) == (3, 8)
    assert text[slice(*ui.context_span(text, 0, 1))] == "a"
    # Spanning two paragraphs gives both; bounds clip to the turn.
    assert ui.context_span(text, s, len(text)) == (3, len(text))
    assert ui.context_span(text, s, s + 1, lo=5, hi=7) == (5, 7)


def test_filter_notes_and_time_phrase():
    f = {"since": "2018-06-01", "until": "2018-06-30", "spokesperson": None, "outlet": None}
    notes = ui.filter_notes(f, {}, "What about Huawei in June 2018?")
    assert notes == [f"Dates 1 June 2018 to 30 June 2018 (from {OPEN}June 2018{CLOSE} in the question)"]
    notes = ui.filter_notes({**f, "outlet": "CCTV", "spokesperson": "Mao Ning"}, {"since": "2018-06-01"}, "x")
    assert notes == ["Dates 1 June 2018 to 30 June 2018", "Spokesperson: Mao Ning", "Outlet: CCTV"]
    assert ui.filter_notes({"since": "2020-01-01", "until": None}, {"since": "2020-01-01"}) == [
        "Dates 1 January 2020 to the latest transcript"]
    assert ui.filter_notes({}) == []


def test_markdown_escape():
    assert ui.md_escape("a*b_c [x](y) <b> & $$") == r"a\*b\_c \[x\](y) \<b\> \& \$\$"
    assert ui.md_escape("# heading\n- item\n1. one") == "\\# heading\n\\- item\n1\\. one"
    assert ui.md_escape(None) == ""


def test_friendly_errors():
    from rag.errors import QueryError
    from rag.retrieval import make_filters

    with pytest.raises(QueryError) as e:
        make_filters(since="2023-13-45")
    msg = ui.friendly_error(e.value)
    assert "--since" not in msg and "YYYY-MM-DD" in msg and msg.startswith("The “From” date")
    with pytest.raises(QueryError) as e:
        make_filters(since="2024-01-02", until="2023-01-01")
    assert ui.friendly_error(e.value).startswith("The “From” date (2024-01-02) is after the “To” date")


# --- corpus facts, examples, backend without an index -------------------------------------------

def _corpus(questions: list[str]) -> SimpleNamespace:
    turns = tuple(Turn(turn_id=f"s:{i}", source="s.txt", n=i, kind="answer", spokesperson="Lin Jian",
                       outlet="AFP", question=q, question_start=None, question_end=None, start=0, end=1, text="x")
                  for i, q in enumerate(questions, start=1))
    src = Source(source="s.txt", canonical="x", title=None, date="2024-05-01", date_inferred=False,
                 spokesperson="Lin Jian", url=None, kind="conference", turns=turns)
    return SimpleNamespace(sources={"s.txt": src}, date_range=lambda: ("2024-05-01", "2024-05-01"))


def test_example_questions_come_from_the_index():
    idx = _corpus([
        "Yesterday a report came out. Do you have more to share on this?",  # points back at context
        "The SCO summit opens next week. What's China's expectation of the SCO meeting?",
        "What is China's comment?",  # names nothing
        "Will Premier Li Qiang attend the G20 summit in Rio de Janeiro?",
    ])
    assert ui.example_questions(idx) == ["What's China's expectation of the SCO meeting?",
                                         "Will Premier Li Qiang attend the G20 summit in Rio de Janeiro?"]
    assert ui.example_questions(None) == []
    facts = ui.corpus_facts(idx)
    assert facts["spokespersons"] == ["Lin Jian"] and facts["outlets"] == ["AFP"] and facts["sources"] == 1


def test_backend_without_index_explains_how_to_build(tmp_path):
    b = ui.Backend(tmp_path / "missing")
    assert b.start() is None
    assert b.problem and "no index" in b.problem and b.wait_ready(0)
    html_out, md = b.ask("What about the SCO?")
    assert md is None and "rag ingest" in html_out and "ss-setup" in html_out
    header = ui.header_html(ui.corpus_facts(None), b.problem, b.index_dir)
    assert "rag ingest seeds/ --index" in header


def test_user_bubble_escapes_and_truncates():
    assert ui._user_bubble("<b>x</b>") == '<span class="ss-user">&lt;b&gt;x&lt;/b&gt;</span>'
    long = ui._user_bubble("a" * 3000)
    assert "(3000 characters)" in long and len(long) < 600


# --- app.py ----------------------------------------------------------------------------------------

def test_app_arguments():
    a = app.parse_args([])
    assert (a.host, a.port, a.auth) == ("127.0.0.1", 7860, None)
    assert a.index.endswith("index")
    a = app.parse_args(["--index", "/x", "--host", "0.0.0.0", "--port", "8000", "--auth", "ann:pa:ss"])
    assert (a.index, a.host, a.port, a.auth) == ("/x", "0.0.0.0", 8000, ("ann", "pa:ss"))
    for bad in (["--auth", "nopass"], ["--auth", ":x"], ["--port", "0"]):
        with pytest.raises(SystemExit):
            app.parse_args(bad)
