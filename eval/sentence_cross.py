"""Train the sentence cross-encoder (rag/sentence_cross.py) on the training pairs; never on a dev set.

    .venv/bin/python eval/sentence_cross.py --index INDEX --holdout 0     # fit on folds 1-4, report fold 0
    .venv/bin/python eval/sentence_cross.py --index INDEX                 # fit on every pair, write rag/data/

What ships is distilled from a teacher, the full fine-tune, made first (~29 min here) and then taught (~26 min):

    .venv/bin/python eval/sentence_cross.py --index INDEX --lists L.pkl --rank 0 --lr 3e-5 --teacher-out T.onnx
    .venv/bin/python eval/sentence_cross.py --index INDEX --lists L.pkl --teacher T.onnx

``--teacher`` takes several files (teachers trained alike, ``--seed`` apart): the student learns their mean.

INDEX is an index of seeds/ and ../shared/corpus/fmprc/en (the training turns live there). Each pair of
``eval/sentences_train/pairs.jsonl`` and ``pairs_round2.jsonl`` becomes one list: the question (as ``rag ask``
searches it) with the head's best ``k`` sentences of the labelled turn, the head scored *out of fold* (5 folds
by turn as in ``eval/sentence_head.py``, round-2 turns round 1 lacks numbered after them; the head and its query
map refitted per fold), so the lists look like what the head hands over at ask time on turns it never saw.
The JSON records the sha256 of the bundled weights the difference is from and the sha1 of the head (and map)
the lists were scored with; ``rag.sentence_cross`` refuses to run with another. The model is the bundled MiniLM with mean pooling and a
384 → 1 layer, fine-tuned listwise (softmax over the list, the gold sentences' probability maximised; a list
whose gold is not among the ``k`` gets its best-scored gold in place of the last) through low-rank adapters:
every weight matrix frozen, each linear layer of the encoder given a difference ``(alpha / rank) B A`` (rank 8,
alpha 16), biases and LayerNorms trained whole; AdamW, lr 3e-4, warm-up 10 % then linear decay, lists of 8 per
step, 2 epochs. What ships is then ~0.36 M numbers (< 1 MB) instead of a copy of the model. About 22 minutes on
2 cores (the lists take 2 more; ``--lists FILE`` keeps them for the next run).

With ``--holdout F`` the pairs of round-1 fold F (and round-2 pairs of those turns) are left out and the
report gives, on fold F: the head's top-1 (out of fold), the cross-encoder's among the head's best ``k``, and
the combined ``logit + w × cross`` for a few ``w`` (the model is written only to an ``--out`` given). Without
it, the model is written as its difference from the bundled weights (``rag/data/sentence_cross.npz``) and
``sentence_cross.json`` (``--weight``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sentence_head as SH  # noqa: E402

from rag.embedding import Embedder, model_path  # noqa: E402
from rag.retrieval import Retriever  # noqa: E402
from rag.sentence_cross import CROSS_VERSION, DEFAULT_PATH, MAX_PAIR_PIECES, PRECISIONS, combine, head_fingerprint  # noqa: E402
from rag.sentence_head import SentenceHead  # noqa: E402
from rag.sentence_head_fit import fit, fit_query_map  # noqa: E402
from rag.sentence_rank import FEATURES, SentenceRanker  # noqa: E402
from rag.store import load  # noqa: E402

LIST_K = 4
LISTS_PER_STEP = 8
RANK, ALPHA, LR = 8, 16.0, 3e-4  # the adapters' rank, their alpha (difference = alpha / rank × B A), the step size


def lists(index_dir: str) -> list[dict]:
    """One dict per training pair: search text, sentence texts, gold flags, out-of-fold head logits, fold."""
    index = load(Path(index_dir))
    rows = training_rows(index)
    for f in range(SH.FOLDS):
        h = fold_head(rows, f)
        for d in rows:
            if d["fold"] == f:
                d["oof"] = h.logit(d["x"], d["q"])
    for d in rows:
        del d["x"], d["q"], d["result"]
    return rows


def training_rows(index) -> list[dict]:  # noqa: ANN001 - store.Index
    """Each training pair with gold among its turn's sentences, searched as ``rag ask`` searches it: round,
    search text, turn id, feature rows, gold flags, question vector, sentence texts, the search result, fold."""
    r = Retriever(index, Embedder(index.manifest.get("dtype", "fp32")))
    ranker = SentenceRanker(index, head=SentenceHead(FEATURES, np.zeros(1), np.ones(1), np.zeros(1), 0.0))
    rows = []
    for rnd, path in ((1, SH.PAIRS), (2, SH.EXTRA)):
        for line in path.read_text(encoding="utf-8").splitlines():
            p = json.loads(line)
            text, units, x, res = SH.read_turn(r, ranker, p["query"], p["turn_id"])
            y = SH.gold_flags(units, [(g["start"], g["end"]) for g in p["gold"]])
            if not units or not y.any():
                continue
            canon = index.sources[index.turns[p["turn_id"]].source].canonical
            rows.append({"rnd": rnd, "text": text, "tid": p["turn_id"], "x": x, "y": y, "q": res.query_vector,
                         "texts": [canon[u.start:u.end] for u in units], "result": res})
    # Folds by turn in order of first appearance, round 1 first (its folds are eval/sentence_head.py's); the
    # round-2 turns round 1 lacks continue the numbering, so their lists are scored by a map that never saw them.
    order = {t: n for n, t in enumerate(dict.fromkeys([d["tid"] for d in rows if d["rnd"] == 1]
                                                       + [d["tid"] for d in rows]))}
    for d in rows:
        d["fold"] = order[d["tid"]] % SH.FOLDS
    return rows


def fold_head(rows: list[dict], f: int) -> SentenceHead:
    """The head and its query map without fold ``f``, as eval/sentence_head.py fits them (the head on round 1)."""
    r1 = [d for d in rows if d["rnd"] == 1 and d["fold"] != f]
    head = fit([d["x"] for d in r1], [d["y"] for d in r1], FEATURES, c=3.0)
    rest = [d for d in rows if d["fold"] != f]
    qmap = fit_query_map([d["x"] for d in rest], [d["y"] for d in rest], [d["q"] for d in rest],
                         [head.logit(d["x"]) for d in rest], lam=0.003)
    return replace(head, query_map=qmap)


def teacher_scores(rows: list[dict], onnx_files: list[str], k: int) -> None:
    """Each list's scores by larger cross-encoders (ONNX files with CrossScorer's inputs), as ``d["teacher"]``:
    with several files, the mean of their scores (an ensemble of teachers trained alike with other seeds)."""
    scores = onnx_scores(onnx_files)
    for d in rows:
        d["teacher"] = scores(d["text"], [d["texts"][j] for j in candidates(d, k, True)])


def onnx_scores(onnx_files: list[str]) -> Callable[[str, list[str]], np.ndarray]:
    """``scores(question, sentences)`` of cross-encoders written as ONNX files (``--teacher-out``; CrossScorer's
    inputs), the mean over the files; the pairs are encoded once for all of them."""
    from rag.onnx_model import session
    from rag.sentence_cross import encode_pairs, pair_tokenizer

    tok = pair_tokenizer()
    sessions = [session(Path(f), None) for f in onnx_files]

    def scores(question: str, sentences: list[str]) -> np.ndarray:
        ids, mask, types = encode_pairs(tok, question, sentences)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return np.mean([s.run(None, feed)[0] for s in sessions], axis=0)

    return scores


def candidates(d: dict, k: int, train: bool) -> list[int]:
    o = [int(i) for i in np.argsort(-d["oof"], kind="stable")[:k]]
    if train and not d["y"][o].any():
        o[-1] = int(max(np.flatnonzero(d["y"]), key=lambda i: d["oof"][i]))
    return o


def add_adapters(enc, rank: int, alpha: float) -> dict:  # noqa: ANN001 - transformers model
    """Freeze ``enc`` but its biases and LayerNorms and give every linear layer of its encoder a low-rank
    adapter: ``W x`` becomes ``W x + (alpha / rank) B A x`` with ``A`` (rank × in) random and ``B`` (out × rank)
    zero at the start, so training starts from the bundled model. Returns {weight name: adapter module}."""
    import torch

    class Adapted(torch.nn.Module):
        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base, self.scale = base, alpha / rank
            self.a = torch.nn.Parameter(torch.empty(rank, base.in_features))
            self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            torch.nn.init.kaiming_uniform_(self.a, a=5 ** 0.5)

        def forward(self, x):  # noqa: ANN001, ANN202
            return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale

    for name, p in enc.named_parameters():
        p.requires_grad_(name.endswith(".bias") or "LayerNorm" in name)
    enc.embeddings.word_embeddings.weight.requires_grad_(False)
    adapters = {}
    for name, mod in list(enc.encoder.named_modules()):
        if isinstance(mod, torch.nn.Linear):
            parent, _, leaf = f"encoder.{name}".rpartition(".")
            adapters[f"encoder.{name}.weight"] = ad = Adapted(mod)
            setattr(enc.get_submodule(parent), leaf, ad)
    return adapters


def merge_adapters(enc, adapters: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:  # noqa: ANN001
    """Put the plain linear layers back in ``enc`` (their weights untouched) and return each adapter as the
    factors of its weight difference: ``{weight name: (B × scale, A)}``, so the difference is ``B' @ A``."""
    factors = {}
    for wname, ad in adapters.items():
        parent, _, leaf = wname[: -len(".weight")].rpartition(".")
        setattr(enc.get_submodule(parent), leaf, ad.base)
        factors[wname] = ((ad.b.detach() * ad.scale).numpy(), ad.a.detach().numpy())
    return factors


