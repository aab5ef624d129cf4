"""Parsers by source: transcript files in, :class:`~rag.records.Source` records out.

Every parser ends the same way: it hands cleaned paragraphs to the shared segmenter, which
joins them into the source's *canonical text* and records each question/answer turn as
offsets into it (``canonical[turn.start:turn.end] == turn.text``).

One module per job; each imports only the modules above it in this list:

==================  ===========================================================================
``lexicon``         spokespersons (romanised and Chinese names), months, dates, outlet words.
                    Imports no parser, so asking (:mod:`rag.timeparse`) may use it.
``outlets``         one canonical name per news outlet (aliases, Chinese names), outlets named
                    in free text. Imports no parser, so asking may use it.
``decode``          bytes to text (UTF-8, UTF-16 with BOM, detected legacy encodings, the
                    charset an HTML page declares) and the one rule for invisible and control
                    characters that every parser applies.
``labels``          which ``LABEL:`` opens a question or an answer; after-conference notes;
                    separators.
``segment``         the turn segmenter: paragraphs to canonical text and turns.
``text``            seed-style plain text (one label per line) and ``NAME.meta.json`` sidecars.
``fmprc_en``        the ministry's older-site English HTML pages; duplicate pages and missing
                    years across a folder of them.
``files``           which files to read, dispatch by suffix, sidecar metadata and page URLs.
==================  ===========================================================================

Room for the Chinese layouts: a ``fmprc_zh`` (older site) or ``mfa_zh`` (current site) module
turns its page into :class:`~rag.sources.segment.Para` objects with the cleaning of
:mod:`~rag.sources.decode` and calls :func:`~rag.sources.segment.segment`, exactly as
``fmprc_en`` does; :func:`~rag.sources.files.parse_file` then picks it by suffix or layout.
Chinese labels (``问``, ``答``, ``新华社记者``, the spokespersons' Chinese names) are already
understood by :mod:`~rag.sources.labels`.

This file holds constants only: importing the package parses nothing and loads no backend.
"""

# Bump whenever the canonical text or the turns of some input can change: the index stores it
# (and every file's hash includes it), so an index built by another parser version is refused
# with a hint to rebuild rather than mixing two parses.
# 3: HTML pages drop (and report) the same invisible/bidi characters as text files.
# 4: outlets stored under one canonical name (rag/sources/outlets.py).
PARSER_VERSION = 4
