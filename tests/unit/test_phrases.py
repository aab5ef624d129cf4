"""Exact phrases (rag/phrases.py): verbatim offsets, folding, questions apart, filters, the report, the CLI.

Small transcripts parsed by the real text parser; no model. The property test checks the finder against a
plain regex scan of the canonical texts."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag import cli, phrases, store
from rag.errors import QueryError
from rag.filters import make_filters
from rag.phrases import find_phrase, phrase_index, quoted_phrase, to_json
from rag.records import Source, Turn
from rag.sources.text import parse_text


def conf(date_line: str, *turns: tuple[str, str, str]) -> str:
    """A seed-style transcript: header line, then (outlet, spokesperson, answer) turns."""
    lines = [date_line]
    for outlet, speaker, answer in turns:
        lines += [f"{outlet}: Question from {outlet} about Win-Win cooperation?", f"{speaker}: {answer}"]
    return "\n".join(lines) + "\n"


TEXTS = {
    "a.txt": conf("Regular Press Conference on May 14, 2018",
                  ("CCTV", "Lu Kang", "We seek WIN-WIN cooperation. Win-win\nresults, not zero-sum."),
                  ("Reuters", "Lu Kang", "This is China’s internal affairs. Someone said win-winning.")),
    "b.txt": conf("Regular Press Conference on June 3, 2019",
                  ("AFP", "Geng Shuang", "It is  purely   China's internal\naffairs and win-win.")),
    "c.txt": conf("Regular Press Conference on January 8, 2020",
                  ("AFP", "Hua Chunying", "Internal affairs, “win-win”, internal affairs.")),
    "u.txt": conf("Press remarks (no date given)", ("BBC", "Hua Chunying", "A win-win outcome.")),
}


def make_index(texts: dict[str, str] = TEXTS) -> store.Index:
    sources = {name: parse_text(text, name) for name, text in texts.items()}
    return store.Index(manifest={}, sources=sources, chunks=[], vectors=np.zeros((0, 384), np.float32))


@pytest.fixture(scope="module")
def index() -> store.Index:
    return make_index()


def test_the_test_corpus_is_parsed_as_intended(index):
    assert [s.date for s in index.sources.values()] == ["2018-05-14", "2019-06-03", "2020-01-08", None]
    assert sum(len(s.turns) for s in index.sources.values()) == 5


def test_occurrences_are_verbatim_spans_of_the_answers(index):
    r = find_phrase(index, "win-win")
    assert [o.quote for o in r.occurrences] == ["WIN-WIN", "Win-win", "win-win", "win-win", "win-win"]
    for o in r.occurrences + r.question_occurrences:
        src = index.sources[o.source]
        assert src.canonical[o.start:o.end] == o.quote
        turn = index.turns[o.turn_id]
        lo, hi = (turn.question_start, turn.question_end) if o.in_question else (turn.start, turn.end)
        assert lo <= o.start < o.end <= hi
    a = index.sources["a.txt"]
    first = r.occurrences[0]
    assert (first.source, first.turn_id, first.spokesperson, first.outlet) == ("a.txt", "a:1", "Lu Kang", "CCTV")
    assert first.start == a.canonical.index("WIN-WIN")


def test_case_whitespace_and_quotes_are_folded(index):
    r = find_phrase(index, "china's  INTERNAL affairs")
    # the curly apostrophe of a.txt and the paragraph break of b.txt both match
    assert [o.quote for o in r.occurrences] == ["China’s internal affairs", "China's internal\n\naffairs"]
    assert find_phrase(index, "China’s internal affairs").count == 2  # a curly quote in the phrase too
    r = find_phrase(index, '"win-win"')  # enclosing quotes are dropped: same as win-win
    assert r.phrase == "win-win" and r.count == 5
    r = find_phrase(index, 'internal affairs, "win-win"')  # inner straight quotes match curly ones
    assert [o.quote for o in r.occurrences] == ["Internal affairs, “win-win”"]
    r = find_phrase(index, "win-win results")  # across a paragraph break
    assert [o.quote for o in r.occurrences] == ["Win-win\n\nresults"]


def test_a_word_in_capitals_is_matched_as_written():
    idx = make_index({"w.txt": conf("Regular Press Conference on May 14, 2020",
                                    ("AFP", "Zhao Lijian", "The WHO said so. Who said otherwise? The US and us."))})
    assert [o.quote for o in find_phrase(idx, "WHO").occurrences] == ["WHO"]  # the organisation, not the pronoun
    assert [o.quote for o in find_phrase(idx, "who").occurrences] == ["WHO", "Who"]  # lower case: any case
    assert [o.quote for o in find_phrase(idx, "US").occurrences] == ["US"]
    assert find_phrase(idx, "The WHO said").count == 1 and find_phrase(idx, "the who said").count == 1


def test_words_are_whole(index):
    assert find_phrase(index, "win-winning").count == 1
    r = find_phrase(index, "one")  # "Someone" does not count
    assert r.count == 0
    assert find_phrase(index, "zero-sum").count == 1
    assert find_phrase(index, "sum.").count == 1  # a phrase ending in punctuation needs no boundary after it


def test_questions_are_counted_apart(index):
    r = find_phrase(index, "win-win cooperation")
    assert r.count == 1  # "We seek WIN-WIN cooperation." in a.txt's first answer
    assert r.in_questions == 5  # every question asks "about Win-Win cooperation?"
    assert all(o.in_question and o.quote == "Win-Win cooperation" for o in r.question_occurrences)
    assert to_json(r)["count"] == 1 and to_json(r)["in_questions"] == 5


def test_report_first_last_by_year_and_spokesperson(index):
    r = find_phrase(index, "win-win")
    assert (r.count, r.conferences, r.undated, r.in_questions) == (5, 4, 1, 5)
    assert [o.date for o in r.occurrences] == ["2018-05-14", "2018-05-14", "2019-06-03", "2020-01-08", None]
    assert r.by_year == {"2018": 2, "2019": 1, "2020": 1, "undated": 1}
    assert list(r.by_year) == ["2018", "2019", "2020", "undated"]
    assert r.by_spokesperson == {"Hua Chunying": 2, "Lu Kang": 2, "Geng Shuang": 1}
    out = to_json(r)
    assert out["first"] == {"date": "2018-05-14", "source": "a.txt", "spokesperson": "Lu Kang"}
    # the last *dated* use; the undated one is listed last among the occurrences and counted in "undated"
    assert out["last"] == {"date": "2020-01-08", "source": "c.txt", "spokesperson": "Hua Chunying"}
    assert out["undated"] == 1 and out["occurrences"][-1]["date"] is None


def test_to_json_has_the_issue_keys(index):
    out = to_json(find_phrase(index, "internal affairs"))
    assert set(out) == {"phrase", "count", "conferences", "first", "last", "by_year", "by_spokesperson",
                        "in_questions", "undated", "occurrences"}
    assert out["phrase"] == "internal affairs" and out["count"] == 4 and out["conferences"] == 3
    assert out["by_year"] == {"2018": 1, "2019": 1, "2020": 2}
    c = index.sources["c.txt"].canonical
    assert out["occurrences"][-2:] == [
        {"source": "c.txt", "date": "2020-01-08", "spokesperson": "Hua Chunying", "quote": "Internal affairs",
         "start": c.index("Internal affairs"), "end": c.index("Internal affairs") + 16, "turn_id": "c:1"},
        {"source": "c.txt", "date": "2020-01-08", "spokesperson": "Hua Chunying", "quote": "internal affairs",
         "start": c.rindex("internal affairs"), "end": c.rindex("internal affairs") + 16, "turn_id": "c:1"}]
    json.dumps(out)  # serialisable


def test_nothing_found(index):
    out = to_json(find_phrase(index, "owes no one, begs no one"))
    assert out["count"] == 0 and out["first"] is None and out["last"] is None
    assert out["by_year"] == {} and out["occurrences"] == []


@pytest.mark.parametrize("filters, expected", [
    (dict(since="2019-01-01"), ["b.txt", "c.txt"]),  # undated never passes a date filter
    (dict(until="2019-12-31"), ["a.txt", "a.txt", "b.txt"]),
    (dict(since="2018-05-14", until="2018-05-14"), ["a.txt", "a.txt"]),
    (dict(spokesperson="Hua Chunying"), ["c.txt", "u.txt"]),
    (dict(outlet="AFP"), ["b.txt", "c.txt"]),
    (dict(outlet="Agence France-Presse"), ["b.txt", "c.txt"]),  # outlets under any of their names
    (dict(outlet="CCTV", spokesperson="Lu Kang"), ["a.txt", "a.txt"]),
    (dict(outlet="Reuters"), []),  # its answer says "win-winning" only
    (dict(outlet="Xinhua"), []),
])
def test_filters_apply_to_occurrences(index, filters, expected):
    r = find_phrase(index, "win-win", make_filters(**filters))
    assert [o.source for o in r.occurrences] == expected
    assert r.filters == make_filters(**filters)


def test_a_spokesperson_the_index_does_not_have_is_an_error(index):
    with pytest.raises(QueryError, match="no spokesperson named 'Geng Shaung' in this index; its spokespersons are "
                                         "Geng Shuang, Hua Chunying, Lu Kang"):
        find_phrase(index, "win-win", make_filters(spokesperson="Geng Shaung"))
    with pytest.raises(QueryError, match="no outlet named 'Foo News'"):
        find_phrase(index, "win-win", make_filters(outlet="Foo News"))


def test_filters_apply_to_questions_too(index):
    r = find_phrase(index, "win-win cooperation", make_filters(outlet="AFP"))
    assert r.count == 0 and [o.source for o in r.question_occurrences] == ["b.txt", "c.txt"]


@pytest.mark.parametrize("phrase", ["", "   ", "x", ' " x " ', "\n\t", "y" * 301])
def test_bad_phrases_are_refused_with_a_message(index, phrase):
    with pytest.raises(QueryError, match="at least 2 characters|at most 300"):
        find_phrase(index, phrase)


def test_limits_are_inclusive(index):
    assert find_phrase(index, "ab").count == 0
    assert find_phrase(index, "y" * 300).count == 0


@pytest.mark.parametrize("question, phrase", [
    ('How often did they say "owes no one, begs no one"?', "owes no one, begs no one"),
    ("When was “win-win” first used?", "win-win"),
    ("“ internal \n affairs ” since 2019", "internal affairs"),
    ('"win-win"', "win-win"),
    ('Say "a" or "hegemony"', "hegemony"),  # a one-letter quote is no phrase: the next one is
    ("What about Huawei?", None),
    ("It's China's 'core interest'", None),  # single quotes are apostrophes too often
    ('An unclosed "quote', None),
    ('"' + "z" * 301 + '"', None),
])
def test_quoted_phrase(question, phrase):
    assert quoted_phrase(question) == phrase


def test_the_phrase_index_is_built_once_per_index(index, monkeypatch):
    assert phrase_index(index) is phrase_index(index)
    other = make_index({"a.txt": TEXTS["a.txt"]})
    assert phrase_index(other) is not phrase_index(index)
    assert find_phrase(other, "win-win").count == 2


# --- against a plain regex scan --------------------------------------------------------------------

# written out here, not taken from rag.phrases: each character of a group matches any of its group
_GROUPS = ["'\u2018\u2019\u201a\u201b\u2032\u02bc\uff07", '"\u201c\u201d\u201e\u201f\u2033\uff02', "-\u2010\u2011"]
_CLASSES = {c: f"[{re.escape(g)}]" for g in _GROUPS for c in g}


def regex_for(phrase: str) -> re.Pattern:
    """The phrase as a regex, written independently of rag.phrases: words joined by \\s+, quotes as classes."""
    body = r"\s+".join("".join(_CLASSES.get(c, re.escape(c)) for c in w) for w in phrase.split())
    if re.match(r"\w", phrase[0]):
        body = r"(?<!\w)" + body
    if re.match(r"\w", phrase[-1]):
        body += r"(?!\w)"
    acronym = len(phrase) >= 2 and phrase.isalnum() and phrase.isupper()  # "WHO", not "who"
    return re.compile(body, 0 if acronym else re.IGNORECASE)


def regex_scan(index, phrase: str, questions: bool = False) -> list[tuple[str, int, int]]:
    rx, out = regex_for(phrase), []
    for s in index.sources.values():
        for t in s.turns:
            lo, hi = (t.question_start, t.question_end) if questions else (t.start, t.end)
            if lo is not None:
                out += [(s.source, lo + m.start(), lo + m.end()) for m in rx.finditer(s.canonical[lo:hi])]
    return sorted(out)


@pytest.mark.parametrize("phrase", ["win-win", "internal affairs", "China's internal affairs", "affairs.", "a"*2])
def test_same_as_a_regex_scan_on_the_small_index(index, phrase):
    r = find_phrase(index, phrase)
    assert sorted((o.source, o.start, o.end) for o in r.occurrences) == regex_scan(index, phrase)
    assert sorted((o.source, o.start, o.end) for o in r.question_occurrences) == regex_scan(index, phrase, True)


WORDS = ["win", "win-win", "Win", "WIN", "China's", "China’s", "affairs", "internal", "a", "no-one", "one", "“x”"]
SEPARATORS = [" ", "  ", "\n", "\t", "\u00a0", " \n ", "-", ", ", ""]


@st.composite
def transcripts(draw):
    """A canonical text made of a question span and an answer span, from a small vocabulary, and a
    phrase cut from random words of the same vocabulary."""
    def text():
        words = draw(st.lists(st.sampled_from(WORDS), max_size=25))
        seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
        return "".join(w + s for w, s in zip(words, seps, strict=True)).strip()

    q, a = text(), text()
    canonical = f"Header\n\nQ: {q}\n\nA: {a}"
    qs = canonical.index("Q: ") + 3
    ans = canonical.index("\n\nA: ") + 5
    turn = Turn("t:1", "t.txt", 1, "answer", "Lu Kang", None, q, qs, qs + len(q), ans, ans + len(a), a)
    phrase = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
    return Source("t.txt", canonical, None, "2019-01-01", False, "Lu Kang", None, "conference", (turn,)), phrase


@settings(max_examples=300, deadline=None)
@given(transcripts())
def test_same_as_a_regex_scan_property(case):
    src, phrase = case
    idx = store.Index(manifest={}, sources={src.source: src}, chunks=[], vectors=np.zeros((0, 384), np.float32))
    try:
        phrase = phrases.check_phrase(phrase)  # trimmed, enclosing quotes dropped: "“x”" is x, too short
    except QueryError:
        with pytest.raises(QueryError):
            find_phrase(idx, phrase)
        return
    r = find_phrase(idx, phrase)
    assert [(o.source, o.start, o.end) for o in r.occurrences] == regex_scan(idx, phrase)
    assert [(o.source, o.start, o.end) for o in r.question_occurrences] == regex_scan(idx, phrase, True)
    assert all(src.canonical[o.start:o.end] == o.quote for o in r.occurrences + r.question_occurrences)


# --- the CLI: a plain index load, no model ---------------------------------------------------------

@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    from rag.ingest import ingest
    from tests.fakes import FakeEncoder

    src = tmp_path_factory.mktemp("phrase_src")
    for name, text in TEXTS.items():
        (src / name).write_text(text, encoding="utf-8")
    d = tmp_path_factory.mktemp("phrase_idx")
    ingest([src], d, encoder_factory=FakeEncoder)
    return d


def test_cli_phrase_json_and_text(index_dir, capsys, monkeypatch):
    import rag.embedding

    def no_model(*a, **k):
        raise AssertionError("rag phrase must not load the embedding model")

    monkeypatch.setattr(rag.embedding.Embedder, "__init__", no_model)
    assert cli.main(["phrase", "Win-Win", "--index", str(index_dir), "--json", "--since", "2019-01-01"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == 2 and out["in_questions"] == 2 and out["by_year"] == {"2019": 1, "2020": 1}
    canon = store.load(index_dir).sources
    assert all(canon[o["source"]].canonical[o["start"]:o["end"]] == o["quote"] for o in out["occurrences"])
    assert cli.main(["phrase", "win-win", "--index", str(index_dir)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("“win-win”: 5 in the answers, at 4 conferences; 5 in journalists' questions")
    assert "First: 2018-05-14  Lu Kang  a.txt" in text and "Last:  2020-01-08  Hua Chunying  c.txt" in text
    assert "By year: 2018 2 · 2019 1 · 2020 1 · undated 1" in text
    assert "1 of them undated" in text
    a = canon["a.txt"].canonical.index("WIN-WIN")
    assert f"2018-05-14  Lu Kang  “WIN-WIN”  a.txt:{a}-{a + 7}" in text
    assert text.rstrip().splitlines()[-1].startswith("undated  Hua Chunying  “win-win”  u.txt:")


def test_cli_phrase_errors(index_dir, capsys):
    assert cli.main(["phrase", "x", "--index", str(index_dir)]) == 2
    assert "rag phrase: error: give a phrase of at least 2 characters" in capsys.readouterr().err
    assert cli.main(["phrase", "win-win", "--index", str(index_dir), "--since", "2019"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_module_docstring_rules_name_the_folded_characters():
    # the docs list exactly what is folded: keep them in step with the table
    for ch in "\u2018\u2019\u201a\u201b\u2032\u02bc\uff07\u201c\u201d\u201e\u201f\u2033\uff02":
        assert ch in phrases.__doc__ and phrases.fold(ch) in "'\""
    assert phrases.fold("\u2010\u2011") == "--" and phrases.fold("\u2013\u2014") == "\u2013\u2014"


def test_doctests():
    import doctest

    result = doctest.testmod(phrases)
    assert result.attempted >= 5 and result.failed == 0
