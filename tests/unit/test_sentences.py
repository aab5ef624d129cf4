"""Sentence units stored with the index, their scores, and the sentence quote selector (fake encoder)."""

import numpy as np
import pytest

from rag import store
from rag.answer import answer_question, to_json
from rag.chunking import ChunkParams, chunk_source
from rag.ingest import ingest
from rag.procedural import procedural_kind
from rag.quoting import PASSAGE_CHARS, passage
from rag.retrieval import Retriever
from rag.sentence_rank import FEATURES, ScoredUnit, SentenceRanker, hand_score, stance
from rag.sentences import build_table, table_for, unit_spans
from rag.sources.text import parse_text
from tests.fakes import FakeEncoder, make_transcript

ANSWER = ("I have seen the reports. The SCO summit in Qingdao was held last week. "
          "China firmly supports the Shanghai Cooperation Organization in fighting terrorism and drug trafficking. "
          "We will continue to work with all members.")


def _index(text: str, max_tokens: int = 100):
    src = parse_text(text, "s.txt")
    enc = FakeEncoder()
    chunks = []
    for c in chunk_source(src, ChunkParams(max_tokens=max_tokens)):
        chunks.append(c.__class__(len(chunks), *list(c.__dict__.values())[1:]))
    vecs, table = table_for(chunks, enc)
    manifest = {"format": store.FORMAT, "version": store.FORMAT_VERSION, "model": enc.name, "dims": 384}
    return store.assemble(manifest, {src.source: src}, chunks, vecs, table), enc


def test_units_cover_every_sentence_of_every_chunk_verbatim():
    idx, _ = _index(make_transcript([("CCTV", ANSWER), ("AFP", "Yes. We agree. Maybe so.")]), max_tokens=20)
    t = idx.sentences
    assert len(t.offsets) == len(idx.chunks) + 1 and t.vectors.shape == (len(t), 384)
    canon = idx.sources["s.txt"].canonical
    for c in idx.chunks:
        rows = t.rows_of([c.chunk_id])
        assert [canon[s:e] for s, e in zip(t.start[rows], t.end[rows], strict=True)] == \
            [c.text[s:e] for s, e in unit_spans([c])[0]]
    # the seven sentences of the two answers, each once
    assert len(t) == 7


def test_table_survives_save_and_load(tmp_path):
    idx, _ = _index(make_transcript([("CCTV", ANSWER)]))
    (tmp_path / "i").mkdir()
    store.save(idx, tmp_path / "i")
    back = store.load(tmp_path / "i")
    for name in ("chunk", "start", "end", "offsets"):
        np.testing.assert_array_equal(getattr(back.sentences, name), getattr(idx.sentences, name))
    assert back.sentences.vectors.dtype == np.float16
    np.testing.assert_allclose(back.sentences.vectors, idx.sentences.vectors, atol=1e-3)


def test_reingest_carries_unit_vectors_over(tmp_path, monkeypatch):
    monkeypatch.setattr("rag.ingest.MODEL_NAME", FakeEncoder.name)
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(make_transcript([("CCTV", ANSWER)], header="China FO Presser - May 2, 2024"))
    enc = FakeEncoder()
    ingest([src], tmp_path / "i", encoder_factory=lambda: enc)
    first = store.load(tmp_path / "i").sentences
    (src / "b.txt").write_text(make_transcript([("AFP", "Taiwan is part of China.")], header="China FO Presser - May 3, 2024"))
    ingest([src], tmp_path / "i", encoder_factory=lambda: enc)
    second = store.load(tmp_path / "i").sentences
    n = len(first)  # a.txt sorts first: its rows come first and are the same
    np.testing.assert_array_equal(second.start[:n], first.start)
    np.testing.assert_array_equal(second.vectors[:n], first.vectors)
    assert len(second) == n + 1


def test_hand_score_is_the_weighted_sum():
    row = dict(zip(FEATURES, [0.5, 0.25, 0.5, 1.0, 0.4, 2 / 3, 0.9, 0.9, 1.0, 1.0, 1.0, 1.0], strict=True))
    got = hand_score(np.array([[row[f] for f in FEATURES]]))[0]
    assert got == pytest.approx(1.0 * 0.5 + 0.7 * 0.25 - 0.05 * 0.5 - 0.3 * 1 + 0.3 * 0.4 + 0.3 * 2 / 3)
    assert stance("We noted it.") == 0 and stance("China firmly opposes it.") == pytest.approx(2 / 3)


