"""Turn-level metrics (by ``ir-measures``), the first relevant rank, and ``--min`` thresholds.

The names of every metric ``rag eval`` reports live here: turn metrics (:data:`MEASURES`), the
quote check's (:data:`QUOTE_METRICS`) and the sentence-level ones of each quote selector
(:data:`SENTENCE_METRICS`, computed in :mod:`rag.eval.quotes`).
"""

from __future__ import annotations

from ..errors import QueryError
from .runs import QueryRun

# Display name -> ir-measures measure name. MRR@10 is RR@10 averaged over queries, MAP is AP.
# Success@k (a relevant turn in the top k) is reported beside R@k because R@k counts the share
# of *all* relevant turns: with several judged turns per query R@1 cannot reach 1.
MEASURES = {"nDCG@10": "nDCG@10", "R@1": "R@1", "R@10": "R@10", "R@100": "R@100", "MRR@10": "RR@10", "MAP": "AP",
            "Success@1": "Success@1", "Success@10": "Success@10"}
QUOTE_METRICS = ("quote_verbatim", "quote_top_relevant", "quote_found")
# Quote selectors of rag.answer.ask compared at sentence level: the first sentence of each chosen
# turn, the sentences of the best chunk (the selector before issue 9), and the sentence selector.
SELECTORS = ("first", "chunk", "sentence")
SENTENCE_METRICS = ("quote_first_hit", "quote_any_hit", "passage_hit@1")


def _measures() -> dict[str, object]:
    import ir_measures

    return {label: ir_measures.parse_measure(name) for label, name in MEASURES.items()}


def evaluate_run(qrels: dict[str, dict[str, int]], runs: dict[str, QueryRun]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """``(aggregate, per_query)`` by ir-measures. Queries with no hits count as 0 everywhere."""
    import ir_measures

    measures = _measures()
    by_measure = {str(m): label for label, m in measures.items()}
    qrel_list = [ir_measures.Qrel(q, d, g) for q, docs in qrels.items() for d, g in docs.items()]
    run_list = [ir_measures.ScoredDoc(qid, doc, score)
                for qid, r in runs.items() if qid in qrels for doc, score in r.ranking]
    per_query: dict[str, dict[str, float]] = {qid: dict.fromkeys(MEASURES, 0.0) for qid in qrels}
    for m in ir_measures.iter_calc(list(measures.values()), qrel_list, run_list):
        per_query[m.query_id][by_measure[str(m.measure)]] = float(m.value)
    agg_raw = ir_measures.calc_aggregate(list(measures.values()), qrel_list, run_list) if run_list else {}
    agg = {}
    n_with_hits = len({s.query_id for s in run_list})
    for label, m in measures.items():
        v = float(agg_raw.get(m, 0.0))
        if 0 < n_with_hits < len(qrels):
            # Make sure queries without any hit count as zeros, whatever the provider does.
            v = sum(pq[label] for pq in per_query.values()) / len(qrels)
        agg[label] = v
    return agg, per_query


def first_relevant_rank(ranking: list[tuple[str, float]], rel: dict[str, int]) -> int | None:
    """1-based rank of the first turn judged relevant (grade > 0), None when there is none.

    >>> first_relevant_rank([("a:1", 0.9), ("a:2", 0.5)], {"a:2": 1})
    2
    """
    for r, (doc, _s) in enumerate(ranking, start=1):
        if rel.get(doc, 0) > 0:
            return r
    return None


# ---------------------------------------------------------------------------
# Thresholds (--min)


def _metric_name(name: str) -> str:
    aliases = {k.lower(): k for k in MEASURES} | {v.lower(): k for k, v in MEASURES.items()}
    aliases |= {m: m for m in QUOTE_METRICS + SENTENCE_METRICS} | {"mrr": "MRR@10", "ndcg": "nDCG@10",
                                                                     "passage_hit": "passage_hit@1"}
    key = name.strip().lower()
    if key not in aliases:
        known = list(MEASURES) + list(QUOTE_METRICS) + list(SENTENCE_METRICS)
        raise QueryError(f"unknown metric {name!r} in --min; use one of {', '.join(known)}")
    return aliases[key]


def parse_min(spec: str, systems: list[str]) -> tuple[str | None, str, float]:
    """``"[SYSTEM:]METRIC=VALUE"`` or ``"[SELECTOR:]METRIC=VALUE"`` -> (system/selector or None, metric, value).

    Turn and quote metrics take a system prefix; the sentence-level metrics (quote_first_hit,
    quote_any_hit, passage_hit@1, measured on hybrid) take a quote selector instead.

    >>> parse_min("bm25:mrr=0.5", ["bm25", "hybrid"])
    ('bm25', 'MRR@10', 0.5)
    >>> parse_min("sentence:quote_first_hit=0.75", ["hybrid"])
    ('sentence', 'quote_first_hit', 0.75)
    """
    if "=" not in spec:
        raise QueryError(f"--min needs METRIC=VALUE (e.g. MRR@10=0.8), not {spec!r}")
    left, value = spec.rsplit("=", 1)
    scope = None
    if ":" in left:
        scope, left = left.split(":", 1)
        scope = scope.strip()
    metric = _metric_name(left)
    if metric in SENTENCE_METRICS:
        if scope is not None and scope not in SELECTORS:
            raise QueryError(f"--min {spec}: {metric} is measured per quote selector; prefix one of "
                             f"{', '.join(SELECTORS)} (e.g. sentence:{metric}=0.75), not {scope!r}")
    elif scope is not None and scope not in systems:
        raise QueryError(f"--min {spec}: system {scope!r} is not among --systems {','.join(systems)}")
    try:
        v = float(value)
    except ValueError:
        raise QueryError(f"--min {spec}: {value!r} is not a number") from None
    return scope, metric, v


def primary_system(systems: list[str]) -> str:
    """The system thresholds and the misses list refer to: hybrid, else the first one."""
    return "hybrid" if "hybrid" in systems else systems[0]


def primary_selector(selectors: list[str]) -> str:
    """The selector a sentence threshold without prefix refers to: sentence, else the last one run."""
    return "sentence" if "sentence" in selectors else selectors[-1]


def check_thresholds(results: dict[str, dict], mins: list[tuple[str | None, str, float]],
                     sentences: dict | None = None) -> list[dict]:
    """Every threshold with the measured value and whether it passed.

    ``sentences`` is the ``sentences`` section of the payload (sentence-level metrics per
    selector); its thresholds name the selector too.
    """
    systems = list(results)
    out = []
    for system, metric, want in mins:
        if metric in SENTENCE_METRICS:
            measured = (sentences or {}).get("selectors") or {}
            sel = system or (primary_selector(list(measured)) if measured else "sentence")
            if sel not in measured:
                raise QueryError(f"--min {sel}:{metric}: not measured (sentence metrics need SET/sentences.jsonl, "
                                 "hybrid among --systems, the selector among --selectors and no --no-quote)")
            got = measured[sel][metric]
            out.append({"system": (sentences or {}).get("system", "hybrid"), "selector": sel, "metric": metric,
                        "min": want, "value": got, "ok": got + 1e-12 >= want})
            continue
        s = system or primary_system(systems)
        r = results[s]
        got = r["metrics"].get(metric, (r.get("quote") or {}).get(metric))
        if got is None:
            raise QueryError(f"--min {metric}: not measured for {s} (quote metrics need bm25, dense or hybrid "
                             "and no --no-quote)")
        out.append({"system": s, "metric": metric, "min": want, "value": got, "ok": got + 1e-12 >= want})
    return out
