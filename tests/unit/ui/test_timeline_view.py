"""The page's timeline view (rag/ui/timeline_view.py) over a real Timeline of a fake-encoder index."""

from __future__ import annotations

import re

from rag.timeline import timeline
from rag.ui.timeline_view import render_timeline, timeline_markdown
from tests.unit.ui.answers import TEXT, make_retriever, make_source


def test_bars_link_to_period_lists_of_verbatim_statements():
    r = make_retriever(make_source(), make_source(TEXT.replace("July 26, 2023", "October 2, 2023"), "b.txt"))
    t = timeline(r, "Global South", threshold=0.0)
    assert t.total >= 2
    html = render_timeline(t, r.index, uid="u1")
    bars = re.findall(r'class="ss-bar ss-tl-bar ss-h(\d)" title="([^":]+): (\d+)', html)
    assert [(p, int(n)) for _, p, n in bars] == [(b.period, b.count) for b in t.buckets]
    for b in t.buckets:
        assert (f'id="ss-u1-p-{b.period}"' in html) == (b.count > 0)
    for s in t.statements:
        if s.date:
            assert r.index.sources[s.source].canonical[s.start:s.end] == s.quote
    assert "style=" not in html
    assert timeline_markdown(t).startswith("### Timeline: Global South")


def test_the_head_says_what_a_name_counts_and_when_it_is_too_common():
    from dataclasses import replace

    r = make_retriever(make_source(), make_source(TEXT.replace("July 26, 2023", "October 2, 2023"), "b.txt"))
    t = timeline(r, "Global South", threshold=0.0)
    named = render_timeline(replace(t, named_words=("Kovrig", "Spavor")), r.index, uid="u2")
    assert "or it names \u201cKovrig\u201d and \u201cSpavor\u201d" in named
    common = render_timeline(replace(t, named_words=(), common_words=("Hong Kong",), common_turns=95), r.index)
    assert re.search(r'class="ss-warn">\u201cHong Kong\u201d: named in 95 turns searched, too common', common)
