"""Sentence-embedding throughput: the service's NumPy encoder (service/linking/semantic.py)
against the same model, the same weights and the same tokenizer run by PyTorch on the same
cores, in this process.

PyTorch is the baseline only: `make bench` installs it (the `bench` extra, the CPU build that
lies on this machine's disk); the service never imports it. Without it the baseline is
skipped and said so. The PyTorch forward pass is written here from the model's config (BERT:
embeddings, six layers of scaled-dot-product attention and a GELU feed-forward, mean
pooling), as Hugging Face's BertModel computes it; its vectors are checked against ours
before anything is timed.

The sentences are real: every sentence of the extraction eval's articles (tests/data), the
kind of text ingest embeds. Both sides tokenize and batch the same way (semantic.Encoder.encode:
sorted by token count, BATCH at a time); only the forward pass differs. The gap that remains
is mostly the matrix products: NumPy's OpenBLAS against the oneMKL PyTorch is built with.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from service.config import PROJECT_ROOT
from service.extraction.segment import blocks, sentences
from service.linking import semantic


def _sentences() -> list[str]:
    out = []
    for split in ("dev", "test"):
        folder = PROJECT_ROOT / "tests" / "data" / "extraction" / split / "articles"
        for path in sorted(folder.iterdir()):
            body = path.read_text(encoding="utf-8")
            for block in blocks(body):
                out += [s.text for s in sentences(block) if len(s.text) > 20]
    return out


def _torch_encoder(model_dir: Any) -> Callable[[list[str]], np.ndarray] | None:
    try:
        import torch
        import torch.nn.functional as F  # noqa: N812
        from safetensors.torch import load_file
    except ImportError:
        return None
    from tokenizers import Tokenizer

    w = load_file(str(model_dir / "model.safetensors"))
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    heads, layers = int(config["num_attention_heads"]), int(config["num_hidden_layers"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(semantic.MAX_TOKENS)
    tokenizer.no_padding()

    def norm(x: Any, name: str) -> Any:
        return F.layer_norm(x, (x.shape[-1],), w[name + ".weight"], w[name + ".bias"], eps)

    def dense(x: Any, name: str) -> Any:
        return F.linear(x, w[name + ".weight"], w[name + ".bias"])

    @torch.inference_mode()
    def batch(tokens: list[list[int]]) -> np.ndarray:
        n, length = len(tokens), max(len(t) for t in tokens)
        ids = torch.zeros((n, length), dtype=torch.long)
        mask = torch.zeros((n, length), dtype=torch.float32)
        for row, sequence in enumerate(tokens):
            ids[row, : len(sequence)] = torch.tensor(sequence)
            mask[row, : len(sequence)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = norm(x, "embeddings.LayerNorm")
        size = x.shape[-1] // heads
        blocked = ((1.0 - mask) * -1e9)[:, None, None, :]

        def split(t: Any) -> Any:
            return t.view(n, length, heads, size).transpose(1, 2)

        for i in range(layers):
            p = f"encoder.layer.{i}."
            q = split(dense(x, p + "attention.self.query"))
            k = split(dense(x, p + "attention.self.key"))
            v = split(dense(x, p + "attention.self.value"))
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=blocked)
            ctx = ctx.transpose(1, 2).reshape(n, length, -1)
            x = norm(dense(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            hidden = F.gelu(dense(x, p + "intermediate.dense"))
            x = norm(dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=1).numpy()

    class Baseline:
        """Tokenized and batched exactly as ours (semantic.Encoder.encode); only the forward
        pass differs."""

        def __init__(self) -> None:
            self.tokenizer = tokenizer
            self._batch = batch

    runner = Baseline()

    def encode(texts: list[str]) -> np.ndarray:
        return semantic.Encoder.encode(runner, texts)  # type: ignore[arg-type]

    return encode


def _rate(fn: Callable[[list[str]], object], texts: list[str], rounds: int = 2) -> float:
    """Sentences a second: the best of a few full passes."""
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        fn(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def main() -> float | None:
    texts = _sentences()
    model = semantic.encoder()
    model_dir = semantic._model_dir()
    print(f"Sentence embeddings ({semantic.MODEL_NAME}), {len(texts)} real news sentences")
    if model is None or model_dir is None:
        print("  skipped: the model package is not installed (make install)")
        return None
    ours = _rate(model.encode, texts)
    print(f"  ours (NumPy)                   {ours:7.0f} sentences/s")
    baseline = _torch_encoder(model_dir)
    if baseline is None:
        print("  PyTorch baseline skipped: torch is not installed (make bench installs it)")
        return None
    import torch

    sample = texts[:64]
    agree = float(np.min(np.sum(model.encode(sample) * baseline(sample), axis=1)))
    print(f"  same vectors as PyTorch's: lowest cosine over 64 sentences {agree:.5f}")
    theirs = _rate(baseline, texts)
    print(
        f"  PyTorch {torch.__version__} (baseline)  {theirs:7.0f} sentences/s"
        f"  ({torch.get_num_threads()} threads)"
    )
    ratio = ours / theirs
    print(f"  ours / PyTorch = {ratio:.2f}")
    return ratio


if __name__ == "__main__":
    main()
