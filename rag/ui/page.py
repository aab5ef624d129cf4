"""The Blocks page (:func:`build_page`) and serving it (:func:`launch`).

The conversation is kept per session in a ``gr.State`` as data: the list of :class:`Reply` records
(each with its typed :class:`~rag.records.Answer`, the form's filters and its element-id prefix) and
the name of the session's export file. The chat's HTML and the Markdown file are rendered from that
list, so the two can never disagree. Gradio is imported lazily, after
:func:`rag.embedding.set_offline_env`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from ..answer import ORDERS, reorder
from ..phrases import quoted_phrase
from .assets import COPY_JS, CSS, SCROLL_JS, TITLE
from .backend import Backend, Reply
from .cards import render_answer, render_notice, user_bubble
from .export import ExportFolder, conversation_markdown
from .facts import corpus_facts, example_questions, header_html

log = logging.getLogger("rag.ui")


def render_reply(reply: Reply, order: str = "relevance") -> str:
    """The chat HTML of one reply: the answer with its cards (statements in ``order``), or the notice."""
    if reply.view_html is not None:
        return reply.view_html
    if reply.answer is not None:
        return render_answer(reorder(reply.answer, order), reply.asked, reply.uid)[0]
    n = reply.notice
    return render_notice(n.message, n.kind, n.command) if n else ""


def chat_messages(replies: list[Reply], order: str = "relevance") -> list[dict]:
    """The Chatbot's messages for a conversation: the question bubble, then the reply, for each turn."""
    out: list[dict] = []
    for r in replies:
        out += [{"role": "user", "content": user_bubble(r.question)},
                {"role": "assistant", "content": render_reply(r, order)}]
    return out


def empty_state() -> dict:
    """A new conversation: no replies, no export file yet, statements by relevance."""
    return {"replies": [], "file": None, "order": "relevance"}


def thread(replies: list[Reply]) -> list[str]:
    """The earlier questions a new question may lean on: those that got an answer, oldest first."""
    return [r.question for r in replies if r.answer is not None]


