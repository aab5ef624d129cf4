"""The backend (rag/ui/backend.py): one path for the chat and the API, messages for every error."""

from __future__ import annotations

import pytest

from rag.answer import answer_question, to_json
from rag.records import Source
from rag.retrieval import make_filters
from rag.ui import page
from rag.ui.backend import Backend, friendly_error
from rag.ui.facts import corpus_facts, header_html
from tests.unit.ui.answers import make_retriever, make_source


def test_friendly_errors():
    from rag.errors import QueryError

    with pytest.raises(QueryError) as e:
        make_filters(since="2023-13-45")
    msg = friendly_error(e.value)
    assert "--since" not in msg and "YYYY-MM-DD" in msg and msg.startswith("The “From” date")
    with pytest.raises(QueryError) as e:
        make_filters(since="2024-01-02", until="2023-01-01")
    assert friendly_error(e.value).startswith("The “From” date (2024-01-02) is after the “To” date")


def test_backend_without_index_explains_how_to_build(tmp_path):
    b = Backend(tmp_path / "missing")
    assert b.start() is None
    assert b.problem and "no index" in b.problem and b.wait_ready(0)
    r = b.reply("What about the SCO?")
    assert r.answer is None and r.notice.kind == "setup"
    html_out = page.render_reply(r)
    assert "rag ingest" in html_out and "ss-setup" in html_out
    assert b.ask_json("What about the SCO?") == {"error": b.problem}
    header = header_html(corpus_facts(None), b.problem, b.index_dir)
    assert "rag ingest seeds/ --index" in header


def _ready_backend(tmp_path, *sources: Source) -> Backend:
    b = Backend(tmp_path)
    b.retriever = make_retriever(*sources)
    b.index = b.retriever.index
    b._ready.set()
    return b


def test_chat_and_api_share_one_path(tmp_path):
    src = make_source()
    b = _ready_backend(tmp_path, src)
    r = b.reply("Is China a member of the Global South?", " 2023-07-01 ", "", "", None)
    assert r.notice is None and r.asked["since"] == "2023-07-01" and r.answer.filters["since"] == "2023-07-01"
    assert b.ask_json("Is China a member of the Global South?", "2023-07-01") == to_json(r.answer)
    assert to_json(r.answer) == to_json(answer_question(b.retriever, "Is China a member of the Global South?",
                                                        filters=make_filters("2023-07-01")))
    # Bad input: the same message in the chat and from the API.
    for args in (("Global South", "2023-13-45"), ("Global South", "2024-01-02", "2023-01-01"), ("   ",),
                 ("x" * 5000,)):
        chat, api = b.reply(*args), b.ask_json(*args)
        assert chat.answer is None and chat.notice.kind == "error"
        assert api == {"error": chat.notice.message}
    assert b.reply("Global South", "2023-13-45").notice.message.startswith("The “From” date")


def test_chat_survives_unexpected_errors(tmp_path, monkeypatch):
    b = _ready_backend(tmp_path, make_source())

    def boom(*a, **kw):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(b.retriever, "search", boom)
    r = b.reply("Global South")
    assert r.answer is None and "server log" in r.notice.message and "fire" not in r.notice.message
    with pytest.raises(RuntimeError):  # the API reports it as an error event instead
        b.ask_json("Global South")


def test_api_and_chat_take_the_thread(tmp_path):
    b = _ready_backend(tmp_path, make_source())
    thread = ["Is China a member of the Global South?"]
    out = b.ask_json("And in July 2023?", context=thread)
    assert out["followup"] is True and out["understood_as"] == "Is China a member of the Global South? July 2023"
    assert out == to_json(b.reply("And in July 2023?", context=thread).answer)
    assert b.ask_json("And in July 2023?", context="not a list") == {
        "error": "context must be a list of earlier questions (strings), oldest first"}
    assert b.ask_json("And in July 2023?")["followup"] is False


def test_the_page_follows_a_new_build_without_a_restart(tmp_path, monkeypatch):
    """rag sync / rag ingest switch the live build; the next question is answered from it."""
    from rag import store
    from rag.ingest import ingest
    from rag.retrieval import Retriever
    from tests.fakes import FakeEncoder, make_transcript

    monkeypatch.setattr("rag.ingest.MODEL_NAME", FakeEncoder.name)
    monkeypatch.setattr("rag.embedding.MODEL_NAME", FakeEncoder.name)
    enc, idx, src = FakeEncoder(), tmp_path / "idx", tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(make_transcript([("CCTV", "Taiwan is part of China.")],
                                               header="Regular Press Conference on March 1, 2024\n"))
    ingest([src], idx, encoder_factory=lambda: enc)
    b = Backend(idx)
    b.index = store.load(idx)
    b.retriever = Retriever(b.index, enc)
    b._ready.set()
    assert b.follow_switch() is False  # nothing new
    (src / "b.txt").write_text(make_transcript([("AFP", "The SCO summit in Tianjin was a success.")],
                                               header="Regular Press Conference on March 2, 2024\n"))
    ingest([src], idx, encoder_factory=lambda: enc)
    r = b.reply("What about the SCO summit in Tianjin?")
    assert "b.txt" in b.index.sources and b.retriever.index is b.index
    assert r.answer.citations and r.answer.citations[0].source == "b.txt"