def test_feature_rows_follow_FEATURES_then_the_sentence_vector():
    text = ("I have seen the reports. China's position on the SCO is consistent and clear. "
            "China firmly supports the Shanghai Cooperation Organization in fighting drug trafficking.")
    idx, enc = _index(make_transcript([("CCTV", text)]))
    r = Retriever(idx, enc)
    tid = idx.chunks[0].turn_id
    q = "SCO drug trafficking"
    qvec = enc.encode([q])[0]
    units, x = r.sentence_ranker().features(tid, q, qvec)
    assert x.shape == (3, len(FEATURES) + 384)
    col = {f: x[:, i].tolist() for i, f in enumerate(FEATURES)}
    assert col["pos"] == [0.0, 0.5, 1.0] and col["first"] == [1.0, 0.0, 0.0]
    assert col["procedural"] == [1.0, 0.0, 0.0] and units[0].procedural
    assert col["announces"] == [0.0, 1.0, 0.0] and col["after_announcement"] == [0.0, 0.0, 1.0]
    assert col["lex"][0] == 0.0 and col["lex"][2] > col["lex"][1] > 0  # "drug trafficking" only in the last
    canon = idx.sources["s.txt"].canonical
    vec = idx.sentences.vectors[idx.sentences.rows_of([c.chunk_id for c in idx.chunks])].astype(np.float32)
    np.testing.assert_allclose(x[:, len(FEATURES):], vec)
    np.testing.assert_allclose(col["cos"], vec @ qvec, rtol=1e-5)
    scored = r.sentence_ranker().units(tid, q, qvec)
    assert [canon[u.start:u.end] for u in scored] == [canon[u.start:u.end] for u in units]
    # built with the retriever's grouping of chunks by turn, not a second pass over the chunks; the same rows
    assert r.sentence_ranker()._turn_chunks is r._turn_chunks
    np.testing.assert_allclose(SentenceRanker(idx).features(tid, q, qvec)[1], x)
    head = r.sentence_ranker().head
    np.testing.assert_allclose([u.score for u in scored], head.score(x, qvec), atol=1e-5)
    # the question-dependent term: the sentence vector against the mapped question vector
    np.testing.assert_allclose(head.logit(x, qvec) - head.logit(x), vec @ (head.query_map @ qvec), atol=1e-4)


def test_the_answering_sentence_is_quoted_first_not_the_turn_opener():
    idx, enc = _index(make_transcript([("CCTV", ANSWER), ("AFP", "Pandas are cute. We love them.")]))
    a = answer_question(Retriever(idx, enc), "Does China support the SCO fight against drug trafficking?")
    assert a.found
    first = a.citations[0]
    assert "drug trafficking" in first.quote and not first.quote.startswith("I have seen")
    assert first.sentence_score is not None
    canon = idx.sources["s.txt"].canonical
    out = to_json(a)
    for c in out["citations"]:
        assert canon[c["start"]:c["end"]] == c["quote"]
    h = out["hits"][0]
    assert canon[h["start"]:h["end"]] == h["text"] and first.quote in h["text"]


def test_selectors_give_first_sentence_and_chunk_baselines():
    idx, enc = _index(make_transcript([("CCTV", ANSWER)]))
    r = Retriever(idx, enc)
    q = "Does China support the SCO fight against drug trafficking?"
    assert answer_question(r, q, selector="first").citations[0].quote == "I have seen the reports."
    assert answer_question(r, q, selector="chunk").citations


def test_duplicate_sentences_are_quoted_once():
    line = "China firmly opposes the tariffs on Chinese steel."
    idx, enc = _index(make_transcript([("CCTV", line), ("AFP", line)]))
    a = answer_question(Retriever(idx, enc), "tariffs on Chinese steel")
    assert [c.quote for c in a.citations].count(line) == 1


