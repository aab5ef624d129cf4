"""The answer cards (rag/ui/cards.py): escaping, highlight, citation cards, what the JSON view says.

No browser, no model: the answers are real records over a fake-encoder index (``tests/unit/ui/answers.py``).
"""

from __future__ import annotations

import dataclasses
import re

from rag.answer import CLOSE, OPEN, answer_question, to_json
from rag.cite import citation_line, citation_line_for
from rag.records import Source
from rag.ui.cards import render_answer, user_bubble
from rag.ui.escape import esc, md_escape
from rag.ui.export import plain_markers
from tests.unit.ui.answers import QUOTE, URL, make_answer, make_retriever, make_source

HOSTILE = ('<script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> '
           '[link](javascript:alert(1)) **bold** `code` $$x^2$$ & "quotes"')
CITATION_KEYS = {"n", "quote", "source", "url", "date", "spokesperson", "outlet", "question", "start", "end",
                 "sentence_score", "procedural", "original"}


def _hostile_source() -> Source:
    text = (f"Regular Press Conference on March 1, 2024\nCCTV: {HOSTILE}?\n"
            f"Mao Ning: Before. {HOSTILE} After.\n")
    return make_source(text, "h.txt", title=HOSTILE, url="javascript:alert(1)")


def test_render_answer_escapes_transcript_text():
    src = _hostile_source()
    answer = make_answer(src, "zebra xss quotes bold code", quote=HOSTILE)
    assert to_json(answer)["citations"][0]["quote"] == HOSTILE
    html_out, md = render_answer(answer)
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
    src = make_source(url=URL)
    answer = make_answer(src)
    out = to_json(answer)
    html_out, md = render_answer(answer)
    c = out["citations"][0]
    assert c["quote"] == QUOTE and out["found"]
    assert f'<mark class="ss-hl">{esc(src.canonical[c["start"]:c["end"]])}</mark>' in html_out
    # The context is the quote's paragraph inside its turn, not the question or the next paragraph.
    para = re.search(r'<div class="ss-para">(.*?)</div>', html_out, re.S).group(1)
    assert re.sub(r"</?mark[^>]*>", "", para) == esc("First paragraph of the answer. " + QUOTE + " More text.")
    assert "[1]" in html_out and 'class="ss-ref"' in html_out
    assert f'<a class="ss-url" href="{URL}" target="_blank"' in html_out
    assert "Question from CCTV" in html_out
    clip = re.findall(r'<span class="ss-clip" hidden>(.*?)</span>', html_out, re.S)
    assert clip[0] == esc(citation_line(QUOTE, spokesperson="Mao Ning", date="2023-07-26", outlet="CCTV", url=URL))
    assert clip[0] == esc(citation_line_for(answer.citations[0]))
    assert "26 July 2023" in md and "” [1]" in md and "- [1] " in md and "\\[1\\]" not in md and "Mao Ning" in md
    assert f"Source: <{URL}>" in md


def test_render_answer_shows_what_to_json_says():
    """Every citation of the JSON view has its card, quote and location on the page and in the Markdown."""
    src = make_source(url=URL)
    answer = answer_question(make_retriever(src), "trade talks with the United States and the Global South", k=5)
    out = to_json(answer)
    assert out["found"] and out["citations"]
    html_out, md = render_answer(answer)
    assert len(re.findall(r'<li class="ss-card" id="ss-[0-9a-f]+-(\d+)"', html_out)) == len(out["citations"])
    for c in out["citations"]:
        assert set(c) == CITATION_KEYS  # the JSON contract gains nothing from the page's needs
        assert f'<blockquote class="ss-quote">{esc(OPEN + c["quote"] + CLOSE)}</blockquote>' in html_out
        assert f"{esc(c['source'])}, characters {c['start']}–{c['end']}" in html_out
        assert f"characters {c['start']}–{c['end']}" in md
        assert re.search(rf'href="#ss-[0-9a-f]+-{c["n"]}"', html_out)
    for para in out["answer"].split("\n\n"):
        assert plain_markers(md_escape(para)) in md


def test_citation_context_is_the_turn_paragraph_around_the_quote():
    src = make_source()
    r = make_retriever(src)
    for question in ("Global South", "trade talks", "What about both sides and the Global South?"):
        for c in answer_question(r, question, k=5).citations:
            assert src.canonical[c.context_start:c.context_start + len(c.context)] == c.context
            assert c.context_start <= c.start and c.end <= c.context_start + len(c.context)
            assert c.turn_start <= c.context_start and c.context_start + len(c.context) <= c.turn_end
            assert "\n\n" not in c.context[:c.start - c.context_start]
            assert "\n\n" not in c.context[c.end - c.context_start:]


def test_render_answer_not_found():
    answer = answer_question(make_retriever(make_source()), "quantum chromodynamics of gluons", k=5)
    assert not answer.found
    html_out, md = render_answer(answer)
    assert "ss-notfound" in html_out and "Not found" in html_out and "ss-card" not in html_out
    assert "Not found" in md


def test_card_kinds_come_from_the_citation():
    src = make_source(url=URL)
    c = make_answer(src).citations[0]
    card = lambda **kw: render_answer(dataclasses.replace(make_answer(src), citations=(dataclasses.replace(c, **kw),)))[0]  # noqa: E731
    assert "Published remarks" in card(source_kind="remarks")
    assert "Regular press conference, opening statement" in card(turn_kind="statement")
    assert "Answering <span class=\"ss-outlet\">CCTV</span> after the press conference" in card(after_conference=True)
    assert "26 July 2023 (date inferred)" in card(date_inferred=True)
    assert "Date not established — check before publishing." in card(date=None)
    assert "ss-context" not in card(context="")  # nothing to show: no "Show in the transcript"


def test_element_ids_are_unique_per_rendered_answer():
    answer = make_answer(make_source())
    a, _ = render_answer(answer)
    b, _ = render_answer(answer)
    ids_a, ids_b = set(re.findall(r'id="([^"]+)"', a)), set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    assert render_answer(answer, uid="x1")[0] == render_answer(answer, uid="x1")[0]
    assert 'id="ss-x1-1"' in render_answer(answer, uid="x1")[0]


def test_user_bubble_escapes_and_truncates():
    assert user_bubble("<b>x</b>") == '<span class="ss-user">&lt;b&gt;x&lt;/b&gt;</span>'
    long = user_bubble("a" * 3000)
    assert "(3000 characters)" in long and len(long) < 600