def build_page(backend: Backend):  # noqa: ANN201 - gr.Blocks, imported lazily
    """The Blocks page. Call :func:`rag.embedding.set_offline_env` first (done here too)."""
    from ..embedding import set_offline_env

    set_offline_env()
    import gradio as gr

    facts = corpus_facts(backend.index if not backend.problem else None)
    examples = example_questions(backend.index, 6) if not backend.problem else []
    exports = ExportFolder()  # removed at exit; one file per conversation, overwritten after each answer

    def export(new_state: dict) -> Any:
        """Write the conversation's Markdown (statements in the chosen order); the download button's update."""
        items = [r.view_md if r.view_md is not None else (reorder(r.answer, new_state["order"]), r.asked)
                 for r in new_state["replies"] if r.answer is not None or r.view_md is not None]
        if not items:
            return gr.update()
        path = Path(new_state["file"] or exports.new_file())
        path.write_text(conversation_markdown(items), encoding="utf-8")
        new_state["file"] = str(path)
        return gr.update(value=str(path), visible=True)

    def standalone_button(new_state: dict) -> Any:
        last = next((r for r in reversed(new_state["replies"]) if r.answer is not None), None)
        return gr.update(visible=bool(last and last.answer.followup))

    def run(question: str, since: str, until: str, spokesperson: str | None, outlet: str | None,
            read_question: bool, state: dict, *, alone: bool = False) -> tuple[list, str, Any, dict, Any]:
        question = question or ""
        order = state.get("order", "relevance")
        if not question.strip():
            return chat_messages(state["replies"], order), question, gr.update(), state, gr.update()
        t0 = time.perf_counter()
        context = [] if alone or not read_question else thread(state["replies"])
        phrase = quoted_phrase(question) if read_question else None
        if phrase:  # "...": every verbatim use of the phrase, not an answer
            reply = backend.phrase(question, phrase, since, until, spokesperson, outlet)
        else:
            reply = backend.reply(question, since, until, spokesperson, outlet, read_question=read_question,
                                  context=context)
        log.info("answered in %.3f s: %r", time.perf_counter() - t0, question[:80])
        new_state = {**state, "replies": state["replies"] + [reply], "order": order}
        download = export(new_state) if reply.answer is not None or reply.view_md is not None else gr.update()
        return (chat_messages(new_state["replies"], order), "", download, new_state,
                standalone_button(new_state))

    def run_alone(since: str, until: str, spokesperson: str | None, outlet: str | None, read_question: bool,
                  state: dict) -> tuple[list, str, Any, dict, Any]:
        """"Ask this on its own": the last follow-up again, without the thread."""
        last = next((r for r in reversed(state["replies"]) if r.answer is not None), None)
        if last is None:
            return chat_messages(state["replies"], state.get("order", "relevance")), "", gr.update(), state, \
                gr.update(visible=False)
        a = last.asked
        return run(last.question, a.get("since") or "", a.get("until") or "", a.get("spokesperson"),
                   a.get("outlet"), read_question, state, alone=True)

    def show_timeline(state: dict) -> tuple[list, str, Any, dict, Any]:
        """The timeline of the last answered question (as searched: a follow-up's topic included)."""
        order = state.get("order", "relevance")
        last = next((r for r in reversed(state["replies"]) if r.answer is not None), None)
        if last is None:
            return chat_messages(state["replies"], order), "", gr.update(), state, gr.update()
        reply = backend.timeline(last.answer.understood_as or last.question, last.asked)
        new_state = {**state, "replies": state["replies"] + [reply]}
        download = export(new_state) if reply.view_md is not None else gr.update()
        return chat_messages(new_state["replies"], order), "", download, new_state, standalone_button(new_state)

    def set_order(order: str, state: dict) -> tuple[list, Any, dict]:
        new_state = {**state, "order": order if order in ORDERS else "relevance"}
        return chat_messages(new_state["replies"], new_state["order"]), export(new_state), new_state

    def run_example(since: str, until: str, spokesperson: str | None, outlet: str | None, read_question: bool,
                    state: dict, evt: gr.SelectData) -> tuple[list, str, Any, dict, Any]:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        return run(value.get("text", ""), since, until, spokesperson, outlet, read_question, state)

    # Gradio finds the event-data parameter by its annotation; make it a real class, not a string.
    run_example.__annotations__["evt"] = gr.SelectData

    def clear(state: dict) -> tuple[list, dict, Any, Any]:
        if state and state.get("file"):  # the old conversation's export is not needed any more
            Path(state["file"]).unlink(missing_ok=True)
        return [], {**empty_state(), "order": (state or {}).get("order", "relevance")}, \
            gr.update(value=None, visible=False), gr.update(visible=False)

    def clear_filters() -> tuple[str, str, None, None, bool]:
        return "", "", None, None, True

    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        state = gr.State(empty_state())
        gr.HTML(header_html(facts, backend.problem, backend.index_dir), elem_id="ss-header", js_on_load=None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=7, min_width=420):
                chatbot = gr.Chatbot(
                    value=[], elem_id="ss-chat", show_label=False, height="72vh", min_height=420, layout="panel",
                    autoscroll=False,
                    render_markdown=False, sanitize_html=True, latex_delimiters=[], allow_tags=False,
                    buttons=[], feedback_options=None, group_consecutive_messages=False,
                    placeholder=("Ask what the spokesperson said. Answers are exact quotes from the "
                                 "transcripts, each with a citation card." if not backend.problem else
                                 "No index to search yet: build one with the command shown above."),
                    examples=[{"text": q} for q in examples] or None,
                )
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        show_label=False, placeholder="e.g. What did China say about the Global South?",
                        lines=1, max_lines=6, scale=8, elem_id="ss-question", autofocus=True, container=False)
                    ask_btn = gr.Button("Ask", variant="primary", scale=1, min_width=90, elem_id="ss-ask")
                with gr.Row():
                    alone_btn = gr.Button("Ask the last question on its own (not as a follow-up)", size="sm",
                                          visible=False, elem_id="ss-alone")
                    timeline_btn = gr.Button("Timeline of the last question", size="sm", elem_id="ss-timeline")
            with gr.Column(scale=3, min_width=260, elem_id="ss-side"):
                gr.Markdown("#### Filters")
                since = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="e.g. 2023-01-01", elem_id="ss-since")
                until = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="e.g. 2023-12-31", elem_id="ss-until")
                spokesperson = gr.Dropdown(choices=facts["spokespersons"], value=None, label="Spokesperson",
                                           allow_custom_value=True, elem_id="ss-spokesperson")
                outlet = gr.Dropdown(choices=facts["outlets"], value=None, label="Asked by (outlet)",
                                     allow_custom_value=True, elem_id="ss-outlet")
                read_q = gr.Checkbox(value=True, label="Read dates and names in the question as filters",
                                     elem_id="ss-read-question")
                gr.HTML('<p class="ss-hint">Filters apply to the next question and are shown with each answer. '
                        'A date (“in July 2023”) or a spokesperson named in the question narrows the search '
                        'when the filters above leave it open; an outlet named in it ranks that outlet’s '
                        'questions first. Untick the box to search the words only.</p>', js_on_load=None)
                reset_btn = gr.Button("Clear filters", size="sm", elem_id="ss-clear-filters")
                gr.Markdown("#### Conversation")
                order = gr.Radio(choices=[("Most relevant first", "relevance"), ("Newest first", "newest"),
                                          ("Oldest first", "oldest")], value="relevance",
                                 label="Order of statements", elem_id="ss-order")
                download = gr.DownloadButton("Download conversation (.md)", visible=False, size="sm",
                                             elem_id="ss-download")
                new_btn = gr.Button("New conversation", size="sm", elem_id="ss-new")

        inputs = [question, since, until, spokesperson, outlet, read_q, state]
        outputs = [chatbot, question, download, state, alone_btn]
        # The page's own handler stays out of the API description: Gradio inlines that description
        # in the page even for a reader who has not logged in (--auth), and it would list the
        # Dropdowns' choices, i.e. the index's spokespeople and outlets. Scripts use /ask_json.
        gr.on([question.submit, ask_btn.click], run, inputs=inputs, outputs=outputs, api_name="ask",
              api_visibility="private", concurrency_limit=4, concurrency_id="ask", show_progress="minimal"
              ).then(None, js=SCROLL_JS, api_visibility="private")
        chatbot.example_select(run_example, inputs=inputs[1:], outputs=outputs, concurrency_id="ask",
                               api_visibility="private").then(None, js=SCROLL_JS, api_visibility="private")
        alone_btn.click(run_alone, inputs=inputs[1:], outputs=outputs, concurrency_id="ask",
                        api_visibility="private").then(None, js=SCROLL_JS, api_visibility="private")
        timeline_btn.click(show_timeline, inputs=[state], outputs=outputs, concurrency_id="ask",
                           api_visibility="private").then(None, js=SCROLL_JS, api_visibility="private")
        order.change(set_order, inputs=[order, state], outputs=[chatbot, download, state], api_visibility="private")
        new_btn.click(clear, inputs=[state], outputs=[chatbot, state, download, alone_btn], api_visibility="private")
        chatbot.clear(clear, inputs=[state], outputs=[chatbot, state, download, alone_btn], api_visibility="private")
        reset_btn.click(clear_filters, outputs=[since, until, spokesperson, outlet, read_q], api_visibility="private")
        # The same answers as `rag ask --json`, for scripts (and eval/loadtest.py): /gradio_api/call/ask_json
        gr.api(backend.ask_json, api_name="ask_json", concurrency_limit=4, concurrency_id="ask")
    return demo


def launch(demo, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None) -> None:  # noqa: ANN001
    """Serve the page locally: never a share link, no analytics, no monitoring endpoint, no MCP."""
    import gradio as gr

    # Gradio 6 takes theme/css/js in launch(). The Default theme's text font is served by the app itself
    # (LocalFont), so the page makes no request to a font CDN; monospace (only Gradio's progress timer
    # uses it) comes from the system, which spares a font download on the first question.
    theme = gr.themes.Default(primary_hue="blue", neutral_hue="slate",
                              font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"])
    demo.queue(default_concurrency_limit=4)
    demo.launch(server_name=host, server_port=port, share=False, auth=auth, inbrowser=False,
                show_error=False, enable_monitoring=False, mcp_server=False, pwa=False, ssr_mode=False,
                run_history=False, footer_links=["api", "settings"], strict_cors=True,
                theme=theme, css=CSS, js=COPY_JS)
