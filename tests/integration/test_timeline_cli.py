"""`rag timeline` end to end with the real model over the two seed transcripts (2023-07-26 and 2024-10-14)."""

import json

from rag import cli, store

S0 = "000_244ba66e424b55ac"
QUESTION = "Nobel Peace Prize for the atomic bomb survivors"


def _run(capsys, *args):
    capsys.readouterr()
    rc = cli.main(["timeline", *args])
    return rc, capsys.readouterr()


def test_timeline_json(index_dir, capsys):
    rc, out = _run(capsys, QUESTION, "--index", str(index_dir), "--json")
    assert rc == 0
    j = json.loads(out.out)
    assert list(j)[:5] == ["question", "unit", "threshold", "buckets", "statements"]
    # 2023-07 .. 2024-10, 16 months with two transcripts and one addressed turn: quarters, gaps kept.
    assert j["unit"] == "quarter"
    assert [b["period"] for b in j["buckets"]] == ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert [b["transcripts"] for b in j["buckets"]] == [1, 0, 0, 0, 0, 1]
    last = j["buckets"][-1]
    assert last["turn_ids"][0] == f"{S0}:6" and last["count"] == len(last["turn_ids"])  # the Nihon Hidankyo answer
    index = store.load(index_dir)
    for tid, s in j["statements"].items():
        assert index.sources[s["source"]].canonical[s["start"]:s["end"]] == s["quote"]
        assert (s["score"] >= j["threshold"] or s["named"]) and tid.startswith(s["source"].rsplit(".", 1)[0])


def test_timeline_png_and_text(index_dir, capsys, tmp_path):
    png = tmp_path / "chart.png"
    rc, out = _run(capsys, QUESTION, "--index", str(index_dir), "--png", str(png), "--unit", "month")
    assert rc == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    lines = out.out.splitlines()
    assert "per month" in lines[0]
    assert any(line.startswith("2024-10") and line.endswith("#" * 50) for line in lines)
    assert "2023-08 – 2024-09       (no transcripts)" in lines


def test_timeline_filters_and_errors(index_dir, capsys):
    rc, out = _run(capsys, QUESTION, "--index", str(index_dir), "--json", "--since", "2024-01-01",
                   "--spokesperson", "Mao Ning")
    assert rc == 0
    j = json.loads(out.out)
    assert j["filters"]["since"] == "2024-01-01" and j["buckets"][0]["period"] == "2024-01"
    assert all(s["spokesperson"] == "Mao Ning" for s in j["statements"].values())
    rc, out = _run(capsys, QUESTION, "--index", str(index_dir), "--since", "2024-13-01")
    assert rc == 2 and "YYYY-MM-DD" in out.err
