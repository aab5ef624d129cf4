"""The Chinese part of an index: its sources, and one BM25 document per turn.

A Chinese turn is searched as its question and answer together (a reporter's question names the
topic the answer often only alludes to: 对此 / 这个问题), tokenised by :func:`rag.zh.tokens.zh_tokens`.
Saved beside the English parts of a build, as plain files::

    BUILD/zh/params.json     {"version", "tokenizer", "turns": n}
    BUILD/zh/sources.jsonl   one parsed Chinese transcript per line (as ``sources.jsonl``)
    BUILD/zh/turn_ids.json   the turn of each BM25 document, in order
    BUILD/zh/bm25/           bm25s index files

    >>> from rag.records import Source, Turn
    >>> t = Turn("p:1", "p.html", 1, "answer", "Wang Wenbin", None, "中方对此有何评论？", 0, 9, 10, 17, "中方坚决反对。")
    >>> zi = build_zh({"p.html": Source("p.html", "中方对此有何评论？\\n中方坚决反对。", None, "2024-04-03", False,
    ...                                  "Wang Wenbin", None, "conference", (t,), lang="zh")})
    >>> zi.turn_ids, zi.turns["p:1"].text
    (['p:1'], '中方坚决反对。')
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..records import Source, Turn
from ..text import bm25_doc_freq
from .tokens import zh_tokens

VERSION = 1
TOKENIZER = "mixed"


@dataclass
class ZhIndex:
    """Chinese sources and their BM25 index (document ``i`` is turn ``turn_ids[i]``)."""

    sources: dict[str, Source]
    turn_ids: list[str]
    bm25: object = None  # bm25s.BM25
    tokenizer: str = TOKENIZER
    turns: dict[str, Turn] = field(default_factory=dict)
    source_of: dict[str, Source] = field(default_factory=dict)
    _df: dict[str, int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for s in self.sources.values():
            for t in s.turns:
                self.turns[t.turn_id] = t
                self.source_of[t.turn_id] = s

    def doc_freq(self) -> dict[str, int]:
        """How many turns hold each token (read once from the BM25 matrix, then kept)."""
        if self._df is None:
            self._df = bm25_doc_freq(self.bm25)
        return self._df

    def date_range(self) -> tuple[str | None, str | None]:
        dates = sorted(s.date for s in self.sources.values() if s.date)
        return (dates[0], dates[-1]) if dates else (None, None)


def document(turn: Turn) -> str:
    """The text a turn is searched by: its question, then its answer."""
    return turn.exchange


def build_zh(sources: dict[str, Source], tokenizer: str = TOKENIZER) -> ZhIndex:
    """The :class:`ZhIndex` of ``sources`` (Chinese ones; any others are ignored)."""
    import bm25s

    zh = {k: s for k, s in sorted(sources.items()) if s.lang == "zh"}
    turn_ids = [t.turn_id for s in zh.values() for t in s.turns]
    docs = [zh_tokens(document(t), tokenizer) or ["_empty_"] for s in zh.values() for t in s.turns]
    bm25 = bm25s.BM25()
    bm25.index(docs or [["_empty_"]], show_progress=False)  # bm25s needs one document with one token
    return ZhIndex(sources=zh, turn_ids=turn_ids, bm25=bm25, tokenizer=tokenizer)


def save_zh(zi: ZhIndex, build: Path) -> None:
    """Write ``zi`` under ``build/zh`` (the caller fsyncs and renames the build)."""
    d = Path(build) / "zh"
    d.mkdir()
    with open(d / "sources.jsonl", "w", encoding="utf-8") as fh:
        for src in zi.sources.values():
            fh.write(json.dumps(asdict(src), ensure_ascii=False) + "\n")
    (d / "turn_ids.json").write_text(json.dumps(zi.turn_ids), encoding="utf-8")
    zi.bm25.save(str(d / "bm25"), show_progress=False)
    (d / "params.json").write_text(json.dumps({"version": VERSION, "tokenizer": zi.tokenizer,
                                               "turns": len(zi.turn_ids)}), encoding="utf-8")


def load_zh(build: Path, source_from_dict) -> ZhIndex | None:  # noqa: ANN001 - rag.store._source_from_dict
    """The :class:`ZhIndex` saved under ``build/zh``, or None when the build has no Chinese part.

    Raises ValueError when the part is there but does not hold together (the caller reports it).
    """
    import bm25s

    d = Path(build) / "zh"
    if not (d / "params.json").exists():
        return None
    params = json.loads((d / "params.json").read_text(encoding="utf-8"))
    if params.get("version") != VERSION:
        raise ValueError(f"Chinese part version {params.get('version')}, this program reads {VERSION}")
    sources = {}
    with open(d / "sources.jsonl", encoding="utf-8") as fh:
        for line in fh:
            src = source_from_dict(json.loads(line))
            sources[src.source] = src
    turn_ids = json.loads((d / "turn_ids.json").read_text(encoding="utf-8"))
    bm25 = bm25s.BM25.load(str(d / "bm25"), show_progress=False)
    zi = ZhIndex(sources=sources, turn_ids=turn_ids, bm25=bm25, tokenizer=params.get("tokenizer", TOKENIZER))
    if set(turn_ids) != set(zi.turns) or int(bm25.scores["num_docs"]) != max(len(turn_ids), 1):
        raise ValueError("Chinese part: turns and BM25 documents differ")
    return zi
