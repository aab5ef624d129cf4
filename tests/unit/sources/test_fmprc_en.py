"""The fmprc.gov.cn HTML reader: hand-written fixture pages, errors, dates, duplicates, real corpus."""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.errors import TranscriptError
from rag.records import Source
from rag.sources.fmprc_en import find_duplicates, infer_years, load_urls, page_id, parse_html
from tests.paths import CORPUS_EN, HTML_FIXTURES, corpus_or_skip


def _fixture(name: str, source: str | None = None) -> Source:
    path = HTML_FIXTURES / name
    src = parse_html(path.read_bytes(), source or name, path=str(path))
    _assert_offsets(src)
    return src


def _page(title: str, body: str = "<P>Q: Anything new?</P><P>A: Nothing new.</P>") -> str:
    return (f"<html><head><title>{title}</title></head><body><h2 class=\"title\">{title}</h2>"
            f"<div class=\"content\">{body}</div></body></html>")


def _assert_offsets(src: Source) -> None:
    for t in src.turns:
        assert src.canonical[t.start:t.end] == t.text
        if t.question is not None:
            assert src.canonical[t.question_start:t.question_end] == t.question


def _turns(src: Source) -> list[tuple]:
    return [(t.kind, t.outlet, t.spokesperson, t.question, t.text, t.after_conference) for t in src.turns]


