import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.answer import CLOSE, OPEN, build_answer, human_date, to_json
from rag.chunking import ChunkParams, chunk_source
from rag.quoting import select_quotes
from rag.records import Source
from rag.retrieval import Retriever
from rag.sentences import table_for
from rag.sources.text import parse_text
from rag.store import assemble
from tests.fakes import FakeEncoder

WORDS = ["Taiwan", "tariffs", "U.S.", "Mr.", "“independence”", "<script>alert(1)</script>", "peace", "No.", "3",
         "china’s", "e.g.", "word", "?", "!", "…", "한국", "中国", "\u200b", "A:", "Q:"]
sentence = st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), st.sampled_from(".?!")).map(
    lambda t: " ".join(t[0]) + t[1])
answer = st.lists(st.lists(sentence, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=3)
outlet = st.sampled_from(["CCTV", "AFP", "Global Times", "The Paper", "Associated Press of Pakistan"])


def _index(sources: list[Source], enc: FakeEncoder):
    chunks = []
    for s in sources:
        for c in chunk_source(s, ChunkParams(max_tokens=40)):
            chunks.append(c.__class__(len(chunks), *list(c.__dict__.values())[1:]))
    vecs, table = table_for(chunks, enc)
    manifest = {"model": enc.name, "dims": 384}
    return assemble(manifest, {s.source: s for s in sources}, chunks, vecs, table)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns=st.lists(st.tuples(outlet, answer), min_size=1, max_size=5),
       question=st.text(alphabet=string.ascii_letters + " ?", min_size=1, max_size=40).filter(str.strip)
       | st.sampled_from(WORDS))
def test_every_quote_and_chunk_is_canonical_text_at_its_offsets(turns, question):
    lines = []
    for o, paras in turns:
        lines.append(f"{o}: What about it?")
        lines.append("Mao Ning: " + paras[0])
        lines.extend(paras[1:])
    src = parse_text("\n".join(lines), "prop.txt")
    enc = FakeEncoder()
    index = _index([src], enc)
    for c in index.chunks:
        assert src.canonical[c.start:c.end] == c.text
    r = Retriever(index, enc)
    res = r.search(question, k=5)
    quotes = select_quotes(res, enc, min_dense=-1.0)
    assert quotes, "with min_dense=-1 the top hit always yields a quote"
    for q in quotes:
        assert q.hit.source.canonical[q.start:q.end] == q.text
        assert q.hit.turn.start <= q.start < q.end <= q.hit.turn.end
    out = to_json(build_answer(res, quotes, True))
    for c in out["citations"]:
        assert src.canonical[c["start"]:c["end"]] == c["quote"]
        assert f"{OPEN}{c['quote']}{CLOSE} [{c['n']}]" in out["answer"]
    for h in out["hits"]:
        assert src.canonical[h["start"]:h["end"]] == h["text"]


def test_not_found_names_range_and_count():
    src = parse_text("China FO Presser - March 3, 2020\nCCTV: Q?\nMao Ning: Pandas are cute.\n", "p.txt")
    enc = FakeEncoder()
    r = Retriever(_index([src], enc), enc)
    res = r.search("quantum chromodynamics lattice")
    assert select_quotes(res, enc) == []
    text = build_answer(res, [], False).text
    assert text.startswith("Not found") and "1 transcript(s)" in text and "2020-03-03" in text
    assert OPEN not in text  # nothing in quotation marks when nothing is quoted


def test_human_date():
    assert human_date("2023-07-06") == "6 July 2023"
    assert human_date(None) is None
