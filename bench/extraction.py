"""Extraction throughput on the seed articles vs sentence splitting alone (same process)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from service.config import PROJECT_ROOT
from service.extraction import DocumentContext, extract
from service.extraction.segment import blocks, sentences


def _corpus() -> list[tuple[str, DocumentContext]]:
    manifest = json.loads((PROJECT_ROOT / "seeds" / "manifest.json").read_text())
    out = []
    for entry in manifest["documents"]:
        body = (PROJECT_ROOT / "seeds" / entry["file"]).read_text(encoding="utf-8")
        out.append(
            (
                body,
                DocumentContext(author=entry["author"], outlet=entry["outlet"], kind=entry["kind"]),
            )
        )
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


def main(seconds: float = 3.0) -> float:
    corpus = _corpus()
    words = sum(len(body.split()) for body, _ in corpus)
    split = _time(lambda: [_split(body) for body, _ in corpus], seconds)
    full = _time(lambda: [extract(body, ctx) for body, ctx in corpus], seconds)
    claims = sum(len(extract(body, ctx)) for body, ctx in corpus)
    print(f"Extraction of the {len(corpus)} seed articles ({words:,} words, {claims} claims)")
    for label, took in (("sentence splitting alone (baseline)", split), ("full extraction", full)):
        print(f"  {label:<38}{words / took:>9,.0f} words/s  ({took * 1000:.0f} ms)")
    ratio = full / split
    print(f"  cost ratio extraction/splitting = {ratio:.2f}   (target <= 3.0; well under 1 s)")
    return ratio


if __name__ == "__main__":
    main()
