"""The chat page of Spokesperson Search (Gradio Blocks), one job per module.

* :mod:`rag.ui.escape` -- untrusted text into HTML (:func:`~rag.ui.escape.esc`) and Markdown.
* :mod:`rag.ui.chips` -- the filters an answer was searched with, in words.
* :mod:`rag.ui.cards` -- the HTML of one :class:`~rag.records.Answer`: paragraphs with ``[n]`` links,
  citation cards, filter chips; notices and the question bubble.
* :mod:`rag.ui.export` -- Markdown of an answer and of a conversation, and the temp folder the
  conversation file is written to.
* :mod:`rag.ui.facts` -- corpus facts, the page header, example questions.
* :mod:`rag.ui.backend` -- :class:`~rag.ui.backend.Backend`: the index, the model, and the one path
  from a question to an answer that both the chat and the ``/ask_json`` API use.
* :mod:`rag.ui.assets` -- the page's title, CSS and JavaScript.
* :mod:`rag.ui.page` -- :func:`~rag.ui.page.build_page` and :func:`~rag.ui.page.launch`.

Every view renders from the typed answer (:class:`~rag.records.Answer`), never by looking the
citation up in the index again. Everything on the page that comes from a transcript is untrusted
text: it reaches HTML only through ``esc`` and links are made only from ``http(s)://`` URLs
(:func:`rag.cite.safe_url`). Only :mod:`rag.ui.page` imports Gradio, and lazily, so that
:func:`rag.embedding.set_offline_env` always runs first. Importing this package does nothing.
"""
