"""`rag phrase ... --json` run as a program on the seeds index, checked against a direct scan of the
canonical texts (the issue's "same count as a direct scan"). The index is built once for this module."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from rag import store
from tests.paths import ROOT

# Written out here, not taken from rag.phrases: each character of a group matches any of its group.
_GROUPS = ["'\u2018\u2019\u201a\u201b\u2032\u02bc\uff07", '"\u201c\u201d\u201e\u201f\u2033\uff02', "-\u2010\u2011"]
_CLASSES = {c: f"[{re.escape(g)}]" for g in _GROUPS for c in g}


def rag_phrase(index_dir, *args: str) -> tuple[int, str, str]:
    """The command as a reader runs it, in a fresh process."""
    p = subprocess.run([sys.executable, "-m", "rag.cli", "phrase", *args, "--index", str(index_dir)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    return p.returncode, p.stdout, p.stderr


def direct_scan(index, phrase: str, *, questions: bool = False, spokesperson: str | None = None):
    """Every (source, start, end) of the phrase in the answers (or questions): a regex per span, case-blind,
    any whitespace between words, curly and straight quotes alike, whole words."""
    body = r"\s+".join("".join(_CLASSES.get(c, re.escape(c)) for c in w) for w in phrase.split())
    rx = re.compile((r"(?<!\w)" if re.match(r"\w", phrase) else "") + body
                    + (r"(?!\w)" if re.match(r"\w", phrase[-1]) else ""), re.IGNORECASE)
    out = []
    for s in index.sources.values():
        for t in s.turns:
            if spokesperson and t.spokesperson != spokesperson:
                continue
            lo, hi = (t.question_start, t.question_end) if questions else (t.start, t.end)
            if lo is not None:
                out += [(s.source, lo + m.start(), lo + m.end()) for m in rx.finditer(s.canonical[lo:hi])]
    return sorted(out)


@pytest.mark.parametrize("phrase", ["Taiwan", "China's", "the United States", "Nobel Peace Prize", "Japan",
                                    "owes no one, begs no one"])
def test_phrase_json_matches_a_direct_scan(index_dir, phrase):
    rc, out, err = rag_phrase(index_dir, phrase, "--json")
    assert rc == 0, err
    res = json.loads(out)
    index = store.load(index_dir)
    expected = direct_scan(index, phrase)
    assert res["count"] == len(expected)
    assert sorted((o["source"], o["start"], o["end"]) for o in res["occurrences"]) == expected
    assert res["in_questions"] == len(direct_scan(index, phrase, questions=True))
    assert res["conferences"] == len({s for s, _, _ in expected})
    assert sum(res["by_year"].values()) == sum(res["by_spokesperson"].values()) == res["count"]
    for o in res["occurrences"]:
        assert index.sources[o["source"]].canonical[o["start"]:o["end"]] == o["quote"]
        assert index.turns[o["turn_id"]].source == o["source"]
    dates = [o["date"] for o in res["occurrences"]]
    assert dates == sorted(dates)  # both seeds are dated
    if expected:
        assert res["first"]["date"] == dates[0] and res["last"]["date"] == dates[-1]


def test_the_seeds_have_the_phrases_the_test_relies_on(index_dir):
    index = store.load(index_dir)
    assert len(direct_scan(index, "Taiwan")) >= 5 and direct_scan(index, "Taiwan", questions=True)
    assert direct_scan(index, "owes no one, begs no one") == []


def test_phrase_filters(index_dir):
    index = store.load(index_dir)
    rc, out, err = rag_phrase(index_dir, "Taiwan", "--json", "--spokesperson", "Mao Ning", "--since", "2024-01-01")
    assert rc == 0, err
    res = json.loads(out)
    dated = {s.source for s in index.sources.values() if (s.date or "") >= "2024-01-01"}
    expected = [x for x in direct_scan(index, "Taiwan", spokesperson="Mao Ning") if x[0] in dated]
    assert expected and sorted((o["source"], o["start"], o["end"]) for o in res["occurrences"]) == expected
    assert set(res["by_year"]) == {"2024"}


def test_phrase_text_and_errors(index_dir):
    rc, out, err = rag_phrase(index_dir, "taiwan")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("“taiwan”: ") and lines[1].startswith("First: ") and lines[2].startswith("Last:  ")
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d  .+  “Taiwan”  .+\.txt:\d+-\d+", line) for line in lines)
    rc, out, err = rag_phrase(index_dir, " a ")
    assert rc == 2 and "at least 2 characters" in err and out == ""