def test_passage_grows_around_the_best_sentence_within_budget():
    u = [ScoredUnit(0, 100, 0.1, 20, False), ScoredUnit(101, 300, 0.9, 40, False), ScoredUnit(301, 500, 0.2, 40, False),
         ScoredUnit(501, 900, 0.3, 80, False)]
    assert passage(u, budget=200) == (101, 300)  # the best alone fits; a neighbour would not
    assert passage(u, budget=400) == (101, 500)  # the sentence after the best one first
    assert passage(u, budget=500) == (0, 500)  # then the one before
    assert passage(u, budget=600) == (0, 500) and PASSAGE_CHARS == 1200
    assert passage([]) is None


@pytest.mark.parametrize(("sentence", "kind"), [
    ("Good afternoon.", "greeting"),
    ("I'd refer you to the competent authorities.", "referral"),
    ("I have no information to offer on that.", "no information"),
    ("We have noted the relevant reports.", "noted"),
    ("I have also seen reports that Huawei has signed 5G contracts with over 30 operators.", "noted"),
    ("You may have noticed the recent interview with Huawei founder Mr. Ren Zhengfei.", "noted"),
    ("Which report are you referring to?", "question back"),
    ("China firmly opposes the so-called sanctions.", None),
    ("The Taiwan question is China's internal affair.", None),
    ("We have noted that the US keeps interfering.", None),  # not about reports: a statement
])
def test_procedural_rule(sentence, kind):
    assert procedural_kind(sentence) == kind


def test_build_table_offsets_are_absolute():
    idx, _ = _index(make_transcript([("CCTV", ANSWER)]))
    c = idx.chunks[0]
    t = build_table([c], [[(0, 5)]], np.ones((1, 384), dtype=np.float32))
    assert (t.start[0], t.end[0]) == (c.start, c.start + 5) and list(t.offsets) == [0, 1]


@pytest.mark.parametrize("text, expected", [
    ("China's position on the issue of Kashmir is consistent and clear.", True),
    ("Regarding the trade issue, China's position remains clear.", True),
    ("Here I would like to stress three points:", True),
    ("Though not a party to it, we hold a consistent and clear position on that issue.", True),
    ("China's position is clear: we oppose unilateral sanctions.", False),  # states it in the same sentence
    ("We hold a consistent position of opposing unilateral sanctions and long-arm jurisdiction.", False),
    ("China firmly opposes the so-called sanctions.", False),
])
def test_announces_position(text, expected):
    from rag.sentence_rank import announces_position

    assert announces_position(text) is expected


def _u(score: float, words: int = 20, proc: bool = False, ann: bool = False, at: int = 0) -> ScoredUnit:
    return ScoredUnit(at * 100, at * 100 + 99, score, words, proc, ann)


def test_best_span_joins_the_sentence_after_an_announcement():
    from rag.quoting import best_span

    units = [_u(0.1, at=0), _u(0.9, ann=True, at=1), _u(0.2, at=2), _u(0.6, at=3)]
    assert best_span(units) == (1, 2)  # the next sentence states the position, whatever its score
    assert best_span([_u(0.1, at=0), _u(0.9, ann=True, at=1)]) == (1, 1)  # nothing after it: the usual rules


def test_best_span_joins_a_close_neighbour_within_the_margin_and_the_length_cap():
    from rag.quoting import JOIN_MARGIN, MAX_JOINED_WORDS, best_span

    close = 0.9 - JOIN_MARGIN + 0.01
    assert best_span([_u(0.1, at=0), _u(0.9, at=1), _u(close, at=2)]) == (1, 2)
    assert best_span([_u(close, at=0), _u(0.9, at=1), _u(0.1, at=2)]) == (0, 1)
    assert best_span([_u(0.1, at=0), _u(0.9, at=1), _u(0.9 - JOIN_MARGIN - 0.01, at=2)]) == (1, 1)  # too far
    assert best_span([_u(0.9, at=0), _u(close, proc=True, at=1)]) == (0, 0)  # never a procedural neighbour
    long = MAX_JOINED_WORDS // 2 + 1
    assert best_span([_u(0.9, words=long, at=0), _u(close, words=long, at=1)]) == (0, 0)  # too long together
    assert best_span([_u(0.9, words=5, at=0), _u(0.0, at=1)]) == (0, 1)  # too short to stand alone
    assert best_span([_u(0.5)]) == (0, 0)