def train(rows: list[dict], k: int, epochs: float, *, rank: int = RANK, alpha: float = ALPHA, lr: float = LR,
          seed: int = 0):  # noqa: ANN201 - (encoder, layer, score, adapters)
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(seed)
    rng = random.Random(seed)
    tok = AutoTokenizer.from_pretrained(model_path())
    enc = AutoModel.from_pretrained(model_path())
    head = torch.nn.Linear(384, 1)
    if rank:
        adapters = add_adapters(enc, rank, alpha)
    else:  # the full fine-tune of §11 (the teacher): every weight trained but the word-embedding table
        adapters = {}
        enc.embeddings.word_embeddings.weight.requires_grad_(False)
    params = [p for p in enc.parameters() if p.requires_grad] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    if len(rows) < LISTS_PER_STEP:
        raise SystemExit(f"{len(rows)} training lists: at least {LISTS_PER_STEP} are needed")
    steps = int(len(rows) / LISTS_PER_STEP * epochs)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm)))

    def score(pairs: list[tuple[str, str]]):  # noqa: ANN202
        b = tok([p[0] for p in pairs], [p[1] for p in pairs], truncation=True, max_length=MAX_PAIR_PIECES,
                padding=True, return_tensors="pt")
        h = enc(**b).last_hidden_state
        m = b["attention_mask"].unsqueeze(-1).float()
        return head((h * m).sum(1) / m.sum(1)).squeeze(-1)

    distil = "teacher" in rows[0]  # teacher_scores() gave every list its scores, or none
    order, step, run, t0 = list(rows), 0, 0.0, time.time()
    enc.train()
    while step < steps:
        rng.shuffle(order)
        for i in range(0, len(order) - LISTS_PER_STEP + 1, LISTS_PER_STEP):
            if step >= steps:
                break
            pairs, spans, ys, ts = [], [], [], []
            for d in order[i:i + LISTS_PER_STEP]:
                c = candidates(d, k, True)
                spans.append((len(pairs), len(c)))
                ys.append(d["y"][c] > 0)
                ts.append(d.get("teacher"))
                pairs += [(d["text"], d["texts"][j]) for j in c]
            s = score(pairs)
            if not distil:  # listwise: the gold sentences' softmax mass
                loss = sum(-torch.logsumexp(torch.log_softmax(s[a:a + n], 0)[torch.from_numpy(y)], 0)
                           for (a, n), y in zip(spans, ys, strict=True)) / len(spans)
            else:  # imitate the teacher: squared error of the scores, each list centred (only differences count)
                loss = sum(((s[a:a + n] - s[a:a + n].mean()) - torch.from_numpy(t - t.mean())).pow(2).mean()
                           for (a, n), t in zip(spans, ts, strict=True)) / len(spans)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            run, step = 0.98 * run + 0.02 * float(loss.detach()), step + 1
            if step % 100 == 0:
                print(f"  step {step}/{steps} loss {run:.3f} {time.time() - t0:.0f} s", flush=True)
    enc.eval()
    return enc, head, score, adapters


