"""rag.zh: Chinese tokens, time phrases, the Chinese part of an index, search, quotes and answers."""

from __future__ import annotations

import pytest

from rag.answer import answer_question, to_json
from rag.filters import Filters, make_filters
from rag.ingest import ingest
from rag.records import Source, Turn
from rag.retrieval import Retriever
from rag.store import load
from rag.zh.answer import answer_zh, attribution, zh_date
from rag.zh.index import build_zh
from rag.zh.quote import sentence_spans
from rag.zh.search import read_zh_question, search_zh
from rag.zh.timeparse import parse_zh_time
from rag.zh.tokens import is_chinese, zh_tokens
from tests.fakes import FakeEncoder
from tests.paths import HTML_FIXTURES, SEEDS


def _source(name: str, date: str, spk: str, qas: list[tuple[str | None, str, str | None]]) -> Source:
    """A Chinese Source from (question, answer, outlet) triples, offsets computed like the parser's."""
    canon, turns = "", []
    for n, (q, a, outlet) in enumerate(qas, start=1):
        qs = qe = None
        if q:
            qs = len(canon)
            canon += q
            qe = len(canon)
            canon += "\n\n"
        s = len(canon)
        canon += a
        turns.append(Turn(f"{name}:{n}", f"{name}.html", n, "answer" if q else "statement", spk, outlet, q, qs, qe,
                          s, len(canon), a))
        canon += "\n\n"
    return Source(f"{name}.html", canon, None, date, False, spk, f"https://www.mfa.gov.cn/{name}.shtml", "conference",
                  tuple(turns), lang="zh")


SOURCES = {
    "p1.html": _source("p1", "2022-08-02", "Hua Chunying", [
        ("美国众议长佩洛西窜访台湾，中方有何回应？", "我们注意到有关报道。佩洛西窜访台湾严重违反一个中国原则，中方坚决反对、强烈谴责。", "AFP"),
        ("中方对气候变化大会有何期待？", "中方期待大会取得积极成果。", None),
    ]),
    "p2.html": _source("p2", "2020-10-13", "Zhao Lijian", [
        ("美国宣布新一轮对台军售，中方对此有何评论？", "美方对台军售严重违反一个中国原则。中方将采取正当必要措施。", "Reuters"),
    ]),
}


def test_tokens_drop_framing_and_keep_topic_words():
    assert zh_tokens("中方对美国对台军售有何回应？") == ["美国", "对台", "军售"]
    assert zh_tokens("美国对台军售", "bigram") == ["美国", "国对", "对台", "台军", "军售"]
    assert zh_tokens("WHO 2020年") == ["who", "2020"]


def test_is_chinese_counts_scripts():
    assert is_chinese("佩洛西 访台 2022")
    assert not is_chinese("What did Hua Chunying (华春莹) say?")


@pytest.mark.parametrize(("text", "expected"), [
    ("2021年3月", ("2021-03-01", "2021-03-31", "2021年3月")),
    ("2024年2月29日", ("2024-02-29", "2024-02-29", "2024年2月29日")),
    ("2023年", ("2023-01-01", "2023-12-31", "2023年")),
    ("2019年下半年", ("2019-07-01", "2019-12-31", "2019年下半年")),
    ("2020年以前", (None, "2019-12-31", "2020年以前")),
    ("2023年2月30日", None),  # no such day: no filter, never a guess
    ("去年", None),
])
def test_time_phrases(text, expected):
    assert parse_zh_time(text) == expected


def test_sentences_are_verbatim_and_short_ones_join():
    text = "谢谢。我想说三点。第一，中方坚决反对！“台独”是死路一条。”\n\n另起一段"
    spans = sentence_spans(text)
    assert all(text[a:b].strip() == text[a:b] and text[a:b] for a, b in spans)
    assert [text[a:b] for a, b in spans][-1] == "另起一段"
    assert text[spans[0][0]:spans[0][1]].startswith("谢谢。我想说三点。")  # 谢谢。 alone does not stand


