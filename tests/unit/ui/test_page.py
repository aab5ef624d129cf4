"""The conversation as data (rag/ui/page.py): replies rendered to chat messages and exported."""

from __future__ import annotations

from rag.ui import page
from rag.ui.backend import Notice, Reply
from rag.ui.cards import render_answer, user_bubble
from rag.ui.export import answer_markdown, conversation_markdown
from tests.unit.ui.answers import NO_FILTERS, make_answer, make_source


def test_chat_is_rendered_from_replies():
    src = make_source()
    answer = make_answer(src)
    replies = [Reply("<b>q</b>", NO_FILTERS, answer=answer, uid="u1"),
               Reply("bad", NO_FILTERS, notice=Notice("The “From” date must look like 2019-06-30"))]
    msgs = page.chat_messages(replies)
    assert [m["role"] for m in msgs] == ["user", "assistant", "user", "assistant"]
    assert msgs[0]["content"] == user_bubble("<b>q</b>") and "&lt;b&gt;" in msgs[0]["content"]
    assert msgs[1]["content"] == render_answer(answer, NO_FILTERS, "u1")[0]
    assert "ss-notice ss-error" in msgs[3]["content"] and "2019-06-30" in msgs[3]["content"]
    md = conversation_markdown([(r.answer, r.asked) for r in replies if r.answer])
    assert md.startswith("# Spokesperson Search: conversation export\n\n")
    assert answer_markdown(answer, NO_FILTERS) in md