def test_best_span_never_joins_across_a_paragraph_break():
    from rag.quoting import best_span

    para = ScoredUnit(100, 199, 0.85, 3, False, False, True)  # "It remains unchanged." opens a paragraph
    assert best_span([_u(0.9, at=0), para]) == (0, 0)
    assert best_span([_u(0.9, ann=True, at=0), para]) == (0, 0)  # an announcement too
    assert best_span([_u(0.1, at=0), para, _u(0.2, at=2)]) == (1, 2)  # short: joined within its own paragraph


def test_feature_rows_mark_paragraph_starts():
    idx, enc = _index(make_transcript([("CCTV", "China supports the SCO.\n\nIt remains unchanged. We agree.")]))
    r = Retriever(idx, enc)
    units, _ = r.sentence_ranker().features(idx.chunks[0].turn_id, "SCO", enc.encode(["SCO"])[0])
    assert [u.starts_paragraph for u in units] == [False, True, False]


def _turn_quotes(units: list[ScoredUnit]) -> list[tuple[int, int, float]]:
    """``(start, end, score)`` of the quotes ``_best_sentences`` cuts from units laid out at 100-char steps."""
    from types import SimpleNamespace

    from rag.quoting import _best_sentences

    hit = SimpleNamespace(source=SimpleNamespace(canonical="".join(f"{f's{i}.':<99} " for i in range(len(units)))))
    return [(q.start, q.end, q.score) for q in _best_sentences(hit, units, max_per_turn=2)]


def test_a_close_second_statement_is_quoted_after_the_best_one():
    from rag.quoting import SECOND_MARGIN

    close, far = 0.9 - SECOND_MARGIN + 0.01, 0.9 - SECOND_MARGIN - 0.01
    # not touching the best one: a quote of its own, after it, with its own score
    assert _turn_quotes([_u(0.9, at=0), _u(0.0, at=1), _u(close, at=2)]) == [(0, 99, 0.9), (200, 299, round(close, 4))]
    # beyond the margin, or procedural: the best one alone
    assert _turn_quotes([_u(0.9, at=0), _u(0.0, at=1), _u(far, at=2)]) == [(0, 99, 0.9)]
    assert _turn_quotes([_u(0.9, at=0), _u(0.0, at=1), _u(close, proc=True, at=2)]) == [(0, 99, 0.9)]


def test_a_second_statement_touching_the_first_quote_is_joined_only_under_the_length_cap():
    from rag.quoting import MAX_JOINED_WORDS

    # best (0) joined with its close neighbour (1); the second pick (2) touches them: one quote of three sentences
    assert _turn_quotes([_u(0.9, at=0), _u(0.8, at=1), _u(0.75, at=2)]) == [(0, 299, 0.9)]
    # the same three would pass the cap together: the second pick stays a quote of its own
    w = MAX_JOINED_WORDS // 3 + 1
    assert _turn_quotes([_u(0.9, w, at=0), _u(0.8, w, at=1), _u(0.75, w, at=2)]) == [(0, 199, 0.9), (200, 299, 0.75)]
    # the second pick before the best one: still quoted after it
    assert _turn_quotes([_u(0.8, w, at=0), _u(0.0, w, at=1), _u(0.9, w, at=2)]) == [(200, 299, 0.9), (0, 99, 0.8)]


def test_a_second_statement_is_never_quoted_as_a_fragment_and_never_procedural():
    # the short second pick (2) is joined to its neighbour (1), already in the first quote (0-1), and the three
    # pass the cap: the first quote stands alone rather than "It remains unchanged." quoted by itself
    assert _turn_quotes([_u(0.9, 34, at=0), _u(0.8, 34, at=1), _u(0.75, 4, at=2)]) == [(0, 199, 0.9)]
    # the same for a bare announcement ("Our position is consistent and clear.") whose next sentence is taken
    assert _turn_quotes([_u(0.75, 14, ann=True, at=0), _u(0.9, 34, at=1), _u(0.8, 34, at=2)]) == [(100, 299, 0.9)]
    # but a sentence that stands alone is quoted without the neighbour the first quote already has
    w = 24
    assert _turn_quotes([_u(0.9, w, at=0), _u(0.8, w, at=1), _u(0.75, w, at=2)]) == [(0, 199, 0.9), (200, 299, 0.75)]
    # a procedural sentence is passed over for the best other statement within the margin
    assert _turn_quotes([_u(0.9, at=0), _u(0.0, at=1), _u(0.85, proc=True, at=2), _u(0.0, at=3), _u(0.8, at=4)]) \
        == [(0, 99, 0.9), (400, 499, 0.8)]


