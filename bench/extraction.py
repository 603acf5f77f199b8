"""Extraction throughput, against the parse alone and sentence splitting alone (same process).

Two corpora: the five seed articles (target: all five in under 2 s), and a batch of real
news articles (the eval's articles from tests/data/extraction; target >= 5,000 words/s on one
core). The ratio says what our rules cost on top of spaCy's own pipeline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from service.config import PROJECT_ROOT
from service.extraction import DocumentContext, extract, extractor_version, nlp
from service.extraction.segment import blocks, sentences

Corpus = list[tuple[str, DocumentContext]]


def _seeds() -> Corpus:
    manifest = json.loads((PROJECT_ROOT / "seeds" / "manifest.json").read_text())
    out = []
    for entry in manifest["documents"]:
        body = (PROJECT_ROOT / "seeds" / entry["file"]).read_text(encoding="utf-8")
        context = DocumentContext(
            author=entry["author"], outlet=entry["outlet"], kind=entry["kind"]
        )
        out.append((body, context))
    return out


def _news() -> Corpus:
    out = []
    for split in ("dev", "test"):
        folder = PROJECT_ROOT / "tests" / "data" / "extraction" / split
        for entry in json.loads((folder / "manifest.json").read_text())["documents"]:
            body = (folder / "articles" / entry["file"]).read_text(encoding="utf-8")
            out.append((body, DocumentContext(author=entry["author"], outlet=entry["outlet"])))
    return out


def _split(body: str) -> int:
    return sum(len(sentences(b)) for b in blocks(body))


def _time(fn: Callable[[], object], seconds: float) -> float:
    """Seconds per call: the best of repeated runs for about `seconds`."""
    best, spent = float("inf"), 0.0
    while spent < seconds:
        start = time.perf_counter()
        fn()
        took = time.perf_counter() - start
        best, spent = min(best, took), spent + took
    return best


def _measure(name: str, corpus: Corpus, seconds: float) -> float:
    words = sum(len(body.split()) for body, _ in corpus)
    pipeline = nlp.pipeline()
    rows = [("sentence splitting alone", _time(lambda: [_split(b) for b, _ in corpus], seconds))]
    if pipeline is not None:

        def parse() -> object:
            return [list(pipeline.pipe([b.text for b in blocks(body)])) for body, _ in corpus]

        rows.append(("spaCy parse alone (baseline)", _time(parse, seconds)))
    full = _time(lambda: [extract(body, ctx) for body, ctx in corpus], seconds)
    rows.append(("full extraction", full))
    claims = sum(len(extract(body, ctx)) for body, ctx in corpus)
    print(f"  {name}: {len(corpus)} articles, {words:,} words, {claims} claims")
    for label, took in rows:
        print(f"    {label:<32}{words / took:>9,.0f} words/s  ({took * 1000:.0f} ms)")
    ratio = full / rows[-2][1]
    print(f"    cost ratio extraction / {rows[-2][0].split(' (')[0]} = {ratio:.2f}")
    return words / full


def main(seconds: float = 3.0) -> float:
    start = time.perf_counter()
    nlp.pipeline()
    print(f"Extraction ({extractor_version()}; model load {time.perf_counter() - start:.2f} s)")
    _measure("the five seeds (target: under 2 s)", _seeds(), seconds)
    return _measure("news batch (target: >= 5,000 words/s, one core)", _news(), seconds)


if __name__ == "__main__":
    main()
