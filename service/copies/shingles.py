"""Syndicated copies: word shingles, MinHash LSH band keys and the exact copy verdict. Pure.

A wire story reprinted by several outlets is one origin. On ingest a body is cut into word
k-grams (`shingles`); its MinHash signature is cut into `BANDS` bands of `ROWS` rows and each
band is hashed to a signed 64-bit key (`band_keys`), stored as (document_id, band, key) rows.
Documents sharing at least one (band, key) with a new one are its candidates; each candidate is
then judged exactly on both shingle sets (`compare`).

Everything here is deterministic across processes and machines: the MinHash permutations come
from a fixed seed and scheme, element hashes are SHA-1 (datasketch's default) and band keys are
BLAKE2b of the band's values in a fixed byte order. Python's salted `hash()` is never used.
Changing `SHINGLE_K`, `NUM_PERM`, `BANDS`, `ROWS`, `MINHASH_SEED` or `MINHASH_SCHEME` changes
every key: stored band rows must then be recomputed.

The constants were chosen on the dev split of `python -m evals.copies` (dev articles only; the
test split was never used for tuning); see that module for the figures.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass

import numpy as np

#: Words per shingle. With the thresholds below, on dev (copies made with 16 seeds: 7,168 copy
#: pairs, 122,880 non-copy pairs) k = 3, 4, 5, 6, 7, 8 miss 4, 9, 19, 34, 46, 73 copy pairs
#: and accept 1, 0, 0, 0, 0, 0 non-copies. 5 rather than 4: the difference is 0.14 % of
#: copies, and longer shingles make stock phrases ("for the first time") rarer, so fewer
#: unrelated stories share a band key. Different stories on one topic share J <= 0.003 on dev
#: (the seeds, the harbour follow-up). Each edited word erases up to k shingles of a copy.
SHINGLE_K = 5

#: LSH layout: `BANDS` bands of `ROWS` MinHash values each (`NUM_PERM` = BANDS × ROWS).
#: A pair of Jaccard similarity J shares at least one band key with probability
#: 1 − (1 − J^ROWS)^BANDS. With 64 × 2: 0.99999+ at J = 0.5; 0.9995 at J = 1/3 (two bodies
#: of equal size at the containment threshold 0.5); 0.998 at 0.3; 0.984 at 0.25; 0.927 at
#: `COPY_MIN_SIMILARITY` (0.2). Different stories on one topic (J ≈ 0.003) collide with
#: probability ≈ 6e-4, bodies sharing some boilerplate or a quoted paragraph (J ≈ 0.02) ≈ 0.025:
#: candidates cost an exact check each. Three rows per band would cut those costs 40-fold or
#: more, but find pairs at J = 1/3 only 95 % of the time even with 80 bands. Dev copy pairs have
#: J >= 0.236 (16 seeds). Each document stores BANDS rows.
ROWS = 2
BANDS = 64
NUM_PERM = BANDS * ROWS
#: The MinHash permutation seed and scheme, fixed forever (see the module docstring).
MINHASH_SEED = 20_250_612
MINHASH_SCHEME = "affine32"

#: A body with fewer shingles than this (about 85 words, four or five sentences) is too short
#: to judge: it is never a copy and gets no band keys. Two items of a couple of sentences that
#: share one quote are mostly that quote, so containment alone cannot tell them from copies.
#: Set from that reasoning, not tuned (the shortest dev bodies, trimmed copies, have 92 or 93).
MIN_SHINGLES = 80
#: A pair is a copy when at least this share of the smaller body's shingles is in the other
#: (containment, |A ∩ B| / min(|A|, |B|)) and their Jaccard similarity is at least
#: `COPY_MIN_SIMILARITY`. Chosen on dev (evals/copies.py: copies with a new lede of one or two
#: paragraphs, a trimmed ending, a new headline, a few edited words, and combinations, copy
#: against original and copy against copy), over copies made with 16 seeds: containment >= 0.5
#: and J >= 0.2 miss 19 of 7,168 copy pairs and accept none of 122,880 non-copy pairs;
#: containment 0.45 misses 4 and accepts 3; 0.4 misses none and accepts 14. The missed copies
#: are short articles (130 to 175 words) cut by a third, edited and given a new lede, against
#: another such copy (containment down to 0.41). The hardest non-copies are short articles whose
#: new lede quotes two or three sentences of another short article (containment up to 0.62 with
#: J 0.13, or J up to 0.25 with containment 0.47).
COPY_MIN_CONTAINMENT = 0.5
#: ... a copy is mostly the same text. A long document that quotes half of a short one is not a
#: copy of it. The band-key lookup finds pairs at J = 0.2 with probability 0.93, and fewer
#: below (0.47 at J = 0.1; see BANDS): the verdict stops where the lookup is still reliable.
#: A reprint keeping less than about a fifth of a long original is therefore not a copy. With
#: containment alone (J >= 0), dev accepts 4 non-copies at 0.5 (and 25 at 0.45).
COPY_MIN_SIMILARITY = 0.2

_NON_WORD = re.compile(r"[\W_]+")


def words(body: str) -> list[str]:
    """The body's words, normalised: NFKD without accents, casefolded; punctuation,
    underscores and all whitespace folded to single word breaks."""
    decomposed = unicodedata.normalize("NFKD", body)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain.casefold()).split()


def kgrams(tokens: Sequence[str], k: int) -> set[bytes]:
    """Every run of `k` consecutive tokens, space-joined and UTF-8 encoded; empty when the
    sequence is shorter than `k`."""
    return {" ".join(tokens[i : i + k]).encode() for i in range(len(tokens) - k + 1)}


def shingles(body: str) -> set[bytes]:
    """The body's normalised word `SHINGLE_K`-grams."""
    return kgrams(words(body), SHINGLE_K)


