"""Train the sentence cross-encoder (rag/sentence_cross.py) on the training pairs; never on a dev set.

    .venv/bin/python eval/sentence_cross.py --index INDEX --holdout 0     # fit on folds 1-4, report fold 0
    .venv/bin/python eval/sentence_cross.py --index INDEX                 # fit on every pair, write rag/data/

INDEX is an index of seeds/ and ../shared/corpus/fmprc/en (the training turns live there). Each pair of
``eval/sentences_train/pairs.jsonl`` and ``pairs_round2.jsonl`` becomes one list: the question (as ``rag ask``
searches it) with the head's best ``k`` sentences of the labelled turn, the head scored *out of fold* (5 folds
by turn as in ``eval/sentence_head.py``, round-2 turns round 1 lacks numbered after them; the head and its query
map refitted per fold), so the lists look like what the head hands over at ask time on turns it never saw.
The JSON records the sha256 of the bundled weights the difference is from and the sha1 of the head (and map)
the lists were scored with; ``rag.sentence_cross`` refuses to run with another. The model is the bundled MiniLM with mean pooling and a
384 → 1 layer, fine-tuned listwise (softmax over the list, the gold sentences' probability maximised; a list
whose gold is not among the ``k`` gets its best-scored gold in place of the last) with AdamW, lr 3e-5,
warm-up 10 % then linear decay, lists of 8 per step, 2 epochs, the word-embedding table frozen (so the
shipped difference from the bundled weights is 11M numbers, not 23M). About 20 minutes on 2 cores.

With ``--holdout F`` the pairs of round-1 fold F (and round-2 pairs of those turns) are left out and the
report gives, on fold F: the head's top-1 (out of fold), the cross-encoder's among the head's best ``k``, and
the combined ``logit + w × cross`` for a few ``w``. Without it, the model is written as its difference from
the bundled weights (``rag/data/sentence_cross.npz``) and ``sentence_cross.json`` (``--weight``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sentence_head as SH  # noqa: E402

from rag.embedding import Embedder, model_path  # noqa: E402
from rag.retrieval import Retriever  # noqa: E402
from rag.sentence_cross import CROSS_VERSION, DEFAULT_PATH, head_fingerprint  # noqa: E402
from rag.sentence_head import SentenceHead  # noqa: E402
from rag.sentence_head_fit import fit, fit_query_map  # noqa: E402
from rag.sentence_rank import FEATURES, SentenceRanker  # noqa: E402
from rag.store import load  # noqa: E402
from rag.text import bm25_tokens  # noqa: E402

LIST_K = 4
LISTS_PER_STEP = 8


def lists(index_dir: str) -> list[dict]:
    """One dict per training pair: search text, sentence texts, gold flags, out-of-fold head logits, fold."""
    index = load(Path(index_dir))
    r = Retriever(index, Embedder(index.manifest.get("dtype", "fp32")))
    ranker = SentenceRanker(index, head=SentenceHead(FEATURES, np.zeros(1), np.ones(1), np.zeros(1), 0.0))
    rows = []
    for rnd, path in ((1, SH.PAIRS), (2, SH.EXTRA)):
        for line in path.read_text(encoding="utf-8").splitlines():
            p = json.loads(line)
            res = r.search(p["query"], k=10)
            text = res.intent.search_text if res.intent else res.question
            units, x = ranker.features(p["turn_id"], text, res.query_vector, bm25_tokens(text))
            gold = [(g["start"], g["end"]) for g in p["gold"]]
            y = np.array([any(u.start <= s and e <= u.end for s, e in gold) for u in units], dtype=float)
            if not units or not y.any():
                continue
            canon = index.sources[index.turns[p["turn_id"]].source].canonical
            rows.append({"rnd": rnd, "text": text, "tid": p["turn_id"], "x": x, "y": y, "q": res.query_vector,
                         "texts": [canon[u.start:u.end] for u in units]})
    # Folds by turn in order of first appearance, round 1 first (its folds are eval/sentence_head.py's); the
    # round-2 turns round 1 lacks continue the numbering, so their lists are scored by a map that never saw them.
    order = {t: n for n, t in enumerate(dict.fromkeys([d["tid"] for d in rows if d["rnd"] == 1]
                                                       + [d["tid"] for d in rows]))}
    for d in rows:
        d["fold"] = order[d["tid"]] % SH.FOLDS
    folds = np.array([d["fold"] for d in rows])
    r1 = [i for i, d in enumerate(rows) if d["rnd"] == 1]
    for f in range(SH.FOLDS):  # the head and its map without fold f, as eval/sentence_head.py fits them
        head = fit([rows[i]["x"] for i in r1 if folds[i] != f], [rows[i]["y"] for i in r1 if folds[i] != f],
                   FEATURES, c=3.0)
        rest = [i for i in range(len(rows)) if folds[i] != f]
        qmap = fit_query_map([rows[i]["x"] for i in rest], [rows[i]["y"] for i in rest], [rows[i]["q"] for i in rest],
                             [head.logit(rows[i]["x"]) for i in rest], lam=0.003)
        h = replace(head, query_map=qmap)
        for i, d in enumerate(rows):
            if folds[i] == f:
                d["oof"] = h.logit(d["x"], d["q"])
    for d in rows:
        del d["x"], d["q"]
    return rows


def candidates(d: dict, k: int, train: bool) -> list[int]:
    o = [int(i) for i in np.argsort(-d["oof"], kind="stable")[:k]]
    if train and not d["y"][o].any():
        o[-1] = int(max(np.flatnonzero(d["y"]), key=lambda i: d["oof"][i]))
    return o


def train(rows: list[dict], k: int, epochs: float, seed: int = 0):  # noqa: ANN201 - (encoder, layer, score)
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(seed)
    rng = random.Random(seed)
    tok = AutoTokenizer.from_pretrained(model_path())
    enc = AutoModel.from_pretrained(model_path())
    head = torch.nn.Linear(384, 1)
    enc.embeddings.word_embeddings.weight.requires_grad_(False)
    params = [p for p in enc.parameters() if p.requires_grad] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=3e-5, weight_decay=0.01)
    if len(rows) < LISTS_PER_STEP:
        raise SystemExit(f"{len(rows)} training lists: at least {LISTS_PER_STEP} are needed")
    steps = int(len(rows) / LISTS_PER_STEP * epochs)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm)))

    def score(pairs: list[tuple[str, str]]):  # noqa: ANN202
        b = tok([p[0] for p in pairs], [p[1] for p in pairs], truncation=True, max_length=128, padding=True,
                return_tensors="pt")
        h = enc(**b).last_hidden_state
        m = b["attention_mask"].unsqueeze(-1).float()
        return head((h * m).sum(1) / m.sum(1)).squeeze(-1)

    order, step, run, t0 = list(rows), 0, 0.0, time.time()
    enc.train()
    while step < steps:
        rng.shuffle(order)
        for i in range(0, len(order) - LISTS_PER_STEP + 1, LISTS_PER_STEP):
            if step >= steps:
                break
            pairs, spans, ys = [], [], []
            for d in order[i:i + LISTS_PER_STEP]:
                c = candidates(d, k, True)
                spans.append((len(pairs), len(c)))
                ys.append(d["y"][c] > 0)
                pairs += [(d["text"], d["texts"][j]) for j in c]
            s = score(pairs)
            loss = sum(-torch.logsumexp(torch.log_softmax(s[a:a + n], 0)[torch.from_numpy(y)], 0)
                       for (a, n), y in zip(spans, ys, strict=True)) / len(spans)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            run, step = 0.98 * run + 0.02 * float(loss.detach()), step + 1
            if step % 100 == 0:
                print(f"  step {step}/{steps} loss {run:.3f} {time.time() - t0:.0f} s", flush=True)
    enc.eval()
    return enc, head, score


def pack(enc, head, out: Path, weight: float, k: int, info: dict) -> None:  # noqa: ANN001
    """The fine-tuned weights as their difference from the bundled ones (int8 per row + scale for 2-D)."""
    from transformers import AutoModel

    base = AutoModel.from_pretrained(model_path()).state_dict()
    arrays = {}
    for name, p in enc.state_dict().items():
        d = (p.detach().float() - base[name].float()).numpy()
        if not np.any(d):
            continue
        if d.ndim == 2:
            scale = np.abs(d).max(axis=1) / 127.0
            scale[scale == 0] = 1.0
            arrays[f"m.{name}.q"] = np.round(d / scale[:, None]).astype(np.int8)
            arrays[f"m.{name}.scale"] = scale.astype(np.float32)
        else:
            arrays[f"m.{name}"] = d.astype(np.float32)
    for name, p in head.state_dict().items():
        arrays[f"h.{name}"] = p.detach().float().numpy()
    delta = out.with_name(out.stem + ".npz")
    np.savez_compressed(delta, **arrays)
    sha1 = hashlib.sha1(delta.read_bytes()).hexdigest()
    base = hashlib.sha256((Path(model_path()) / "model.safetensors").read_bytes()).hexdigest()
    out.write_text(json.dumps({"version": CROSS_VERSION, "k": k, "weight": weight,
                               "delta": {"file": delta.name, "sha1": sha1}, "base": {"sha256": base},
                               "head": {"sha1": head_fingerprint()}, "info": info}, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {out} and {delta} ({delta.stat().st_size / 1e6:.1f} MB)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--holdout", type=int, default=None, help="leave out round-1 fold F and report on it")
    ap.add_argument("--k", type=int, default=LIST_K)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--weight", type=float, default=0.5, help="w of logit + w x cross (default 0.5, from --holdout 0)")
    ap.add_argument("--out", default=str(DEFAULT_PATH))
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(2)
    rows = lists(args.index)
    hold = [d for d in rows if args.holdout is not None and d["fold"] == args.holdout and d["rnd"] == 1]
    fit_rows = [d for d in rows if args.holdout is None or d["fold"] != args.holdout]
    print(f"{len(fit_rows)} training lists, {len(hold)} held out")
    enc, head, score = train(fit_rows, args.k, args.epochs)
    if hold:
        with torch.inference_mode():
            res = []
            for d in hold:
                c = candidates(d, args.k, False)
                res.append((d["y"][c], d["oof"][c], score([(d["text"], d["texts"][j]) for j in c]).numpy()))
        print(f"fold {args.holdout}: head top-1 {np.mean([y[0] for y, _, _ in res]):.3f}, cross-encoder among the "
              f"head's best {args.k} {np.mean([y[int(np.argmax(c))] for y, _, c in res]):.3f}")
        for w in (0.25, 0.5, 1.0, 2.0):
            print(f"  logit + {w} x cross: {np.mean([y[int(np.argmax(o + w * c))] for y, o, c in res]):.3f}")
        return 0
    info = {"pairs": ["eval/sentences_train/pairs.jsonl", "eval/sentences_train/pairs_round2.jsonl"],
            "lists": len(fit_rows), "k": args.k, "epochs": args.epochs, "lr": 3e-5, "frozen": "word embeddings"}
    pack(enc, head, Path(args.out), args.weight, args.k, info)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
