"""Sentence-embedding throughput: the service's NumPy encoder (service/linking/semantic.py)
against the same model, the same weights and the same tokenizer run by PyTorch on the same
cores, in this process.

PyTorch is the baseline only: `make bench` installs it in a venv of its own
(.data/bench-torch, the CPU build that lies on this machine's disk), and the baseline runs
there as a subprocess of this bench, one after the other on the same cores. It is never
installed beside the service: spaCy's thinc imports torch when it can, which cost every
worker seconds of start-up and hundreds of MB. Without that venv the baseline is skipped and
said so. The PyTorch forward pass is written here from the model's config (BERT:
embeddings, six layers of scaled-dot-product attention and a GELU feed-forward, mean
pooling), as Hugging Face's BertModel computes it; its vectors are checked against ours
before anything is timed.

The sentences are real: every sentence of the extraction eval's articles (tests/data), the
kind of text ingest embeds. Both sides tokenize and batch the same way (semantic.Encoder.encode:
sorted by token count, batched by padded size); only the forward pass differs. The gap that remains
is mostly the matrix products: NumPy's OpenBLAS against the oneMKL PyTorch is built with.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from service.linking import semantic

ROOT = Path(__file__).resolve().parent.parent
TORCH_PYTHON = ROOT / ".data" / "bench-torch" / "bin" / "python"


def _sentences() -> list[str]:
    # Imported here: the baseline's venv holds only torch, numpy and the tokenizer.
    from service.config import PROJECT_ROOT
    from service.extraction.segment import blocks, sentences

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
        out: np.ndarray = F.normalize(pooled, dim=1).numpy()
        return out

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


def _baseline(texts: list[str], model_dir: Path) -> tuple[float, np.ndarray, str] | None:
    """Sentences/s of the PyTorch baseline, its vectors of the first 64 texts and its version,
    from its own venv; None without it."""
    if not TORCH_PYTHON.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        given, got = Path(folder) / "texts.json", Path(folder) / "out.npz"
        given.write_text(json.dumps(texts), encoding="utf-8")
        subprocess.run(
            [
                str(TORCH_PYTHON),
                "-m",
                "bench.embedding",
                "--baseline",
                str(given),
                str(got),
                str(model_dir),
            ],
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            check=True,
        )
        with np.load(got) as found:
            return float(found["rate"]), found["vectors"], str(found["version"])


def _run_baseline(given: Path, got: Path, model_dir: Path) -> None:
    """In the baseline's venv: time the PyTorch forward pass and save what it found."""
    import torch

    texts = json.loads(given.read_text(encoding="utf-8"))
    encode = _torch_encoder(model_dir)
    assert encode is not None
    np.savez(
        got,
        rate=_rate(encode, texts),
        vectors=encode(texts[:64]),
        version=f"{torch.__version__}, {torch.get_num_threads()} threads",
    )


def main() -> float | None:
    texts = _sentences()
    model, model_dir = semantic.encoder(), semantic._model_dir()
    print(f"Sentence embeddings ({semantic.MODEL_NAME}), {len(texts)} real news sentences")
    if model is None or model_dir is None:
        print("  skipped: the model package is not installed (make install)")
        return None
    ours = _rate(model.encode, texts)
    print(f"  ours (NumPy)                   {ours:7.0f} sentences/s")
    baseline = _baseline(texts, model_dir)
    if baseline is None:
        print("  PyTorch baseline skipped: its venv is missing (make bench makes it)")
        return None
    theirs, vectors, version = baseline
    agree = float(np.min(np.sum(model.encode(texts[:64]) * vectors, axis=1)))
    print(f"  same vectors as PyTorch's: lowest cosine over 64 sentences {agree:.5f}")
    print(f"  PyTorch (baseline)             {theirs:7.0f} sentences/s  ({version})")
    ratio = ours / theirs
    print(f"  ours / PyTorch = {ratio:.2f}")
    return ratio


if __name__ == "__main__":
    if sys.argv[1:2] == ["--baseline"]:
        _run_baseline(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()
