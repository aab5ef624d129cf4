"""Unit tests of the chat page (rag/ui/) and app.py's arguments: no browser, no model.

The answers rendered here are real :class:`~rag.records.Answer` records, made by the ask path
(``Retriever.search`` -> quotes -> ``build_answer`` / ``answer_question``) over a small index built
with the fake encoder, so a change in what the pipeline records shows up in what the page renders.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from types import SimpleNamespace

import pytest

import app
from rag.answer import CLOSE, OPEN, answer_question, build_answer, to_json
from rag.chunking import ChunkParams, chunk_source
from rag.cite import citation_line, citation_line_for, context_span, press_quote, safe_url
from rag.quoting import Quote
from rag.records import Answer, Source, Turn
from rag.retrieval import Retriever, make_filters
from rag.sources.text import parse_text
from rag.store import assemble
from rag.ui import page
from rag.ui.backend import Backend, Notice, Reply, friendly_error
from rag.ui.cards import render_answer, user_bubble
from rag.ui.chips import filter_notes
from rag.ui.escape import esc, md_escape
from rag.ui.export import ExportFolder, answer_markdown, conversation_markdown
from rag.ui.facts import corpus_facts, example_questions, header_html
from tests.fakes import FakeEncoder

QUOTE = "China is a natural member of the Global South."
TEXT = ("Regular Press Conference on July 26, 2023\n"
        "CCTV: What about the Global South?\n"
        f"Mao Ning: First paragraph of the answer. {QUOTE} More text.\n"
        "Second paragraph here.\n"
        "AFP: What about the trade talks with the United States?\n"
        "Mao Ning: We hope the talks go well and produce results for both sides.\n")
URL = "https://www.fmprc.gov.cn/eng/xw/t1.html"
HOSTILE = ('<script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> '
           '[link](javascript:alert(1)) **bold** `code` $$x^2$$ & "quotes"')
NO_FILTERS = {"since": None, "until": None, "spokesperson": None, "outlet": None}
CITATION_KEYS = {"n", "quote", "source", "url", "date", "spokesperson", "outlet", "question", "start", "end"}


def _source(text: str = TEXT, name: str = "s.txt", **changes) -> Source:
    return dataclasses.replace(parse_text(text, name), **changes)


def _retriever(*sources: Source) -> Retriever:
    enc = FakeEncoder()
    chunks = []
    for s in sources:
        for c in chunk_source(s, ChunkParams(max_tokens=40)):
            chunks.append(dataclasses.replace(c, chunk_id=len(chunks)))
    index = assemble({"model": enc.name, "dims": enc.dims}, {s.source: s for s in sources}, chunks,
                     enc.encode([c.embed_text for c in chunks]))
    return Retriever(index, enc)


def _answer(src: Source, question: str = "Is China a member of the Global South?", quote: str = QUOTE) -> Answer:
    """The answer that quotes exactly ``quote``: a real search, its hit for the turn that holds the
    quote, and build_answer (so the citation's context, turn kind... come from the pipeline)."""
    result = _retriever(src).search(question, k=5)
    hit = next(h for h in result.hits if quote in src.canonical[h.turn.start:h.turn.end])
    start = src.canonical.index(quote, hit.turn.start)
    return build_answer(result, [Quote(1, start, start + len(quote), quote, hit)], True)


# --- the press line (rag.cite, which the page uses) ---------------------------------------------

def test_citation_line_full():
    line = citation_line("China is a natural member of the Global South.", spokesperson="Mao Ning",
                         date="2023-07-26", outlet="Global Times", url="https://www.fmprc.gov.cn/x.html")
    assert line == (f"{OPEN}China is a natural member of the Global South,{CLOSE} Foreign Ministry Spokesperson "
                    "Mao Ning said at the regular press conference on 26 July 2023, answering Global Times. "
                    "Source: https://www.fmprc.gov.cn/x.html")


def test_citation_line_omits_unknown_fields():
    line = citation_line("We oppose it.")
    assert line == f"{OPEN}We oppose it,{CLOSE} a Foreign Ministry spokesperson said at a regular press conference."
    for word in ("Source", "answering", "None", "unknown"):
        assert word not in line
    no_date = citation_line("We oppose it.", spokesperson="Mao Ning", outlet="AFP")
    assert no_date.endswith("Foreign Ministry Spokesperson Mao Ning said at a regular press conference, answering AFP.")
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
    assert after.endswith("answering Reuters after the press conference.")


# --- escaping ----------------------------------------------------------------------------------

def test_esc_and_safe_url():
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert esc(None) == ""
    assert safe_url("https://www.fmprc.gov.cn/eng/t1.html") == "https://www.fmprc.gov.cn/eng/t1.html"
    assert safe_url("HTTP://example.org/") == "HTTP://example.org/"
    for bad in (None, "", "javascript:alert(1)", " javascript:x", "JaVaScRiPt:x", "data:x", "//evil.org",
                'https://x.org/"onmouseover="x', "https://x.org/<script>", "vbscript:x"):
        assert safe_url(bad) is None


def _hostile_source() -> Source:
    text = (f"Regular Press Conference on March 1, 2024\nCCTV: {HOSTILE}?\n"
            f"Mao Ning: Before. {HOSTILE} After.\n")
    return _source(text, "h.txt", title=HOSTILE, url="javascript:alert(1)")


def test_render_answer_escapes_transcript_text():
    src = _hostile_source()
    answer = _answer(src, "zebra xss quotes bold code", quote=HOSTILE)
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
    src = _source(url=URL)
    answer = _answer(src)
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
    assert "26 July 2023" in md and "\\[1\\]" in md and "Mao Ning" in md
    assert f"Source: <{URL}>" in md


def test_render_answer_shows_what_to_json_says():
    """Every citation of the JSON view has its card, quote and location on the page and in the Markdown."""
    src = _source(url=URL)
    answer = answer_question(_retriever(src), "trade talks with the United States and the Global South", k=5)
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
        assert md_escape(para) in md


def test_citation_context_is_the_turn_paragraph_around_the_quote():
    src = _source()
    r = _retriever(src)
    for question in ("Global South", "trade talks", "What about both sides and the Global South?"):
        for c in answer_question(r, question, k=5).citations:
            assert src.canonical[c.context_start:c.context_start + len(c.context)] == c.context
            assert c.context_start <= c.start and c.end <= c.context_start + len(c.context)
            assert c.turn_start <= c.context_start and c.context_start + len(c.context) <= c.turn_end
            assert "\n\n" not in c.context[:c.start - c.context_start]
            assert "\n\n" not in c.context[c.end - c.context_start:]


def test_render_answer_not_found():
    answer = answer_question(_retriever(_source()), "quantum chromodynamics of gluons", k=5)
    assert not answer.found
    html_out, md = render_answer(answer)
    assert "ss-notfound" in html_out and "Not found" in html_out and "ss-card" not in html_out
    assert "Not found" in md


def test_card_kinds_come_from_the_citation():
    src = _source(url=URL)
    c = _answer(src).citations[0]
    card = lambda **kw: render_answer(dataclasses.replace(_answer(src), citations=(dataclasses.replace(c, **kw),)))[0]  # noqa: E731
    assert "Published remarks" in card(source_kind="remarks")
    assert "Regular press conference, opening statement" in card(turn_kind="statement")
    assert "Answering <span class=\"ss-outlet\">CCTV</span> after the press conference" in card(after_conference=True)
    assert "26 July 2023 (date inferred)" in card(date_inferred=True)
    assert "Date unknown" in card(date=None)
    assert "ss-context" not in card(context="")  # nothing to show: no "Show in the transcript"


def test_element_ids_are_unique_per_rendered_answer():
    answer = _answer(_source())
    a, _ = render_answer(answer)
    b, _ = render_answer(answer)
    ids_a, ids_b = set(re.findall(r'id="([^"]+)"', a)), set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    assert render_answer(answer, uid="x1")[0] == render_answer(answer, uid="x1")[0]
    assert 'id="ss-x1-1"' in render_answer(answer, uid="x1")[0]


def test_context_span():
    text = "a\n\nb c d\n\ne"
    s = text.index("c")
    assert context_span(text, s, s + 1) == (3, 8)
    assert text[slice(*context_span(text, 0, 1))] == "a"
    # Spanning two paragraphs gives both; bounds clip to the turn.
    assert context_span(text, s, len(text)) == (3, len(text))
    assert context_span(text, s, s + 1, lo=5, hi=7) == (5, 7)


def test_filter_notes_and_time_phrase():
    r = _retriever(_source())
    a = answer_question(r, "What about Huawei in June 2018?")
    assert a.time_phrase == "June 2018"
    assert filter_notes(a, {}) == [f"Dates 1 June 2018 to 30 June 2018 (from {OPEN}June 2018{CLOSE} in the question)"]
    assert filter_notes(dataclasses.replace(a, time_phrase=None)) == [
        "Dates 1 June 2018 to 30 June 2018 (from a time phrase in the question)"]
    a = answer_question(r, "x", filters=make_filters("2018-06-01", "2018-06-30", "Mao Ning", "CCTV"))
    assert filter_notes(a, {"since": "2018-06-01"}) == [
        "Dates 1 June 2018 to 30 June 2018", "Spokesperson: Mao Ning", "Outlet: CCTV"]
    a = answer_question(r, "Global South", filters=make_filters("2020-01-01"))
    assert filter_notes(a, {"since": "2020-01-01"}) == ["Dates 1 January 2020 to the latest transcript"]
    assert filter_notes(answer_question(r, "Global South")) == []
    html_out, md = render_answer(answer_question(r, "What about Huawei in June 2018?"), {})
    assert f"from {OPEN}June 2018{CLOSE} in the question" in html_out and "June 2018" in md


def test_markdown_escape():
    assert md_escape("a*b_c [x](y) <b> & $$") == r"a\*b\_c \[x\](y) \<b\> \& \$\$"
    assert md_escape("# heading\n- item\n1. one") == "\\# heading\n\\- item\n1\\. one"
    assert md_escape(None) == ""


def test_friendly_errors():
    from rag.errors import QueryError

    with pytest.raises(QueryError) as e:
        make_filters(since="2023-13-45")
    msg = friendly_error(e.value)
    assert "--since" not in msg and "YYYY-MM-DD" in msg and msg.startswith("The “From” date")
    with pytest.raises(QueryError) as e:
        make_filters(since="2024-01-02", until="2023-01-01")
    assert friendly_error(e.value).startswith("The “From” date (2024-01-02) is after the “To” date")


# --- the conversation: state as data, export ---------------------------------------------------

def test_chat_is_rendered_from_replies():
    src = _source()
    answer = _answer(src)
    replies = [Reply("<b>q</b>", NO_FILTERS, answer=answer, uid="u1"),
               Reply("bad", NO_FILTERS, notice=Notice("The “From” date must look like 2019-06-30"))]
    msgs = page.chat_messages(replies)
    assert [m["role"] for m in msgs] == ["user", "assistant", "user", "assistant"]
    assert msgs[0]["content"] == user_bubble("<b>q</b>") and "&lt;b&gt;" in msgs[0]["content"]
    assert msgs[1]["content"] == render_answer(answer, NO_FILTERS, "u1")[0]
    assert "ss-notice ss-error" in msgs[3]["content"] and "2019-06-30" in msgs[3]["content"]
    md = conversation_markdown([(r.answer, r.asked) for r in replies if r.answer])
    assert md.startswith("# Spokesperson Search: conversation export\n\n")
    assert answer_markdown(answer, NO_FILTERS) in md


def test_export_folder_is_removed():
    folder = ExportFolder()
    f = folder.new_file()
    f.write_text("x", encoding="utf-8")
    assert f.parent == folder.path and folder.path.is_dir()
    folder.cleanup()
    assert not folder.path.exists()
    folder.cleanup()  # twice is fine
    other = ExportFolder()
    path = other.path
    del other
    gc.collect()
    assert not path.exists()  # also when the page goes away (and at exit)


# --- corpus facts, examples, backend ------------------------------------------------------------

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
    assert example_questions(idx) == ["What's China's expectation of the SCO meeting?",
                                      "Will Premier Li Qiang attend the G20 summit in Rio de Janeiro?"]
    assert example_questions(None) == []
    facts = corpus_facts(idx)
    assert facts["spokespersons"] == ["Lin Jian"] and facts["outlets"] == ["AFP"] and facts["sources"] == 1


def test_backend_without_index_explains_how_to_build(tmp_path):
    b = Backend(tmp_path / "missing")
    assert b.start() is None
    assert b.problem and "no index" in b.problem and b.wait_ready(0)
    r = b.reply("What about the SCO?")
    assert r.answer is None and r.notice.kind == "setup"
    html_out = page.render_reply(r)
    assert "rag ingest" in html_out and "ss-setup" in html_out
    assert b.ask_json("What about the SCO?") == {"error": b.problem}
    header = header_html(corpus_facts(None), b.problem, b.index_dir)
    assert "rag ingest seeds/ --index" in header


def _ready_backend(tmp_path, *sources: Source) -> Backend:
    b = Backend(tmp_path)
    b.retriever = _retriever(*sources)
    b.index = b.retriever.index
    b._ready.set()
    return b


def test_chat_and_api_share_one_path(tmp_path):
    src = _source()
    b = _ready_backend(tmp_path, src)
    r = b.reply("Is China a member of the Global South?", " 2023-07-01 ", "", "", None)
    assert r.notice is None and r.asked["since"] == "2023-07-01" and r.answer.filters["since"] == "2023-07-01"
    assert b.ask_json("Is China a member of the Global South?", "2023-07-01") == to_json(r.answer)
    assert to_json(r.answer) == to_json(answer_question(b.retriever, "Is China a member of the Global South?",
                                                        filters=make_filters("2023-07-01")))
    # Bad input: the same message in the chat and from the API.
    for args in (("Global South", "2023-13-45"), ("Global South", "2024-01-02", "2023-01-01"), ("   ",),
                 ("x" * 5000,)):
        chat, api = b.reply(*args), b.ask_json(*args)
        assert chat.answer is None and chat.notice.kind == "error"
        assert api == {"error": chat.notice.message}
    assert b.reply("Global South", "2023-13-45").notice.message.startswith("The “From” date")


def test_chat_survives_unexpected_errors(tmp_path, monkeypatch):
    b = _ready_backend(tmp_path, _source())

    def boom(*a, **kw):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(b.retriever, "search", boom)
    r = b.reply("Global South")
    assert r.answer is None and "server log" in r.notice.message and "fire" not in r.notice.message
    with pytest.raises(RuntimeError):  # the API reports it as an error event instead
        b.ask_json("Global South")


def test_user_bubble_escapes_and_truncates():
    assert user_bubble("<b>x</b>") == '<span class="ss-user">&lt;b&gt;x&lt;/b&gt;</span>'
    long = user_bubble("a" * 3000)
    assert "(3000 characters)" in long and len(long) < 600


def test_ui_package_import_has_no_side_effects():
    import subprocess
    import sys

    code = ("import sys, rag.ui, rag.ui.backend, rag.ui.cards, rag.ui.export, rag.ui.facts, rag.ui.page; "
            "print(sorted(m for m in ('gradio', 'torch', 'faiss', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


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
