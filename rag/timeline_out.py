"""The views of a :class:`rag.timeline.Timeline`: the text of ``rag timeline``, its ``--json`` object, its ``--png``
chart, and the lines that say what a statement counted is.

    >>> quoted_words(("Kovrig", "Spavor"))
    '“Kovrig” and “Spavor”'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .errors import MissingDependency, RagError

if TYPE_CHECKING:
    from .timeline import Bucket, Timeline


def quoted_words(words: tuple[str, ...]) -> str:
    """``("Kovrig", "Spavor")`` -> ``“Kovrig” and “Spavor”``."""
    q = [f"\u201c{w}\u201d" for w in words]
    return q[0] if len(q) == 1 else ", ".join(q[:-1]) + " and " + q[-1]


def counts_what(t: Timeline) -> str:
    """What a statement counted by ``t`` is: "scoring at least 0.76", "… or naming “Kovrig” and “Spavor”"."""
    return f"scoring at least {t.threshold:g}" + (f" or naming {quoted_words(t.named_words)}" if t.named_words else "")


def common_note(t: Timeline) -> str:
    """Why a short question's name did not count every turn naming it ("Hong Kong" runs through the archive)."""
    return (f"{quoted_words(t.common_words)}: named in {t.common_turns} turn{'' if t.common_turns == 1 else 's'} "
            f"searched, too common in the archive to count each as a statement on it; only those scoring at least "
            f"{t.threshold:g} count (rag phrase lists every use).")


def to_json(t: Timeline) -> dict:
    """The ``rag timeline --json`` object: ``question``, ``unit``, ``threshold``, ``buckets`` (``period``,
    ``count``, ``turn_ids`` best first, ``transcripts`` searched), ``statements`` by turn id, then the
    ``filters`` applied, ``warnings``, the ``undated`` addressed turns (in no bucket) and the ``named_words`` whose
    turns count whatever their score (:mod:`rag.named`; empty when the rule does not apply)."""
    return {
        "question": t.question,
        "unit": t.unit,
        "threshold": t.threshold,
        "buckets": [{"period": b.period, "count": b.count, "turn_ids": list(b.turn_ids), "transcripts": b.transcripts}
                    for b in t.buckets],
        "statements": {s.turn_id: {"date": s.date, "spokesperson": s.spokesperson, "quote": s.quote,
                                   "start": s.start, "end": s.end, "source": s.source, "score": s.score,
                                   "named": s.named}
                       for s in t.statements},
        "filters": t.filters.to_dict(),
        "warnings": list(t.warnings),
        "undated": list(t.undated),
        "named_words": list(t.named_words),
        "common_words": list(t.common_words),
        "common_turns": t.common_turns,
    }


BAR_WIDTH = 50  # characters of the longest bar in the text view


def format_text(t: Timeline) -> str:
    """One line per period with a bar of ``#``; a run of periods with no transcripts is one line.

        2019-05   12  ############
        2020-08 – 2023-06      (no transcripts)
    """
    lines = [f"Warning: {w}" for w in t.warnings]
    f = ", ".join(f"{k} {v}" for k, v in t.filters.to_dict().items() if v)
    lines.append(f"\u201c{t.question}\u201d: {t.total} statement{'' if t.total == 1 else 's'} {counts_what(t)}, "
                 f"per {t.unit}" + (f" ({f})" if f else ""))
    if t.common_words:
        lines.append(common_note(t))
    top = max((b.count for b in t.buckets), default=0) or 1
    gap: list[Bucket] = []
    for b in (*t.buckets, None):
        if b is not None and b.transcripts == 0:
            gap.append(b)
            continue
        if gap:
            span = gap[0].period if len(gap) == 1 else f"{gap[0].period} \u2013 {gap[-1].period}"
            lines.append(f"{span:<8}       (no transcripts)")
            gap = []
        if b is not None:
            bar = "#" * (round(b.count / top * BAR_WIDTH) if b.count else 0)
            lines.append(f"{b.period:<8} {b.count:5}  {bar}".rstrip())
    if t.undated:
        lines.append(f"undated  {len(t.undated):5}  (date not established — in no bar)")
    if t.statements:
        lines += ["", "Best statements:"]
        lines += [f"  {s.date or 'undated'}  {s.spokesperson or 'unknown'}  \u201c{s.quote}\u201d  "
                  f"{s.source}:{s.start}-{s.end}" for s in t.statements[:5]]
    return "\n".join(lines)


def save_png(t: Timeline, path: str) -> None:
    """Draw the timeline as a bar chart (periods without transcripts shaded) into ``path``."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: a file only
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise MissingDependency("--png needs matplotlib: pip install -e '.[eval]'") from e
    periods = [b.period for b in t.buckets]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.18 * len(periods) + 2), 3.6), dpi=100)
    try:
        x = np.arange(len(periods))
        for i, b in enumerate(t.buckets):
            if b.transcripts == 0:
                ax.axvspan(i - 0.5, i + 0.5, color="0.92", lw=0)
        ax.bar(x, [b.count for b in t.buckets], color="#3b6ea5", width=0.8)
        step = max(1, len(periods) // 24)
        ax.set_xticks(x[::step], periods[::step], rotation=60, ha="right", fontsize=7)
        ax.set_xlim(-0.5, len(periods) - 0.5)
        ax.set_ylabel("statements")
        title = t.question if len(t.question) <= 80 else t.question[:77] + "..."
        what = counts_what(t).replace("at least ", "\u2265 ")
        ax.set_title(f"{title}\n{t.total} statements {what} per {t.unit}; "
                     "grey: no transcripts", fontsize=9)
        fig.tight_layout()
        fig.savefig(path, format="png")
    except OSError as e:
        raise RagError(f"cannot write {path}: {e}") from e
    finally:
        plt.close(fig)