def test_the_passage_holds_both_quotes_of_the_turn_even_past_its_budget():
    from rag.quoting import quote_groups

    # best (4) and a close second statement (0), three sentences apart: 500 characters from one to the other
    units = [_u(0.85, at=0), _u(0.0, at=1), _u(0.0, at=2), _u(0.0, at=3), _u(0.9, at=4), _u(0.0, at=5)]
    assert quote_groups(units) == [(4, [4]), (0, [0])]
    assert passage(units, budget=500) == (0, 499)  # both quotes, and the sentences between them
    assert passage(units, budget=600) == (0, 599)  # then grows, the sentence after first
    assert passage(units, budget=300) == (0, 499)  # too far apart for the budget: both quotes all the same, no growth


def test_the_passage_keeps_each_quote_whole_and_grows_only_within_its_budget():
    from rag.quoting import quote_groups

    def unit(start: int, end: int, score: float) -> ScoredUnit:
        return ScoredUnit(start, end, score, 20, False)

    # sentence lengths 100/100/100/100/300/100/450; the best (5) is joined with the one before it (4)
    ends = [100, 200, 300, 400, 700, 800, 1250]
    scores = [0.75, 0.0, 0.0, 0.0, 0.85, 0.9, 0.0]
    units = [unit(0 if k == 0 else ends[k - 1] + 1, ends[k], scores[k]) for k in range(7)]
    assert quote_groups(units) == [(5, [4, 5]), (0, [0])]
    assert passage(units, budget=800) == (0, 800)  # both quotes, the first one whole (its 4 and 5)
    assert passage(units, budget=700) == (0, 800)  # past the budget: the quotes all the same, no growth
    assert passage(units, budget=1250) == (0, 1250)  # room to grow: the sentence after


def test_flags_are_stored_with_the_table_and_read_only_under_todays_patterns(tmp_path):
    from dataclasses import replace
    from types import SimpleNamespace

    from rag.records import Chunk
    from rag.sentence_flags import FLAGS_KEY, flags_of
    from rag.sentence_rank import SentenceRanker
    from rag.sentences import load, save

    text = "I would refer you to the competent authorities. China firmly opposes it and urges restraint."
    c = Chunk(0, "x:1", "x.txt", 10, 10 + len(text), text, "")
    t = build_table([c], unit_spans([c]), np.ones((2, 384), dtype=np.float32))
    want = flags_of(["I would refer you to the competent authorities.", "China firmly opposes it and urges restraint."])
    assert t.flags_key == FLAGS_KEY and t.flags.tolist() == want.tolist() == [[1, 0, 0], [0, 0, 3]]
    save(t, tmp_path)
    back = load(tmp_path)
    assert back.flags_key == FLAGS_KEY and back.flags.tolist() == want.tolist()
    save(replace(t, flags=None, flags_key=None), tmp_path)  # an index built before the flags were stored
    assert load(tmp_path).flags is None
    rows = np.arange(2)
    stale = SimpleNamespace(table=replace(t, flags=np.zeros((2, 3), np.uint8), flags_key="other patterns"))
    assert SentenceRanker.flags(stale, rows, ["no.", "China firmly opposes it and urges restraint."]).tolist() == \
        [[0, 0, 0], [0, 0, 3]]  # computed from the texts, not read from flags stored under other patterns
    assert SentenceRanker.flags(SimpleNamespace(table=t), rows, ["ignored", "ignored"]).tolist() == want.tolist()


def test_doctests():
    import doctest

    import rag.sentence_flags
    import rag.sentence_rank
    import rag.sentences

    for mod in (rag.sentence_flags, rag.sentence_rank, rag.sentences):
        res = doctest.testmod(mod)
        assert res.attempted and not res.failed, mod.__name__
