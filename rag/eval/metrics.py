"""Turn-level metrics (by ``ir-measures``), the first relevant rank, and ``--min`` thresholds."""

from __future__ import annotations

from ..errors import QueryError
from .runs import QueryRun

# Display name -> ir-measures measure name. MRR@10 is RR@10 averaged over queries, MAP is AP.
# Success@k (a relevant turn in the top k) is reported beside R@k because R@k counts the share
# of *all* relevant turns: with several judged turns per query R@1 cannot reach 1.
MEASURES = {"nDCG@10": "nDCG@10", "R@1": "R@1", "R@10": "R@10", "R@100": "R@100", "MRR@10": "RR@10", "MAP": "AP",
            "Success@1": "Success@1", "Success@10": "Success@10"}
QUOTE_METRICS = ("quote_verbatim", "quote_top_relevant", "quote_found")


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
    aliases |= {m: m for m in QUOTE_METRICS} | {"mrr": "MRR@10", "ndcg": "nDCG@10"}
    key = name.strip().lower()
    if key not in aliases:
        raise QueryError(f"unknown metric {name!r} in --min; use one of {', '.join(list(MEASURES) + list(QUOTE_METRICS))}")
    return aliases[key]


def parse_min(spec: str, systems: list[str]) -> tuple[str | None, str, float]:
    """``"[SYSTEM:]METRIC=VALUE"`` -> (system or None, metric, value).

    >>> parse_min("bm25:mrr=0.5", ["bm25", "hybrid"])
    ('bm25', 'MRR@10', 0.5)
    """
    if "=" not in spec:
        raise QueryError(f"--min needs METRIC=VALUE (e.g. MRR@10=0.8), not {spec!r}")
    left, value = spec.rsplit("=", 1)
    system = None
    if ":" in left:
        system, left = left.split(":", 1)
        system = system.strip()
        if system not in systems:
            raise QueryError(f"--min {spec}: system {system!r} is not among --systems {','.join(systems)}")
    try:
        v = float(value)
    except ValueError:
        raise QueryError(f"--min {spec}: {value!r} is not a number") from None
    return system, _metric_name(left), v


def primary_system(systems: list[str]) -> str:
    """The system thresholds and the misses list refer to: hybrid, else the first one."""
    return "hybrid" if "hybrid" in systems else systems[0]


def check_thresholds(results: dict[str, dict], mins: list[tuple[str | None, str, float]]) -> list[dict]:
    """Every threshold with the measured value and whether it passed."""
    systems = list(results)
    out = []
    for system, metric, want in mins:
        s = system or primary_system(systems)
        r = results[s]
        got = r["metrics"].get(metric, (r.get("quote") or {}).get(metric))
        if got is None:
            raise QueryError(f"--min {metric}: not measured for {s} (quote metrics need bm25, dense or hybrid "
                             "and no --no-quote)")
        out.append({"system": s, "metric": metric, "min": want, "value": got, "ok": got + 1e-12 >= want})
    return out
