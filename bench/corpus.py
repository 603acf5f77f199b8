"""A bench corpus whose words behave like news: the default of `make bench` (BENCH_CORPUS=news).

The first bench corpus repeated the seeds' 340 sentences about 3,000 times each in five
documents of 200,000 claims: no word was rare, and no document was of a real size, so the
lexical candidate step and the "own document" allowance of the vector search measured the
corpus more than the design. That corpus stays as the worst case (BENCH_CORPUS=repeat).

This one is generated, reproducibly (fixed seeds), from what packages ship:

- **Words** follow English frequencies: wordfreq's 30,000 most frequent alphabetic English
  words, drawn in proportion to their frequency (Zipf's law, as in running text), so most
  tokens are common and most word *types* are rare.
- **Stories**: 3,000 topics, each with 12 content words (frequency ranks 1,500-30,000) and
  three names (Faker: a person, a city, a company). A document covers one topic, topics
  drawn by a Zipf law (a few big stories covered by many outlets, a long tail covered once);
  a sentence draws 15 % of its words from its topic, and names, figures ("4.2 million",
  "37 percent", "$12 billion") and dates ("March 3") are mixed in.
- **Documents** of 40 claims (real articles carry 20-60), from 300 outlets, dated over three
  years with each topic's documents close in time; 5,000 speakers (Faker names, used by a
  Zipf law), 40 % of claims without one.
- **Vectors** are not computed sentence by sentence (a million MiniLM passes take hours on
  two cores): each vocabulary word and each name is embedded once by the service's encoder,
  and a claim's vector is the normalised rarity-weighted sum of its words' vectors plus a
  little noise. Claims sharing rare words are near, as real ones are; it is an
  approximation of the model's geometry, not the model.

The sentences are not grammatical. Nothing here is used for quality figures, only for
timing the SQL and the index at scale.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import cast

import numpy as np

from service.linking import semantic

VOCABULARY = 30_000
TOPICS = 3_000
TOPIC_WORDS = 12
CLAIMS_PER_DOCUMENT = 40
OUTLETS = 300
SPEAKERS = 5_000
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Claim:
    text: str
    start: int
    end: int
    speaker: int | None
    checkworthiness: float
    vector: bytes | None


@dataclass(frozen=True)
class Document:
    outlet: int
    title: str
    published_on: date
    body: str
    claims: list[Claim]


class NewsCorpus:
    def __init__(self, seed: int = 7, cache: Path | None = None) -> None:
        import wordfreq
        from faker import Faker

        self.rng = np.random.default_rng(seed)
        words = [w for w in wordfreq.top_n_list("en", VOCABULARY * 2) if w.isalpha()]
        self.words = words[:VOCABULARY]
        freq = np.array([wordfreq.word_frequency(w, "en") for w in self.words])
        self.p = freq / freq.sum()
        # Rarity weights for vectors: the most common words carry almost nothing.
        self.idf = np.maximum(0.0, -np.log(freq / freq.max()) - 1.0).astype(np.float32)
        fake = Faker("en_US")
        fake.seed_instance(seed)
        outlets: dict[str, str] = {}  # outlet names are unique, whatever their case
        while len(outlets) < OUTLETS:
            name = f"{fake.city()} {fake.random_element(_PAPERS)}"
            outlets.setdefault(name.lower(), name)
        self.outlets = list(outlets.values())
        self.speakers = [fake.name() for _ in range(SPEAKERS)]
        self.topics = []
        for _ in range(TOPICS):
            ranks = self.rng.integers(1_500, VOCABULARY, TOPIC_WORDS)
            names = [fake.name(), fake.city(), fake.company()]
            self.topics.append(([int(r) for r in ranks], names))
        self.names = sorted({n for _, names in self.topics for n in names})
        self.name_index = {n: i for i, n in enumerate(self.names)}
        self.word_vectors, self.name_vectors = self._vectors(cache)
        start = date(2023, 1, 1)
        self.topic_day = [
            start + timedelta(days=int(d)) for d in self.rng.integers(0, 3 * 365, TOPICS)
        ]

    def _vectors(self, cache: Path | None) -> tuple[np.ndarray, np.ndarray]:
        key = hashlib.sha256("\n".join(self.words + self.names).encode()).hexdigest()[:12]
        path = cache / f"corpus-vectors-{key}.npz" if cache else None
        if path and path.exists():
            with np.load(path) as found:
                return found["words"], found["names"]
        words = semantic.embed(self.words)
        names = semantic.embed(self.names)
        if words is None or names is None:
            raise SystemExit(f"{semantic.MODEL_NAME} is not installed (make install)")
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, words=words, names=names)
        return words, names

    def _figure(self) -> str:
        kind = self.rng.integers(0, 5)
        if kind == 0:
            return f"{self.rng.integers(2, 99)}.{self.rng.integers(0, 9)} million"
        if kind == 1:
            return f"{self.rng.integers(1, 99)} percent"
        if kind == 2:
            return f"${self.rng.integers(1, 40)} billion"
        if kind == 3:
            return f"{self.rng.integers(1, 9)},{self.rng.integers(100, 999)}"
        return f"{MONTHS[self.rng.integers(0, 12)]} {self.rng.integers(1, 29)}"

    def _sentence(self, topic: int) -> tuple[str, np.ndarray]:
        ranks, names = self.topics[topic]
        length = int(np.clip(round(self.rng.normal(22, 7)), 8, 45))
        general = self.rng.choice(VOCABULARY, size=length, p=self.p)
        tokens: list[str] = []
        vector = np.zeros(semantic.DIM, dtype=np.float32)
        for position in range(length):
            draw = self.rng.random()
            if draw < 0.15:
                rank = ranks[self.rng.integers(0, TOPIC_WORDS)]
            elif draw < 0.19:
                name = names[self.rng.integers(0, 3)]
                tokens.append(name)
                vector += 6.0 * self.name_vectors[self.name_index[name]]
                continue
            elif draw < 0.22:
                tokens.append(self._figure())
                continue
            else:
                rank = int(general[position])
            tokens.append(self.words[rank])
            vector += self.idf[rank] * self.word_vectors[rank]
        text = " ".join(tokens)
        return text[:1].upper() + text[1:] + ".", vector

    def documents(self, n_claims: int) -> Iterator[Document]:
        topic_p = 1.0 / np.arange(1, TOPICS + 1) ** 1.1
        topic_p /= topic_p.sum()
        speaker_p = 1.0 / np.arange(1, SPEAKERS + 1)
        speaker_p /= speaker_p.sum()
        made = 0
        while made < n_claims:
            topic = int(self.rng.choice(TOPICS, p=topic_p))
            count = min(CLAIMS_PER_DOCUMENT, n_claims - made)
            parts, claims, at = [], [], 0
            for _ in range(count):
                text, raw = self._sentence(topic)
                worthy = float(self.rng.beta(2.0, 2.0))
                vector = None
                if worthy >= 0.5:
                    raw = raw + self.rng.normal(0.0, 0.02 * float(np.linalg.norm(raw)), raw.shape)
                    unit = raw / max(1e-6, float(np.linalg.norm(raw)))
                    vector = semantic.to_bytes(cast(semantic.Vector, unit))
                speaker = (
                    int(self.rng.choice(SPEAKERS, p=speaker_p)) if self.rng.random() < 0.6 else None
                )
                claims.append(Claim(text, at, at + len(text), speaker, round(worthy, 3), vector))
                parts.append(text)
                at += len(text) + 1
            made += count
            day = self.topic_day[topic] + timedelta(days=int(self.rng.integers(-3, 4)))
            yield Document(
                outlet=int(self.rng.integers(0, OUTLETS)),
                title=" ".join(claims[0].text.split()[:8]),
                published_on=day,
                body="\n".join(parts),
                claims=claims,
            )


_PAPERS = ["Herald", "Tribune", "Gazette", "Courier", "Post", "Daily", "Observer", "Ledger"]


def vocabulary_check() -> dict[str, float]:
    """How the generated words are spread (printed by the builder): the share of word types
    seen once, and of tokens among the 100 most common words."""
    corpus = NewsCorpus(seed=11)
    counts: dict[str, int] = {}
    for doc in corpus.documents(4_000):
        for claim in doc.claims:
            for w in claim.text.lower().rstrip(".").split():
                counts[w] = counts.get(w, 0) + 1
    ordered = sorted(counts.values(), reverse=True)
    total = sum(ordered)
    return {
        "types": float(len(ordered)),
        "hapax_share": sum(1 for c in ordered if c == 1) / len(ordered),
        "top100_token_share": sum(ordered[:100]) / total,
        "zipf_slope": _slope(ordered),
    }


def _slope(ordered: list[int]) -> float:
    ranks = np.arange(1, min(len(ordered), 5_000) + 1)
    logs = np.log(np.array(ordered[: len(ranks)], dtype=float))
    return float(np.polyfit(np.log(ranks), logs, 1)[0]) if len(ranks) > 10 else math.nan