def signature(shingle_set: Iterable[bytes], num_perm: int = NUM_PERM) -> np.ndarray:
    """The MinHash values (uint32) of a shingle set, with the fixed seed and scheme."""
    # Imported here: datasketch's package imports SciPy's integrators (for its LSH tuning,
    # unused here), 0.45 s of every process start that only the ingest of a body needs.
    from datasketch import MinHash

    minhash = MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    minhash.update_batch(sorted(shingle_set))
    values: np.ndarray = np.asarray(minhash.hashvalues, dtype=np.uint32)
    return values


def band_keys_with(shingle_set: Set[bytes], bands: int, rows: int) -> list[tuple[int, int]]:
    """`band_keys` for another layout (used by the evaluation's sweep)."""
    if len(shingle_set) < MIN_SHINGLES:
        return []
    values = signature(shingle_set, bands * rows).astype("<u4")
    keys = []
    for band in range(bands):
        digest = hashlib.blake2b(
            values[band * rows : (band + 1) * rows].tobytes(), digest_size=8
        ).digest()
        keys.append((band, int.from_bytes(digest, "little", signed=True)))
    return keys


def band_keys(shingle_set: Set[bytes]) -> list[tuple[int, int]]:
    """(band index, key) for each of the `BANDS` LSH bands of the set's MinHash signature.

    Keys are signed 64-bit integers (a Postgres BIGINT). A set smaller than `MIN_SHINGLES`
    is never a copy and gets no keys (an empty set would otherwise collide with every other
    empty set)."""
    return band_keys_with(shingle_set, BANDS, ROWS)


@dataclass(frozen=True)
class CopyScore:
    """Exact resemblance of two shingle sets.

    `similarity` is the Jaccard index |A ∩ B| / |A ∪ B|; `containment` is |A ∩ B| divided by
    the size of the smaller set (1.0 when one body is wholly inside the other); `is_copy` is
    the verdict: both bodies at least `MIN_SHINGLES`, containment at least
    `COPY_MIN_CONTAINMENT` and similarity at least `COPY_MIN_SIMILARITY`."""

    similarity: float
    containment: float
    is_copy: bool


def compare(a: Set[bytes], b: Set[bytes]) -> CopyScore:
    """Judge whether two bodies (as shingle sets) are copies of one another."""
    if not a or not b:
        return CopyScore(similarity=0.0, containment=0.0, is_copy=False)
    shared = len(a & b)
    smaller = min(len(a), len(b))
    similarity = shared / (len(a) + len(b) - shared)
    containment = shared / smaller
    is_copy = (
        smaller >= MIN_SHINGLES
        and containment >= COPY_MIN_CONTAINMENT
        and similarity >= COPY_MIN_SIMILARITY
    )
    return CopyScore(similarity=similarity, containment=containment, is_copy=is_copy)
