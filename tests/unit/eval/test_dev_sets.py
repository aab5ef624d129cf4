"""The dev sets' hygiene (eval/paraphrase, eval/journalist, eval/seeds): no copied wording, judged turns
keep their fingerprints. Parses transcripts only, no model."""

from __future__ import annotations

import os

import pytest

from rag.eval.datasets import Dataset, fingerprint, load_dataset, shared_ngrams
from rag.sources.files import parse_file
from tests.paths import CORPUS_EN, CORPUS_MFA_ZH, CORPUS_ZH, EVAL, SEEDS

# ---------------------------------------------------------------------------
# The dev sets: no copied wording, fingerprints of judged turns


def _need_corpus() -> None:
    if not CORPUS_EN.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing at {CORPUS_EN}")
        pytest.skip(f"shared corpus not found at {CORPUS_EN}")


def _turns_for(turn_ids) -> dict:
    """Parse only the transcripts that hold ``turn_ids``; ``{turn_id: Turn}``."""
    stems = {t.rsplit(":", 1)[0] for t in turn_ids}
    out = {}
    for stem in sorted(stems):
        path = next((p for p in (SEEDS / f"{stem}.txt", CORPUS_EN / f"{stem}.html", CORPUS_ZH / f"{stem}.html",
                                 CORPUS_MFA_ZH / f"{stem}.html") if p.is_file()), None)
        assert path is not None, f"no transcript for {stem} in seeds/, {CORPUS_EN}, {CORPUS_ZH} or {CORPUS_MFA_ZH}"
        for t in parse_file(path, path.read_bytes()).turns:
            out[t.turn_id] = t
    return out


def _load(name: str) -> Dataset:
    return load_dataset(EVAL / name)


def test_paraphrase_set_shape():
    ds = _load("paraphrase")
    assert len(ds.queries) >= 120
    notes = [q.notes or "" for q in ds.queries]
    assert all(notes), "every query says how it was made"
    assert sum("time" in n for n in notes) >= 20
    assert sum("keywords" in n for n in notes) >= 20
    judged = {d for docs in ds.qrels.values() for d in docs}
    assert set(ds.fingerprints) == judged  # every judged turn has a fingerprint
    assert not ds.skipped
    assert sum(d.endswith(":1") for docs in ds.qrels.values() for d in docs) < len(judged) / 4


def test_paraphrase_queries_copy_no_four_word_run():
    """How the queries were written: against the turns of the first judging (``qrels/pool1.tsv``). Turns the
    re-pool found later (eval/repool.py) may share a phrase with a query by chance; queries are not reworded then."""
    _need_corpus()
    ds = load_dataset(EVAL / "paraphrase", qrels=EVAL / "paraphrase" / "qrels" / "pool1.tsv")
    turns = _turns_for({d for docs in ds.qrels.values() for d in docs})
    bad = []
    for q in ds.queries:
        for tid in ds.qrels[q.qid]:
            t = turns[tid]
            for part in (t.question or "", t.text):
                shared = shared_ngrams(q.text, part, 4)
                if shared:
                    bad.append(f"{q.qid} vs {tid}: {shared}")
    assert not bad, "queries copy 4+ consecutive words of their turns:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", ["paraphrase", "journalist", "seeds", "zh"])
def test_judged_turns_keep_their_fingerprints(name):
    """A parser change that shifts turn ids (or changes answer boundaries) breaks the qrels: re-judge then."""
    ds = _load(name)
    if name != "seeds":
        _need_corpus()
    fps = ds.fingerprints or {d: None for docs in ds.qrels.values() for d in docs}
    turns = _turns_for(fps)
    missing = sorted(t for t in fps if t not in turns)
    assert not missing, f"judged turns no longer exist: {missing[:10]}"
    changed = sorted(t for t, fp in fps.items() if fp is not None and fingerprint(turns[t].text) != fp)
    assert not changed, f"judged turns changed text (ids shifted?): {changed[:10]}"


def test_journalist_queries_are_the_questions():
    _need_corpus()
    ds = _load("journalist")
    assert len(ds.queries) >= 250
    assert ds.meta["index"]["context"] == "none"
    turns = _turns_for({d for docs in ds.qrels.values() for d in docs})
    for q in ds.queries:
        (tid,) = ds.qrels[q.qid]
        assert " ".join((turns[tid].question or "").split()) == q.text
