"""Every Chinese page of the shared corpus, both site layouts, through ``parse_file`` (no model).

The pages live outside the repository (tests/paths.py). Without them the test is skipped, except
when ``CI=true``: there a missing corpus fails the run. Parsing all 1,991 pages takes a few seconds.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path

import pytest

from rag.records import Source
from rag.sources.files import collect_files, page_layout, parse_file, urls_for
from rag.sources.lexicon import SPOKESPERSONS
from rag.sources.zh import title_date
from tests.paths import CORPUS_EN, CORPUS_MFA_ZH, CORPUS_ZH, corpus_or_skip

# What the corpus holds (../shared/corpus/README.md): pages and regular press conferences per layout.
PAGES = {"fmprc_zh": 1000, "mfa_zh": 991}
CONFERENCES = {"fmprc_zh": 827, "mfa_zh": 826}
PERIODS = {"fmprc_zh": ("2016-11-01", "2020-07-31"), "mfa_zh": ("2020-09-01", "2024-04-30")}


def _corpus(path: Path) -> Path:
    return corpus_or_skip(path)


@pytest.fixture(scope="module")
def parsed() -> dict[str, list[tuple[str, Source]]]:
    """``{layout: [(layout the dispatcher chose, source)]}`` for every page, and the parse time."""
    files, problems = collect_files([_corpus(CORPUS_ZH), _corpus(CORPUS_MFA_ZH)])
    assert problems == []
    urls = urls_for(files)
    out: dict[str, list[tuple[str, Source]]] = {"fmprc_zh": [], "mfa_zh": []}
    t0 = time.perf_counter()
    for f in files:
        data = f.read_bytes()
        folder = "mfa_zh" if f.parent == CORPUS_MFA_ZH else "fmprc_zh"
        out[folder].append((page_layout(data), parse_file(f, data, urls=urls)))  # a TranscriptError fails the test
    assert time.perf_counter() - t0 < 60
    return out


def test_every_page_is_parsed_by_its_layout(parsed: dict[str, list[tuple[str, Source]]]) -> None:
    for folder, pages in parsed.items():
        assert len(pages) == PAGES[folder]
        assert Counter(layout for layout, _ in pages) == {folder: PAGES[folder]}
        assert all(src.lang == "zh" and src.url and src.turns for _, src in pages)


def test_conferences_have_date_spokesperson_and_turns(parsed: dict[str, list[tuple[str, Source]]]) -> None:
    total = 0
    for folder, pages in parsed.items():
        conf = [src for _, src in pages if src.kind == "conference"]
        assert len(conf) == CONFERENCES[folder]
        total += len(conf)
        lo, hi = PERIODS[folder]
        for src in conf:
            assert src.date == title_date(src.title) and not src.date_inferred, src.source
            assert lo <= src.date <= hi, src.source
            assert src.spokesperson in SPOKESPERSONS, src.source
        assert len({(s.date, s.spokesperson) for s in conf}) == len(conf)  # no conference twice
        assert statistics.median(len(s.turns) for s in conf) >= 8
        answers = [t for s in conf for t in s.turns if t.kind == "answer"]
        assert all(t.question for t in answers) and all(t.spokesperson in SPOKESPERSONS for t in answers)
        # The newer site names the outlet of every question; the older one from March 2020.
        named = sum(1 for t in answers if t.outlet) / len(answers)
        assert named > (0.95 if folder == "mfa_zh" else 0.05)
    assert total >= 1600


def test_other_pages_are_kept_with_their_kind(parsed: dict[str, list[tuple[str, Source]]]) -> None:
    kinds = Counter(src.kind for pages in parsed.values() for _, src in pages)
    assert set(kinds) == {"conference", "remarks", "statement"}
    assert kinds["remarks"] > 200 and kinds["statement"] > 40
    assert sum(1 for pages in parsed.values() for _, s in pages if s.kind != "conference" and s.date) == \
        sum(kinds.values()) - kinds["conference"]


def test_offsets_hold_for_every_turn(parsed: dict[str, list[tuple[str, Source]]]) -> None:
    n = 0
    for pages in parsed.values():
        for _, src in pages:
            for t in src.turns:
                assert src.canonical[t.start:t.end] == t.text and t.text.strip() == t.text != ""
                if t.question is not None:
                    assert src.canonical[t.question_start:t.question_end] == t.question
                n += 1
            assert "  " not in src.canonical and "\u3000" not in src.canonical  # layout whitespace is gone
    assert n > 17000  # measured: 17,480
    after = sum(t.after_conference for pages in parsed.values() for _, s in pages for t in s.turns)
    assert after > 50  # "会后有记者问及" (questions after the briefing)


def test_english_pages_still_go_to_the_english_parser() -> None:
    pages = sorted(_corpus(CORPUS_EN).glob("*.html"))
    assert len(pages) == 500 and {page_layout(p.read_bytes()) for p in pages} == {"fmprc_en"}
