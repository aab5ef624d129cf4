"""Retrieval evaluation (``rag eval``), one job per module; nothing is imported here.

- :mod:`~rag.eval.datasets`: reading a BEIR-style set (queries, qrels, fingerprints) and checking it against an index
- :mod:`~rag.eval.runs`: running the systems (:class:`~rag.eval.runs.QueryRun`) and writing TREC runs
- :mod:`~rag.eval.naive`: the common-recipe baseline (LangChain splitter, MiniLM, FAISS flat)
- :mod:`~rag.eval.metrics`: turn-level metrics by ir-measures, first relevant rank, ``--min`` thresholds
- :mod:`~rag.eval.quotes`: the quote check through :func:`rag.answer.ask`
- :mod:`~rag.eval.significance`: paired randomization and t-tests
- :mod:`~rag.eval.report`: terminal table, ``report.md`` and the chart
- :mod:`~rag.eval.pipeline`: ``evaluate(EvalConfig) -> dict``, the whole run
- :mod:`~rag.eval.cli`: the ``rag eval`` flags, exit codes and messages
"""
