"""Reading an evaluation set: queries, qrels, judged-turn fingerprints, and checks against an index.

An evaluation set is a folder in BEIR layout (see ``eval/README.md``)::

    SET/queries.jsonl     {"_id", "text"} plus optional "since", "until", "spokesperson", "outlet"
    SET/qrels/test.tsv    "query-id<TAB>corpus-id<TAB>score" with a header line
    SET/turns.tsv         optional: "turn_id<TAB>sha1(answer)[:12]" fingerprints of the judged turns
    SET/dataset.json      optional: facts about the set, e.g. {"index": {"context": "none"}}
    SET/sentences.jsonl   optional: gold sentences, {"query_id", "turn_id", "source", "start", "end", "text"}
                          per line (offsets into the source's canonical text; some queries may have none)

``corpus-id`` is a turn id (``"<source stem>:<n>"``, see :class:`rag.records.Turn`). A TREC
qrels file (``qid 0 docid rel``) can replace ``qrels/test.tsv``.

A judged turn is fingerprinted so a parser change that moves turn boundaries is noticed:

    >>> fingerprint("We oppose it.")
    '3e17483cad54'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QueryError, RagError


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    since: str | None = None
    until: str | None = None
    spokesperson: str | None = None
    outlet: str | None = None
    notes: str | None = None
    context: tuple[str, ...] = ()  # earlier questions of a thread (eval/threads): the text is a follow-up

    def filters(self):  # noqa: ANN201 - rag.retrieval.Filters
        from ..retrieval import make_filters

        return make_filters(self.since, self.until, self.spokesperson, self.outlet)


@dataclass
class Dataset:
    name: str
    path: Path
    queries: list[Query]
    qrels: dict[str, dict[str, int]]
    fingerprints: dict[str, str] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # query ids without a positive judgment
    sentences: dict[str, list[GoldSentence]] = field(default_factory=dict)  # query id -> gold sentences


@dataclass(frozen=True)
class GoldSentence:
    """A sentence of a relevant turn that answers the query: ``canonical[start:end] == text`` of ``source``."""

    query_id: str
    turn_id: str
    source: str
    start: int
    end: int
    text: str


def json_lines(path: Path) -> Iterator[tuple[int, object]]:
    """``(line number, value)`` of each non-blank line of a JSONL file; RagError naming a line that is not JSON."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as e:
                raise RagError(f"{path}:{lineno}: not JSON ({e})") from None
            yield lineno, value


def load_queries(path: Path) -> list[Query]:
    """Queries from a BEIR ``queries.jsonl``; raises RagError naming the bad line."""
    out: list[Query] = []
    seen: set[str] = set()
    for lineno, d in json_lines(path):
        if not isinstance(d, dict) or not isinstance(d.get("_id"), str | int) or not isinstance(d.get("text"), str):
            raise RagError(f"{path}:{lineno}: each line needs {{\"_id\": ..., \"text\": ...}}")
        qid = str(d["_id"])
        if qid in seen:
            raise RagError(f"{path}:{lineno}: duplicate query id {qid!r}")
        seen.add(qid)
        meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}

        def get(key: str, meta: dict = meta, d: dict = d) -> str | None:
            v = d.get(key, meta.get(key))
            return str(v) if v not in (None, "") else None

        context = d.get("context", meta.get("context")) or []
        if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
            raise RagError(f"{path}:{lineno}: 'context' must be a list of earlier questions (strings)")
        q = Query(qid, d["text"], get("since"), get("until"), get("spokesperson"), get("outlet"), get("notes"),
                  tuple(context))
        try:
            q.filters()
        except QueryError as e:
            raise RagError(f"{path}:{lineno}: {e}") from None
        out.append(q)
    return out


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """``{query id: {turn id: grade}}`` from a BEIR TSV (with or without header) or a TREC qrels file.

    BEIR: ``query-id<TAB>corpus-id<TAB>score``. TREC: ``qid iter docid rel`` (whitespace).
    """
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t") if "\t" in line else line.split()
            parts = [p.strip() for p in parts]
            if len(parts) == 3:
                qid, doc, grade = parts
            elif len(parts) == 4:
                qid, _iter, doc, grade = parts
            else:
                raise RagError(f"{path}:{lineno}: expected 'query-id corpus-id score' (BEIR) "
                               f"or 'qid 0 docid rel' (TREC), got {len(parts)} fields")
            try:
                g = int(float(grade))
            except ValueError:
                if lineno == 1 or not qrels:  # a header line ("query-id corpus-id score")
                    continue
                raise RagError(f"{path}:{lineno}: relevance {grade!r} is not a number") from None
            qrels.setdefault(qid, {})[doc] = g
    return qrels


