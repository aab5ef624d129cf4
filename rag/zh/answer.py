"""The answer to a Chinese question: verbatim Chinese quotes, cited in Chinese press style.

Same :class:`~rag.records.Answer` as an English answer (so the JSON, the page's cards and the export
read it unchanged), with ``lang="zh"`` and a text composed here::

    “中方坚决反对美国对台军售。”[1]外交部发言人汪文斌在2024年4月3日例行记者会上答路透社记者问时说。

    >>> zh_date("2024-04-03"), zh_name("Wang Wenbin"), zh_outlet("Reuters")
    ('2024年4月3日', '汪文斌', '路透社')
"""

from __future__ import annotations

from dataclasses import replace

from ..cite import context_span
from ..filters import Filters
from ..records import Answer, AnswerHit, Citation
from ..sources.lexicon import SPOKESPERSONS_ZH
from ..text import bm25_idf
from .index import ZhIndex, document
from .quote import best_sentences, sentence_spans
from .search import apply_read, read_zh_question, search_zh
from .tokens import zh_tokens

OPEN, CLOSE = "“", "”"
MAX_TURNS = 3  # turns quoted in the answer (each by its best sentence)
# A quoted turn must hold this share of the question's word weight (idf): a turn that shares only a
# common word with the question is not an answer to it.
MIN_COVERAGE = 0.5
MAX_RANK = 5  # quotes come from the first hits only: a tenth-ranked turn is not an answer
_ZH_NAME = {en: zh for zh, en in SPOKESPERSONS_ZH.items()}


def zh_date(iso: str | None) -> str | None:
    if not iso:
        return None
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def zh_name(name: str | None) -> str | None:
    return _ZH_NAME.get(name or "", name)


def zh_outlet(outlet: str | None) -> str | None:
    """An outlet's Chinese name when the outlet table knows one (its first Chinese alias), else as stored."""
    if not outlet:
        return None
    from ..sources.outlets import outlet_aliases

    cjk = [a for a in outlet_aliases(outlet) if any("\u4e00" <= ch <= "\u9fff" for ch in a)]
    return cjk[0] if cjk else outlet


def attribution(c: Citation) -> str:
    """外交部发言人汪文斌在2024年4月3日例行记者会上答路透社记者问时说。 (metadata only; unknowns left out)"""
    who = f"外交部发言人{zh_name(c.spokesperson)}" if c.spokesperson else "外交部发言人"
    when = zh_date(c.date)
    where = f"在{when}例行记者会上" if when else "在例行记者会上"
    if c.source_kind != "conference":
        where = f"{when}" if when else ""
    if c.turn_kind == "statement":
        return f"{who}{where}说。"
    asker = f"{zh_outlet(c.outlet)}记者" if c.outlet else "记者"
    after = "会后" if c.after_conference else ""
    return f"{who}{where}{after}答{asker}问时说。"


def citation_line_zh(c: Citation, *, with_url: bool = True) -> str:
    """The press-ready Chinese line of one citation: the quote, who, when, to whom, and the page.

    >>> c = Citation(1, "中方坚决反对。", "p.html", "https://www.mfa.gov.cn/p.shtml", "2024-04-03", "Wang Wenbin",
    ...              "Reuters", "问？", 0, 7, "p:1")
    >>> citation_line_zh(c)
    '“中方坚决反对。”外交部发言人汪文斌在2024年4月3日例行记者会上答路透社记者问时说。来源：https://www.mfa.gov.cn/p.shtml'
    """
    return f"{OPEN}{c.quote}{CLOSE}{attribution(c)}" + (f"来源：{c.url}" if with_url and c.url else "")


def compose_zh(a: Answer) -> str:
    """The Chinese answer text: one line per cited turn, quotes in “…” with [n] markers."""
    lo, hi = a.filters.get("since") or a.date_range[0], a.filters.get("until") or a.date_range[1]
    scope = f"{zh_date(lo)}至{zh_date(hi)}" if lo and hi else ""
    if not a.citations:
        return f"未找到：在检索的{a.searched_sources}份中文记录（{scope}）中，没有足够贴切的回答。请换用其他词语或放宽筛选条件。"
    by_turn: dict[str, list[Citation]] = {}
    for c in a.citations:
        by_turn.setdefault(c.turn_id, []).append(c)
    # “quote”[n] then who said it: the marker stays next to its quote, so the page links it to its card
    lines = ["".join(f"{OPEN}{c.quote}{CLOSE}[{c.n}]" for c in cs) + attribution(cs[0]) for cs in by_turn.values()]
    return "\n\n".join(lines) + f"\n\n共检索{a.searched_sources}份中文记录（{scope}）。"


