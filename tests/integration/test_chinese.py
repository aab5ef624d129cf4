"""Chinese originals and Chinese questions end to end (real model, real BM25, real pages of the shared corpus).

The index holds the seeds, the English page of 17 April 2019, its Chinese original (older site) and a
newer-site Chinese page of 28 November 2023. Runs (never skips) when CI=true.
"""

from __future__ import annotations

import json
import os

import pytest

from rag import cli, store
from tests.paths import CORPUS_EN, CORPUS_MFA_ZH, CORPUS_ZH, SEEDS
from tests.translation import same_statement

EN_PAGE, ZH_PAGE, MFA_PAGE = "t1655318.html", "t1655241.html", "t20231128_11188500.html"


def _pages() -> list:
    paths = [CORPUS_EN / EN_PAGE, CORPUS_ZH / ZH_PAGE, CORPUS_MFA_ZH / MFA_PAGE]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared corpus pages missing: {missing}")
        pytest.skip(f"shared corpus pages missing: {missing}")
    return paths


@pytest.fixture(scope="module")
def zh_index(tmp_path_factory):
    d = tmp_path_factory.mktemp("zh_index")
    assert cli.main(["ingest", str(SEEDS), *map(str, _pages()), "--index", str(d), "--quiet"]) == 0
    return d


def _ask(capsys, *args) -> dict:
    capsys.readouterr()
    assert cli.main(["ask", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_an_english_quote_carries_its_chinese_original(zh_index, capsys):
    out = _ask(capsys, "What did China say about the US arms sales to Taiwan?", "--index", str(zh_index))
    idx = store.load(zh_index)
    assert idx.zh is not None and set(idx.zh.sources) == {ZH_PAGE, MFA_PAGE}
    first = out["citations"][0]
    assert first["source"] == EN_PAGE and first["date"] == "2019-04-17"
    o = first["original"]
    assert set(o) == {"lang", "quote", "source", "url", "start", "end", "scope"} and o["lang"] == "zh"
    assert o["source"] == ZH_PAGE and o["url"].endswith("t1655241.shtml")
    assert idx.zh.sources[ZH_PAGE].canonical[o["start"]:o["end"]] == o["quote"]  # verbatim, by offsets
    assert same_statement(first["quote"], o["quote"])  # the counterpart of what is quoted
    # the English turn's aligned Chinese turn (on the arms sales) holds the original
    en_turn = next(t for t in idx.sources[EN_PAGE].turns if t.start <= first["start"] < t.end)
    zh_turn = idx.zh.turns[idx.align[en_turn.turn_id].zh_turn_id]
    assert zh_turn.start <= o["start"] and o["end"] <= zh_turn.end and "对台军售" in zh_turn.text
    # a seed quote has no Chinese page of its day: null, never a guess
    seed = _ask(capsys, "What did China say about the Global South?", "--index", str(zh_index))
    assert seed["citations"] and all(c["original"] is None for c in seed["citations"])


@pytest.mark.slow
def test_a_chinese_question_is_answered_from_the_newer_site_in_chinese(zh_index, capsys):
    out = _ask(capsys, "2023年11月 福岛核污染水排海 赔偿", "--index", str(zh_index))
    assert out["lang"] == "zh" and out["found"]
    assert out["filters"]["since"] == "2023-11-01" and out["read_from_question"]["time"] == "2023年11月"
    idx = store.load(zh_index)
    c = out["citations"][0]
    assert c["source"] == MFA_PAGE and c["date"] == "2023-11-28" and c["spokesperson"] == "Wang Wenbin"
    assert idx.zh.sources[MFA_PAGE].canonical[c["start"]:c["end"]] == c["quote"]
    assert f"“{c['quote']}”[1]外交部发言人汪文斌在2023年11月28日例行记者会上答深圳卫视记者问时说。" in out["answer"]
    # the spokesperson's name in Chinese is a filter in either script
    other = _ask(capsys, "毛宁 福岛核污染水排海", "--index", str(zh_index))
    assert other["filters"]["spokesperson"] == "Mao Ning" and not other["found"]


@pytest.mark.slow
def test_an_english_question_about_dates_only_chinese_covers_says_so(zh_index, capsys):
    out = _ask(capsys, "What did China say about Fukushima in November 2023?", "--index", str(zh_index))
    assert out["coverage"] is not None and not out["citations"]
    assert any(w.startswith("Only in Chinese: 1 Chinese transcript(s)") for w in out["warnings"])