def read_fingerprints(path: Path) -> dict[str, str]:
    """``{turn id: fingerprint}`` from ``SET/turns.tsv`` (empty when the file is absent)."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            tid, fp = line.split("\t")[:2]
            if tid != "turn_id":
                out[tid.strip()] = fp.strip()
    return out


def read_sentences(path: Path, query_ids: set[str] | None = None) -> dict[str, list[GoldSentence]]:
    """``{query id: [GoldSentence]}`` from ``SET/sentences.jsonl``; RagError names the bad line.

    Each line needs ``query_id``, ``turn_id``, ``source`` and ``text`` (strings) and ``start`` <
    ``end`` (offsets, ``end - start == len(text)``). With ``query_ids``, a line for another query
    is an error (a typo would silently drop a label).
    """
    out: dict[str, list[GoldSentence]] = {}
    for lineno, d in json_lines(path):
        if not isinstance(d, dict):
            raise RagError(f"{path}:{lineno}: expected a JSON object")
        bad = [k for k in ("query_id", "turn_id", "source", "text") if not isinstance(d.get(k), str) or not d[k]]
        bad += [k for k in ("start", "end") if not isinstance(d.get(k), int) or isinstance(d[k], bool)]
        if bad:
            raise RagError(f"{path}:{lineno}: missing or wrong field(s) {', '.join(bad)} (each line needs "
                           "query_id, turn_id, source, text as strings and start, end as offsets)")
        start, end = d["start"], d["end"]
        if not 0 <= start < end or end - start != len(d["text"]):
            raise RagError(f"{path}:{lineno}: offsets {start}-{end} do not fit a text of {len(d['text'])} "
                           "characters (end - start must equal its length)")
        qid = d["query_id"]
        if query_ids is not None and qid not in query_ids:
            raise RagError(f"{path}:{lineno}: query id {qid!r} is not in the set's queries")
        out.setdefault(qid, []).append(GoldSentence(qid, d["turn_id"], d["source"], start, end, d["text"]))
    return out


def fingerprint(text: str) -> str:
    """The judged-turn fingerprint: first 12 hex digits of SHA-1 of the answer text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def load_dataset(path: str | Path, *, qrels: str | Path | None = None, queries: str | Path | None = None) -> Dataset:
    """The set at ``path`` (``qrels``/``queries`` replace its files); queries without a relevant turn are skipped."""
    p = Path(path)
    if not p.is_dir() and not (qrels and queries):
        raise RagError(f"{p} is not an evaluation set folder (expected queries.jsonl and qrels/test.tsv)")
    qpath = Path(queries) if queries else p / "queries.jsonl"
    rpath = Path(qrels) if qrels else p / "qrels" / "test.tsv"
    for f in (qpath, rpath):
        if not f.is_file():
            raise RagError(f"missing {f} (an evaluation set has queries.jsonl and qrels/test.tsv; see eval/README.md)")
    qs = load_queries(qpath)
    judged = read_qrels(rpath)
    meta = {}
    if (p / "dataset.json").is_file():
        try:
            meta = json.loads((p / "dataset.json").read_text(encoding="utf-8"))
        except ValueError as e:
            raise RagError(f"{p / 'dataset.json'}: not JSON ({e})") from None
    kept, skipped = [], []
    for q in qs:
        (kept if any(g > 0 for g in judged.get(q.qid, {}).values()) else skipped).append(q)
    if not kept:
        raise RagError(f"no query of {qpath} has a relevant turn in {rpath}")
    gold = read_sentences(p / "sentences.jsonl", {q.qid for q in qs}) if (p / "sentences.jsonl").is_file() else {}
    # Gold sentences belong to relevant (query, turn) pairs: a --qrels file that does not call a turn relevant
    # (e.g. the judgments before a re-pool, eval/repool.py) drops that turn's gold sentences too.
    gold = {qid: [g for g in gs if judged.get(qid, {}).get(g.turn_id, 0) > 0] for qid, gs in gold.items()}
    return Dataset(name=p.name if p.is_dir() else qpath.stem, path=p, queries=kept,
                   qrels={q.qid: judged[q.qid] for q in kept}, fingerprints=read_fingerprints(p / "turns.tsv"),
                   meta=meta, skipped=[q.qid for q in skipped],
                   sentences={q.qid: gold[q.qid] for q in kept if gold.get(q.qid)})