def test_question_reading_takes_out_time_and_name():
    text, read, tp, sp = read_zh_question("2022年8月 华春莹 佩洛西 访台")
    assert (text, tp, sp) == ("佩洛西 访台", "2022年8月", "华春莹")
    assert read == {"since": "2022-08-01", "until": "2022-08-31", "spokesperson": "Hua Chunying"}


def test_search_ranks_and_filters():
    zi = build_zh(SOURCES)
    assert [h.turn_id for h in search_zh(zi, "对台军售")][:1] == ["p2:1"]
    assert search_zh(zi, "对台军售", Filters(since="2021-01-01")) == [] or \
        all(zi.source_of[h.turn_id].date >= "2021-01-01" for h in search_zh(zi, "对台军售", Filters(since="2021-01-01")))
    assert [h.turn_id for h in search_zh(zi, "佩洛西", make_filters(spokesperson="华春莹"))] == ["p1:1"]
    assert search_zh(zi, "佩洛西", make_filters(spokesperson="赵立坚")) == []


def test_answer_quotes_the_answering_sentence_verbatim_in_press_style():
    zi = build_zh(SOURCES)
    a = answer_zh(zi, "佩洛西窜访台湾，中方怎么说？")
    assert a.found and a.lang == "zh"
    c = a.citations[0]
    assert c.quote == "佩洛西窜访台湾严重违反一个中国原则，中方坚决反对、强烈谴责。"  # not the 我们注意到 opener
    assert SOURCES[c.source].canonical[c.start:c.end] == c.quote
    assert f"“{c.quote}”[1]外交部发言人华春莹在2022年8月2日例行记者会上答法新社记者问时说。" in a.text
    for h in a.hits:
        assert SOURCES[h.source].canonical[h.start:h.end] == h.text


def test_answer_not_found_says_so_in_chinese():
    a = answer_zh(build_zh(SOURCES), "南极科考")
    assert not a.found and a.text.startswith("未找到")


def test_attribution_of_a_statement_and_dates():
    zi = build_zh({"p3.html": _source("p3", "2024-04-03", "Wang Wenbin", [(None, "今天我宣布一个消息。", None)])})
    a = answer_zh(zi, "宣布消息")
    assert attribution(a.citations[0]) == "外交部发言人汪文斌在2024年4月3日例行记者会上说。"
    assert zh_date("2024-04-03") == "2024年4月3日"


def test_ingest_keeps_chinese_pages_out_of_the_embedding_and_searches_them(tmp_path, monkeypatch):
    monkeypatch.setattr("rag.ingest.MODEL_NAME", FakeEncoder.name)  # the fake is the model here
    enc = FakeEncoder()
    pages = sorted(HTML_FIXTURES.glob("zh_*.html"))
    rep = ingest([SEEDS, *pages], tmp_path / "idx", encoder_factory=lambda: enc)
    assert rep.chinese == len(pages) and rep.conferences == 2  # seeds only are embedded
    idx = load(tmp_path / "idx")
    assert all(c.source.endswith(".txt") for c in idx.chunks)
    assert idx.zh is not None and set(idx.zh.sources) == {p.name for p in pages}
    again = ingest([SEEDS, *pages], tmp_path / "idx", encoder_factory=lambda: enc)
    assert not again.written and len(again.unchanged) == len(pages) + 2
    r = Retriever(idx, enc)
    out = to_json(answer_question(r, "中方对论坛有何期待？"))
    assert out["lang"] == "zh" and out["found"]
    for c in out["citations"]:
        assert idx.zh.sources[c["source"]].canonical[c["start"]:c["end"]] == c["quote"]


def test_an_english_index_answers_a_chinese_question_with_a_hint(tmp_path):
    enc = FakeEncoder()
    ingest([SEEDS], tmp_path / "idx", encoder_factory=lambda: enc)
    a = answer_question(Retriever(load(tmp_path / "idx"), enc), "佩洛西访台")
    assert not a.found and "no Chinese transcripts" in a.text
