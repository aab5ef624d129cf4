"""``rag sync``: keep the index current from the ministry's press-conference listings.

One job per module; each imports only the ones above it in this list:

==============  ===========================================================================================
``listing``     a listing page's article links (with dates) and its pagination, read by content
``robots``      what a host's ``robots.txt`` allows this crawler
``fetch``       the polite HTTP client: pacing, retries with backoff, conditional requests, removed pages
``page``        whether a fetched page holds a transcript body
``store``       the data folder: atomic raw pages, ``pages.tsv``, listing answers, the per-listing frontier
``run``         one run: walk the listings, fetch and store what is new, ingest it, the summary
``cli``         the ``rag sync`` arguments and the printed summary (``rag/cli.py`` registers it)
==============  ===========================================================================================

From Python (the CLI does the same)::

    >>> from rag.sync.run import SyncOptions, sync                                # doctest: +SKIP
    >>> report = sync(SyncOptions(langs=("en",), data="data", index="index"))    # doctest: +SKIP
    >>> report.listings_read, len(report.new), report.exit_code                  # doctest: +SKIP
    (1, 1, 0)

Importing the package loads nothing: the modules are imported by the CLI when ``rag sync`` runs.
"""