def all_sources(index) -> dict:  # noqa: ANN001 - rag.store.Index
    """English and Chinese sources of an index by file name (a Chinese question quotes the Chinese ones)."""
    zh = getattr(index, "zh", None)
    return {**index.sources, **(zh.sources if zh else {})}


def all_turns(index) -> dict:  # noqa: ANN001 - rag.store.Index
    zh = getattr(index, "zh", None)
    return {**index.turns, **(zh.turns if zh else {})}


def check_index(dataset: Dataset, index) -> list[str]:  # noqa: ANN001 - rag.store.Index
    """Warnings about judged turns the index does not have or whose text changed, and moved gold sentences."""
    warns = []
    turns, sources = all_turns(index), all_sources(index)
    judged = {d for docs in dataset.qrels.values() for d, g in docs.items() if g > 0}
    missing = sorted(d for d in judged if d not in turns)
    if missing:
        warns.append(f"{len(missing)} judged turn(s) are not in the index (e.g. {', '.join(missing[:5])}): "
                     "build the index from the set's sources (see eval/README.md)")
    changed = sorted(tid for tid, fp in dataset.fingerprints.items()
                     if tid in turns and fingerprint(turns[tid].text) != fp)
    if changed:
        warns.append(f"{len(changed)} judged turn(s) have other text than when judged (e.g. {', '.join(changed[:5])}): "
                     "the parser changed turn boundaries; re-check the qrels")
    gold = [g for gs in dataset.sentences.values() for g in gs]
    moved = [g for g in gold if g.source not in sources
             or sources[g.source].canonical[g.start:g.end] != g.text]
    if moved:
        warns.append(f"{len(moved)} of {len(gold)} gold sentence(s) are not at their offsets in the index "
                     f"(e.g. {moved[0].query_id} {moved[0].source} {moved[0].start}-{moved[0].end}): "
                     "the parser changed the canonical text; rebuild sentences.jsonl (eval/gold_sentences.py)")
    want = dataset.meta.get("index", {}) if isinstance(dataset.meta.get("index"), dict) else {}
    chunking = index.manifest.get("chunking", {})
    for key, value in want.items():
        if chunking.get(key) != value:
            warns.append(f"this set expects an index with {key}={value!r}, the index has {chunking.get(key)!r} "
                         f"(see {dataset.path / 'dataset.json'})")
    return warns


# ---------------------------------------------------------------------------
# Writing checks for hand-made sets


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters/digits runs), the unit of the copy check."""
    return re.findall(r"\w+", text.lower())


def shared_ngrams(query: str, text: str, n: int = 4) -> list[str]:
    """Runs of ``n`` consecutive words of ``query`` that also occur in ``text`` (empty = no copying).

    >>> shared_ngrams("what did China say about the SCO summit", "China will say about the SCO summit")
    ['about the sco summit', 'say about the sco']
    """
    q, t = words(query), words(text)
    grams = {tuple(t[i:i + n]) for i in range(len(t) - n + 1)}
    return sorted({" ".join(q[i:i + n]) for i in range(len(q) - n + 1) if tuple(q[i:i + n]) in grams})