def pack(enc, head, factors: dict, out: Path, weight: float, k: int, info: dict,  # noqa: ANN001
         precision: str = "int8", skip_margin: float | None = None) -> None:
    """The fine-tuned model as its difference from the bundled weights: each adapted weight's difference as
    its two low-rank factors (float16), the biases' and LayerNorms' differences and the scoring layer (float32)."""
    from transformers import AutoModel

    base = AutoModel.from_pretrained(model_path()).state_dict()
    arrays = {}
    for name, p in enc.state_dict().items():
        d = (p.detach().float() - base[name].float()).numpy()
        if d.ndim == 2 and np.any(d):
            raise SystemExit(f"internal error: {name} changed outside its adapter")
        if d.ndim == 1 and np.any(d):
            arrays[f"m.{name}"] = d.astype(np.float32)
    for name, (b, a) in factors.items():
        arrays[f"m.{name}.b"], arrays[f"m.{name}.a"] = b.astype(np.float16), a.astype(np.float16)
    for name, p in head.state_dict().items():
        arrays[f"h.{name}"] = p.detach().float().numpy()
    delta = out.with_name(out.stem + ".npz")
    np.savez_compressed(delta, **arrays)
    sha1 = _sha1(delta)
    base = hashlib.sha256((Path(model_path()) / "model.safetensors").read_bytes()).hexdigest()
    out.write_text(json.dumps({"version": CROSS_VERSION, "k": k, "weight": weight, "skip_margin": skip_margin,
                               "precision": precision,
                               "delta": {"file": delta.name, "sha1": sha1}, "base": {"sha256": base},
                               "head": {"sha1": head_fingerprint()}, "info": info}, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {out} and {delta} ({delta.stat().st_size / 1e6:.2f} MB)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--holdout", type=int, default=None, help="leave out round-1 fold F and report on it")
    ap.add_argument("--k", type=int, default=LIST_K)
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--rank", type=int, default=RANK,
                    help=f"the adapters' rank (default {RANK}; 0: every weight but the word embeddings, a teacher)")
    ap.add_argument("--alpha", type=float, default=ALPHA, help=f"the adapters' alpha (default {ALPHA:g})")
    ap.add_argument("--lr", type=float, default=LR, help=f"step size (default {LR:g})")
    ap.add_argument("--weight", type=float, default=0.5, help="w of logit + w x cross (default 0.5, from --holdout 0)")
    ap.add_argument("--lists", default=None, help="keep the training lists in this pickle and read them from it "
                                                   "next time (they take minutes; refused when made with another index or head)")
    ap.add_argument("--teacher", nargs="+", default=None, help="ONNX cross-encoders whose (mean) scores the adapters "
                                                                "learn to reproduce (distillation) instead of the gold")
    ap.add_argument("--skip-margin", type=float, default=None,
                    help="no re-read when the head's best leads by more than this many logits (default: always "
                         "re-read; check a value for the new model with eval/cross_skip.py, sentence_head.md §18)")
    ap.add_argument("--seed", type=int, default=0, help="the seed of the initial weights and the list order (default 0)")
    ap.add_argument("--fraction", type=float, default=1.0, help="train on this share of the training turns (a "
                    "seeded draw by turn; with --holdout, for a learning curve; default 1)")
    ap.add_argument("--teacher-out", default=None, help="write the trained model as this ONNX file (fp32) to "
                    "distil from with --teacher, instead of shipping it (with --rank 0 --lr 3e-5: the teacher)")
    ap.add_argument("--precision", choices=PRECISIONS, default="int8",
                    help="how the shipped model runs (default int8: half the time, the fp32 pick for 97-98 %% of dev "
                         "top turns; eval/results/sentence_head.md §13)")
    ap.add_argument("--out", default=str(DEFAULT_PATH),
                    help="where to write the model (with --holdout: only when given, for held-out experiments)")
    args = ap.parse_args(argv)
    if not 0 < args.fraction <= 1:
        ap.error("--fraction must be in (0, 1]")
    if args.rank < 0:
        ap.error("--rank must be 0 (every weight, a teacher) or more (adapters)")
    if args.skip_margin is not None and not (np.isfinite(args.skip_margin) and args.skip_margin >= 0):
        ap.error("--skip-margin must be a number of logits >= 0")
    if args.teacher_out and args.rank:
        ap.error("--teacher-out writes a full fine-tune: give --rank 0 (and --lr 3e-5, the teacher's step size)")
    if args.rank == 0 and not args.teacher_out and args.holdout is None:
        ap.error("--rank 0 trains every weight, too large to ship: give --teacher-out T.onnx to distil from it")
    import torch

    torch.set_num_threads(2)
    made_with = {"index": str(Path(args.index).resolve()), "head": head_fingerprint()}
    if args.lists and Path(args.lists).is_file():
        kept = pickle.loads(Path(args.lists).read_bytes())
        if not isinstance(kept, dict) or kept.get("made_with") != made_with:
            raise SystemExit(f"{args.lists} was made with another index or sentence head: delete it")
        rows = kept["rows"]
    else:
        rows = lists(args.index)
        if args.lists:
            Path(args.lists).write_bytes(pickle.dumps({"made_with": made_with, "rows": rows}))
    if args.teacher:
        teacher_scores(rows, args.teacher, args.k)
    hold = [d for d in rows if args.holdout is not None and d["fold"] == args.holdout and d["rnd"] == 1]
    fit_rows = [d for d in rows if args.holdout is None or d["fold"] != args.holdout]
    if args.fraction < 1:  # whole turns, so a turn's two queries stay together
        turns = sorted({d["tid"] for d in fit_rows})
        keep = set(random.Random(0).sample(turns, round(args.fraction * len(turns))))
        fit_rows = [d for d in fit_rows if d["tid"] in keep]
    print(f"{len(fit_rows)} training lists, {len(hold)} held out; rank {args.rank}, alpha {args.alpha:g}, "
          f"lr {args.lr:g}, {args.epochs:g} epochs, seed {args.seed}")
    enc, head, score, adapters = train(fit_rows, args.k, args.epochs, rank=args.rank, alpha=args.alpha, lr=args.lr,
                                       seed=args.seed)
    if hold:
        with torch.inference_mode():
            res = []
            for d in hold:
                c = candidates(d, args.k, False)
                res.append((d["y"][c], d["oof"][c], score([(d["text"], d["texts"][j]) for j in c]).numpy()))
        print(f"fold {args.holdout}: head top-1 {np.mean([y[0] for y, _, _ in res]):.3f}, cross-encoder among the "
              f"head's best {args.k} {np.mean([y[int(np.argmax(c))] for y, _, c in res]):.3f}")
        for w in (0.25, 0.5, 1.0, 2.0):
            print(f"  logit + {w} x cross: {np.mean([y[int(np.argmax(combine(o, c, w)))] for y, o, c in res]):.3f}")
    if args.teacher_out:
        write_teacher(enc, head, Path(args.teacher_out))
        return 0
    if hold and args.out == str(DEFAULT_PATH):  # a held-out model is never shipped; written only where asked
        return 0
    if not adapters:  # --rank 0 --holdout F with an --out: nothing shippable to write
        raise SystemExit("--rank 0 trains every weight: too large to ship; give --teacher-out to distil from it")
    info = {"pairs": ["eval/sentences_train/pairs.jsonl", "eval/sentences_train/pairs_round2.jsonl"],
            "holdout": args.holdout, "fraction": args.fraction, "lists": len(fit_rows), "k": args.k, "epochs": args.epochs, "lr": args.lr,
            "adapters": {"rank": args.rank, "alpha": args.alpha}, "seed": args.seed,
            "teacher": _teacher_sha1s(args.teacher), "frozen": "every weight matrix (adapters instead)"}
    pack(enc, head, merge_adapters(enc, adapters), Path(args.out), args.weight, args.k, info, args.precision,
         args.skip_margin)
    return 0


def write_teacher(enc, head, out: Path) -> None:  # noqa: ANN001 - transformers encoder, torch.nn.Linear
    """The trained model as an ONNX file in fp32 with rag.sentence_cross's inputs (eager attention, as it exports)."""
    from transformers import AutoModel

    from rag.sentence_cross import cross_module, export_model

    eager = AutoModel.from_pretrained(model_path(), attn_implementation="eager").eval()
    eager.load_state_dict(enc.state_dict())
    export_model(cross_module(eager, head).eval(), out)
    print(f"wrote {out} (sha1 {_sha1(out)})")


def _teacher_sha1s(files: list[str] | None) -> str | list[str] | None:
    """The teachers' sha1s as the JSON records them: one file's as a string (as before ensembles), several as a list."""
    if not files:
        return None
    sums = [_sha1(Path(f)) for f in files]
    return sums[0] if len(sums) == 1 else sums


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    raise SystemExit(main())