def answer_zh(zi: ZhIndex, question: str, *, k: int = 10, filters: Filters = Filters(),
              read_question: bool = True) -> Answer:
    """Search the Chinese transcripts for ``question`` and quote the best sentence of the top turns."""
    text, read, time_phrase, spk_phrase = read_zh_question(question) if read_question else (question, {}, None, None)
    filters = apply_read(filters, read)
    hits = search_zh(zi, text, filters, k=k)  # as search_question, keeping the phrases read
    # Sentences are scored by words (jieba) when the index holds them: a whole word in a sentence is better
    # evidence than one of its bigrams (measured: eval/results/zh/report.md).
    sent_tok = "bigram" if zi.tokenizer == "bigram" else "jieba"
    weights = _idf(zi, set(zh_tokens(text, sent_tok)))
    cites: list[Citation] = []
    ahits: list[AnswerHit] = []
    for h in hits:
        t, s = zi.turns[h.turn_id], zi.source_of[h.turn_id]
        ranked = best_sentences(s.canonical, t.start, t.end, weights, sent_tok)
        a, b, score = ranked[0] if ranked else (t.start, t.end, 0.0)
        pa, pb = _passage(s.canonical, t.start, t.end, a, b)
        ahits.append(AnswerHit(rank=h.rank, score=h.score, text=s.canonical[pa:pb], turn_id=t.turn_id,
                               source=s.source, url=s.url, date=s.date, spokesperson=t.spokesperson or s.spokesperson,
                               outlet=t.outlet, question=t.question, start=pa, end=pb, turn_kind=t.kind,
                               source_kind=s.kind, date_inferred=s.date_inferred, after_conference=t.after_conference,
                               bm25=h.score))
        # A turn is quoted when it, question and answer together, holds enough of the question's word weight:
        # the answer often does not repeat the question's words (被拖的是中国人吗？ — 受伤害的是一名越南裔美国公民).
        if len(cites) < MAX_TURNS and h.rank <= MAX_RANK and \
                _coverage(document(t), weights, sent_tok) >= MIN_COVERAGE:
            ps, pe = context_span(s.canonical, a, b, t.start, t.end)
            cites.append(Citation(n=len(cites) + 1, quote=s.canonical[a:b], source=s.source, url=s.url, date=s.date,
                                  spokesperson=t.spokesperson or s.spokesperson, outlet=t.outlet, question=t.question,
                                  start=a, end=b, turn_id=t.turn_id, turn_kind=t.kind, source_kind=s.kind,
                                  title=s.title, date_inferred=s.date_inferred, after_conference=t.after_conference,
                                  turn_start=t.start, turn_end=t.end, sentence_score=score,
                                  context=s.canonical[ps:pe], context_start=ps))
    ans = Answer(question=question, text="", found=bool(cites), filters=filters.to_dict(), citations=tuple(cites),
                 hits=tuple(ahits), time_phrase=time_phrase, searched_sources=_searched(zi, filters),
                 date_range=zi.date_range(), mode="bm25", spokesperson_phrase=spk_phrase, lang="zh")
    return replace(ans, text=compose_zh(ans))


def _searched(zi: ZhIndex, f: Filters) -> int:
    """How many Chinese transcripts the dates and spokesperson of ``f`` leave to search."""
    spk = (f.spokesperson or "").lower()
    return sum(1 for s in zi.sources.values()
               if (not f.since or (s.date or "") >= f.since) and (not f.until or (s.date and s.date <= f.until))
               and (not spk or any(spk in (t.spokesperson or s.spokesperson or "").lower() for t in s.turns)))


def _coverage(sentence: str, weights: dict[str, float], tokenizer: str) -> float:
    """Share of the question's word weight that ``sentence`` holds (0 when the question has no known word)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    words = set(zh_tokens(sentence, tokenizer))
    return sum(w for t, w in weights.items() if t in words) / total


def _idf(zi: ZhIndex, tokens: set[str]) -> dict[str, float]:
    """BM25's idf of each question word. A word the index never saw weighs as much as the rarest word: a
    question about 麦当劳 is not answered by a turn that only shares 涨价 with it."""
    n = max(len(zi.turn_ids), 1)
    df = zi.doc_freq()
    return {t: bm25_idf(n, df.get(t, 0)) for t in tokens}


def _passage(text: str, lo: int, hi: int, a: int, b: int) -> tuple[int, int]:
    """The best sentence with one sentence either side, inside the turn."""
    spans = sentence_spans(text, lo, hi)
    i = next((j for j, (x, y) in enumerate(spans) if x <= a < y or (x, y) == (a, b)), 0)
    return spans[max(i - 1, 0)][0], spans[min(i + 1, len(spans) - 1)][1] if spans else b