def _line_of(name: str, needle: str) -> int:
    lines = (HTML_FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


# ---------------------------------------------------------------------------
# Fixture pages, both eras


def test_qa_era_page() -> None:
    src = _fixture("qa_era.html", "t9000100.html")
    assert src.title == "Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on June 5, 2018"
    assert (src.date, src.date_inferred, src.spokesperson, src.kind) == ("2018-06-05", False, "Lu Kang", "conference")
    assert src.warnings == ()
    lk = "Lu Kang"
    assert _turns(src) == [
        ("statement", None, lk, None,
         "At the invitation of the Foreign Minister of Examplestan, State Councilor Wang will visit Examplestan "
         "from June 7 to 9.\n\nThe two sides will exchange views on bilateral relations.", False),
        ("answer", None, lk, "Could you tell us more about the visit?",
         "The visit is the first of its kind this year.\n\nWe expect fruitful results.", False),
        ("answer", None, lk, "A weather satellite was launched yesterday. What is your comment?",
         "We congratulate the team.\n\nSpace cooperation benefits all.", False),
        ("answer", None, lk, "Will other countries join the project?", "The project is open to all.", False),
        ("answer", None, lk, "Is the report from Exampleville true?", "Which report do you mean?", False),
        ("answer", None, lk, "The one published this morning.", "I have not seen it. I will check.", False),
        ("answer", None, lk, "Does the ministry plan a briefing on the summit?",
         "A briefing will be held next week.", True),
        ("statement", None, lk, None, "The press conference will be adjourned on Monday for the holiday.", False),
    ]
    assert [t.turn_id for t in src.turns][:2] == ["t9000100:1", "t9000100:2"]


def test_qa_era_page_cleaning() -> None:
    src = _fixture("qa_era.html")
    # &nbsp; decoded, whitespace runs and newlines inside a <P> collapsed, tags gone.
    assert "\xa0" not in src.canonical and "  " not in src.canonical
    assert "<" not in src.canonical and "STRONG" not in src.canonical
    # Scripts, comments, the page chrome and the related-news list are not transcript text.
    for absent in ("written by a script", "editor's comment", "not part of the page text", "Home",
                   "June 4, 2018"):
        assert absent not in src.canonical
    # The separator stays in the canonical text (offsets stay honest) but in no turn.
    assert "*****" in src.canonical and all("*" not in t.text for t in src.turns)
    # <BR> splits one <P> into paragraphs; the image-only <P>s leave nothing behind.
    assert "What is your comment?\n\nA: We congratulate the team.\n\nSpace cooperation" in src.canonical
    assert not any(p.strip() == "" for p in src.canonical.split("\n\n"))


# Bidi controls (U+202E right-to-left override, U+2067 right-to-left isolate, ...) left in the
# canonical text would show a reader reordered words inside a "verbatim" quote; zero-width
# characters break label matching. Pages must drop and report them exactly as text files do.
_HIDDEN_Q = "What about the \u202eokapi\u202c exchange?"
_HIDDEN_A = "The \u2067exchange\u2069 goes\x07ahead\u200b\u200f as\u00ad planned."


def test_bidi_and_invisible_characters_are_dropped_and_reported_like_text() -> None:
    from rag.sources.text import parse_text

    title = "Foreign Ministry Spokesperson Mao Ning's Regular Press Conference on March 3, 2023"
    page = parse_html(_page(title.replace("Mao", "Mao\u202e"), f"<P>Q: {_HIDDEN_Q}</P><P>A: {_HIDDEN_A}</P>"),
                      "t1.html")
    text = parse_text(f"{title}\nQ: {_HIDDEN_Q}\nA: {_HIDDEN_A}\n", "t1.txt")
    for src in (page, text):
        _assert_offsets(src)
        hidden = [c for c in src.canonical + (src.title or "") if c in "\u202e\u202c\u2067\u2069\u200b\u200f\u00ad\x07"]
        assert hidden == [], src.source
        assert src.title == title and src.spokesperson == "Mao Ning"
        [turn] = src.turns
        assert (turn.question, turn.text) == ("What about the okapi exchange?", "The exchange goes ahead as planned.")
    # 7 in the turns (the BEL control becomes a space, it is not counted) plus 1 in the page title.
    assert page.warnings == ("dropped 8 invisible/bidi control character(s)",)
    assert text.warnings == ("dropped 7 invisible/bidi control character(s)",)


def test_qa_era_line_numbers() -> None:
    src = _fixture("qa_era.html")
    assert src.turns[0].line == _line_of("qa_era.html", "At the invitation of the Foreign Minister")
    assert src.turns[1].line == _line_of("qa_era.html", "A: The visit is the first")
    # The answer after a <BR> inside the question's <P> is on that <P>'s line.
    assert src.turns[2].line == _line_of("qa_era.html", "A weather satellite")


def test_outlet_era_page() -> None:
    src = _fixture("outlet_era.html", "t9000500.html")
    assert (src.date, src.spokesperson, src.kind) == ("2020-04-14", "Zhao Lijian", "conference")
    zl = "Zhao Lijian"
    assert _turns(src) == [
        ("statement", None, zl, None, "Good afternoon. The forum on green ports will open online on April 20.", False),
        ("answer", "CCTV", zl, "What does China expect from the forum?",
         "We hope the forum will build consensus.\n\nOur position is clear: cooperation serves everyone.", False),
        ("answer", "Reuters", zl, "First, has the envoy left for Exampleland? Second, when will he return?",
         "On your first question, he left this morning. On the second, I have nothing to share.", False),
        ("answer", "Reuters", zl, "Is the trip related to the talks?", "I would refer you to the readout.", False),
        ("answer", "Voice of Examplia", zl, "The port “Nord” reported 3 cases: what’s China’s comment?",
         "We noted the report.", False),
        ("answer", None, zl, "Will the ministry resume in-person briefings?", "We will inform you in due course.", True),
    ]


def test_remarks_page_is_parsed_as_remarks() -> None:
    src = _fixture("remarks.html", "t9000400.html")
    assert (src.kind, src.spokesperson, src.date) == ("remarks", "Hua Chunying", None)
    assert "no date in the title" in src.warnings
    assert _turns(src) == [
        ("answer", None, "Hua Chunying", "Examplestan said yesterday that it would raise tariffs. What is your response?",
         "Raising tariffs helps no one.\n\nWe urge dialogue.", False),
    ]


def test_daily_briefing_online_is_a_conference() -> None:
    src = parse_html(_page("Foreign Ministry Spokesperson Hua Chunying's Daily Briefing Online on February 5, 2020"),
                     "t9000600.html")
    assert (src.kind, src.date, src.spokesperson) == ("conference", "2020-02-05", "Hua Chunying")


def test_title_without_space_before_day() -> None:
    src = parse_html(_page("Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on June11, 2018"),
                     "t9000700.html")
    assert (src.date, src.date_inferred) == ("2018-06-11", False)


# ---------------------------------------------------------------------------
# Dates


def test_year_from_image_file_names() -> None:
    src = _fixture("no_year.html")
    assert (src.date, src.date_inferred) == ("2018-09-10", True)
    assert src.warnings == ("year missing in the title; taken from image file names",)
    assert _turns(src) == [("answer", None, "Geng Shuang", "Has the delegation arrived?",
                            "Yes, it arrived this morning.", False)]


def test_infer_years_from_neighbours_across_new_year() -> None:
    before = parse_html(_page("Foreign Ministry Spokesperson Hua Chunying's Regular Press Conference on "
                              "December 28, 2018"), "t9000200.html")
    target = _fixture("no_year_no_image.html", "t9000201.html")
    after = parse_html(_page("Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on "
                             "January 3, 2019"), "t9000203.html")
    january = replace(target, source="t9000202.html",
                      title="Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on January 2")
    assert target.date is None and not target.date_inferred
    out = infer_years([after, january, target, before])  # input order is kept
    assert [s.source for s in out] == ["t9000203.html", "t9000202.html", "t9000201.html", "t9000200.html"]
    assert (out[2].date, out[2].date_inferred) == ("2018-12-31", True)
    assert (out[1].date, out[1].date_inferred) == ("2019-01-02", True)
    assert out[2].warnings[-1] == "date inferred from the neighbouring pages' years"
    assert out[0] is after and out[3] is before  # dated pages are untouched


def test_infer_years_for_a_page_without_any_date() -> None:
    before = parse_html(_page("Foreign Ministry Spokesperson Hua Chunying's Remarks on August 6, 2019"),
                        "t9000398.html")
    remarks = _fixture("remarks.html", "t9000400.html")
    after = parse_html(_page("Foreign Ministry Spokesperson Hua Chunying's Remarks on August 7, 2019"),
                       "t9000401.html")
    out = infer_years([remarks, after, before])
    assert (out[0].date, out[0].date_inferred) == ("2019-08-06", True)
    # Alone, nothing can be inferred and the date stays unknown.
    assert infer_years([remarks])[0].date is None


def test_page_id() -> None:
    assert page_id("t1558711.html") == 1558711
    assert page_id("en/t1558711.html") == 1558711
    assert page_id("notes.html") is None


# ---------------------------------------------------------------------------
# Duplicates


def test_find_duplicates_keeps_the_first_page_id() -> None:
    first = _fixture("duplicate_first.html", "t9000300.html")
    second = _fixture("duplicate_second.html", "t9000301.html")
    for sources in ([first, second], [second, first]):
        dups = find_duplicates(sources)
        assert list(dups) == ["t9000301.html"]
        assert dups["t9000301.html"].startswith("duplicate of t9000300.html (2019-04-29, Geng Shuang, text similarity")


def test_find_duplicates_needs_same_date_and_similar_text() -> None:
    first = _fixture("duplicate_first.html", "t9000300.html")
    second = _fixture("duplicate_second.html", "t9000301.html")
    other_day = replace(second, date="2019-04-30")
    other_text = replace(_fixture("qa_era.html", "t9000302.html"), date=first.date, spokesperson=first.spokesperson)
    assert find_duplicates([first, other_day, other_text]) == {}
    assert find_duplicates([first]) == {}


# ---------------------------------------------------------------------------
# Errors and URLs


def test_undecodable_bytes() -> None:
    data = (HTML_FIXTURES / "qa_era.html").read_bytes().replace(b"We expect fruitful", b"We expect \xff fruitful")
    with pytest.raises(TranscriptError) as err:
        parse_html(data, "t1.html", path="pages/t1.html")
    assert err.value.path == "pages/t1.html"
    assert err.value.line == _line_of("qa_era.html", "We expect fruitful")
    assert "0xff" in str(err.value)


def test_declared_charset_is_used_when_not_utf8() -> None:
    page = _page("Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on May 2, 2018",
                 "<P>Q: 你好吗？</P><P>A: 很好。</P>").replace(
        "<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />')
    src = parse_html(page.encode("gb18030"), "t1.html")
    assert [(t.question, t.text) for t in src.turns] == [("你好吗？", "很好。")]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "file is empty"),
    (b"<html><body><p>Q: hi?</p><p>A: hi.</p></body></html>", 'no <div class="content">'),
    (b'<html><body><div class="content"><p><img src="x.jpg"/></p>\n<p>&nbsp;</p></div></body></html>',
     "no question/answer turns"),
])
def test_page_errors(data: bytes, message: str) -> None:
    with pytest.raises(TranscriptError, match=message) as err:
        parse_html(data, "t1.html", path="pages/t1.html")
    assert err.value.path == "pages/t1.html"


