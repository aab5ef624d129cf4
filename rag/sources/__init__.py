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
``zh``              what the Chinese pages of both sites share: Chinese whitespace rules, title,
                    date, kind (conference / remarks / statement) and spokesperson of a page,
                    and :func:`~rag.sources.zh.parse_page`, driven by a layout's ``Layout``.
``fmprc_zh``        the older site's Chinese pages (fmprc.gov.cn, 2016-2020): where its parts are.
``mfa_zh``          the newer site's Chinese pages (www.mfa.gov.cn, 2020-): where its parts are.
``files``           which files to read, dispatch by suffix and page layout (English, older or
                    newer Chinese site, told apart by content), sidecar metadata and page URLs.
==================  ===========================================================================

The Chinese layouts turn their page into :class:`~rag.sources.segment.Para` objects with the
cleaning of :mod:`~rag.sources.decode` and call :func:`~rag.sources.segment.segment`, exactly as
``fmprc_en`` does. Chinese labels (``问``, ``答``, ``追问``, ``新华社记者``, the spokespersons'
Chinese names, ``会后有记者问及`` for questions after the briefing) are understood by
:mod:`~rag.sources.labels`; their sources have ``lang="zh"``.

This file holds constants only: importing the package parses nothing and loads no backend.
"""

# Bump whenever the canonical text or the turns of some input can change: the index stores it
# (and every file's hash includes it), so an index built by another parser version is refused
# with a hint to rebuild rather than mixing two parses.
# 3: HTML pages drop (and report) the same invisible/bidi characters as text files.
# 4: outlets stored under one canonical name (rag/sources/outlets.py).
# 5: Chinese pages of both sites parsed by their own layout (zh, fmprc_zh, mfa_zh; Source.lang).
PARSER_VERSION = 5
