"""The Chinese transcripts: searched by words, quoted verbatim, cited in Chinese press style.

The bundled MiniLM model is English-only, so the ministry's Chinese pages are not embedded: they are
searched lexically (BM25 over words cut by a real Chinese segmenter, ``jieba``), which is also what a
Chinese reader expects of exact wording. One module per job:

==============  ===============================================================================
``tokens``      Chinese text to search tokens (``jieba`` words, or character bigrams to compare);
                whether a question is Chinese.
``timeparse``   Chinese time phrases ("2021年3月", "2023年") to a date range.
``index``       the Chinese part of an index: its sources, one BM25 document per turn, save/load.
``search``      a Chinese question to ranked turns, with date / spokesperson / outlet filters.
``quote``       the Chinese sentences of a turn that answer, as verbatim spans.
``answer``      the :class:`~rag.records.Answer` of a Chinese question, cited in Chinese press style.
==============  ===============================================================================

Importing the package loads no backend.
"""