def test_load_urls(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "pages.tsv").write_text(
        "file\turl\tfetched_at\n"
        "en/t1.html\thttps://example.org/t1.shtml\t2020-07-04T03:55:48Z\n"
        "en/t2.html\t\t2020-07-04T03:55:48Z\n", encoding="utf-8")
    assert load_urls(tmp_path / "en") == {"t1.html": "https://example.org/t1.shtml"}
    assert load_urls(tmp_path) == {"t1.html": "https://example.org/t1.shtml"}
    assert load_urls(tmp_path / "en" / "nothing-here") == {}


def test_parse_html_passes_the_url() -> None:
    src = parse_html(_page("Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on May 2, 2018"),
                     "t1.html", url="https://example.org/t1.shtml")
    assert src.url == "https://example.org/t1.shtml"


# ---------------------------------------------------------------------------
# Property: any page built from random paragraphs keeps the offset invariant

_LABELS = ["Q", "A", "Follow-up", "Journalist", "Zhao Lijian", "Hua Chunying", "CCTV", "The Paper", "Note"]
_words = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30) | st.sampled_from(
    ["***", "<script>alert('Q: x')</script>", "a: b", "&nbsp;", "中文：问题？", "?"])
_para = st.tuples(st.sampled_from([*_LABELS, ""]), _words, st.sampled_from(["", "strong", "b", "br"]))


