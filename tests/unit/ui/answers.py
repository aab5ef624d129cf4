"""Real answers for the page tests in ``tests/unit/ui/``: no browser, no model.

The answers rendered there are real :class:`~rag.records.Answer` records, made by the ask path
(``Retriever.search`` -> quotes -> ``build_answer`` / ``answer_question``) over a small index built
with the fake encoder, so a change in what the pipeline records shows up in what the page renders.
"""

from __future__ import annotations

import dataclasses

from rag.answer import build_answer
from rag.chunking import ChunkParams, chunk_source
from rag.quoting import Quote
from rag.records import Answer, Source
from rag.retrieval import Retriever
from rag.sentences import table_for
from rag.sources.text import parse_text
from rag.store import assemble
from tests.fakes import FakeEncoder

QUOTE = "China is a natural member of the Global South."
TEXT = ("Regular Press Conference on July 26, 2023\n"
        "CCTV: What about the Global South?\n"
        f"Mao Ning: First paragraph of the answer. {QUOTE} More text.\n"
        "Second paragraph here.\n"
        "AFP: What about the trade talks with the United States?\n"
        "Mao Ning: We hope the talks go well and produce results for both sides.\n")
URL = "https://www.fmprc.gov.cn/eng/xw/t1.html"
NO_FILTERS = {"since": None, "until": None, "spokesperson": None, "outlet": None}


def make_source(text: str = TEXT, name: str = "s.txt", **changes) -> Source:
    return dataclasses.replace(parse_text(text, name), **changes)


def make_retriever(*sources: Source) -> Retriever:
    enc = FakeEncoder()
    chunks = []
    for s in sources:
        for c in chunk_source(s, ChunkParams(max_tokens=40)):
            chunks.append(dataclasses.replace(c, chunk_id=len(chunks)))
    vecs, table = table_for(chunks, enc)  # the sentence table, as an index built by ingest has
    index = assemble({"model": enc.name, "dims": enc.dims}, {s.source: s for s in sources}, chunks, vecs, table)
    return Retriever(index, enc)


def make_answer(src: Source, question: str = "Is China a member of the Global South?", quote: str = QUOTE) -> Answer:
    """The answer that quotes exactly ``quote``: a real search, its hit for the turn that holds the
    quote, and build_answer (so the citation's context, turn kind... come from the pipeline)."""
    result = make_retriever(src).search(question, k=5)
    hit = next(h for h in result.hits if quote in src.canonical[h.turn.start:h.turn.end])
    start = src.canonical.index(quote, hit.turn.start)
    return build_answer(result, [Quote(1, start, start + len(quote), quote, hit)], True)