def _render(label: str, words: str, wrap: str) -> str:
    text = html.escape(f"{label}: {words}" if label else words)
    if wrap == "br":
        return f"<P>{text}<BR>{html.escape(words)}</P>"
    return f"<P><{wrap}>{text}</{wrap}></P>" if wrap else f"<P>{text}</P>"


@settings(max_examples=150, deadline=None)
@given(st.lists(_para, min_size=1, max_size=20))
def test_property_offsets_hold_for_html(paras: list[tuple[str, str, str]]) -> None:
    body = "\n".join(_render(*p) for p in paras) + "<script>var secret = 'Q: never';</script>"
    try:
        src = parse_html(_page("Foreign Ministry Spokesperson Lu Kang's Regular Press Conference on May 2, 2018",
                               body), "t1.html")
    except TranscriptError:
        return
    _assert_offsets(src)
    assert all(t.text.strip() == t.text and t.text for t in src.turns)
    assert "secret" not in src.canonical


# ---------------------------------------------------------------------------
# The real corpus (outside the repository)


def _corpus_or_skip() -> Path:
    return corpus_or_skip(CORPUS_EN)


def test_shared_corpus() -> None:
    corpus = _corpus_or_skip()
    urls = load_urls(corpus)
    sources = [parse_html(f.read_bytes(), f.name, url=urls.get(f.name), path=str(f))
               for f in sorted(corpus.glob("*.html"))]
    dups = find_duplicates(sources)
    sources = infer_years([s for s in sources if s.source not in dups])

    conferences = [s for s in sources if s.kind == "conference"]
    answers = [t for s in sources for t in s.turns if t.kind == "answer"]
    assert len(conferences) >= 480
    assert len(answers) >= 4500
    assert "t1660057.html" in dups and len(dups) <= 3  # the 2019-04-29 conference posted twice
    assert sum(s.kind == "remarks" for s in sources) >= 10
    assert all(s.url and s.url.startswith("https://www.fmprc.gov.cn/") for s in sources)
    for s in sources:
        _assert_offsets(s)
        assert s.turns and all(t.text.strip() for t in s.turns), s.source
        assert s.date and s.spokesperson, s.source
    # Page ids grow with time, so dates (read or inferred) must never go backwards.
    by_id = sorted(sources, key=page_id)
    assert all(a.date <= b.date for a, b in zip(by_id, by_id[1:], strict=False))
    inferred = {s.source: s.date for s in sources if s.date_inferred}
    assert inferred["t1593756.html"] == "2018-09-10"  # "... on September 10" + W020180910 images
    # The two ways of finding a missing year agree: image file names and neighbouring pages.
    forgotten = [replace(s, date=None, date_inferred=False) if s.date_inferred else s for s in sources]
    assert {s.source: s.date for s in infer_years(forgotten) if s.source in inferred} == inferred
    # From 24 March 2020 questions are labelled "OUTLET:"; measured 98.8 % (the rest were
    # asked after the conference and are labelled "Q:").
    late = [t for s in sources if s.date >= "2020-03-24" for t in s.turns if t.kind == "answer"]
    assert sum(t.outlet is not None for t in late) >= 0.95 * len(late)
