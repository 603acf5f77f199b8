"""`make eval`: link suggestions on three stories the seeds do not tell (ECB+ articles).

    python -m evals.link_stories             # dev and test
    python -m evals.link_stories --dev       # one split

The seeds' link gold is one story; every figure of evals/linking.py says how the service does
on that story. These are three more, each four articles of one event by different outlets
(tests/data/linking/stories/, built by evals/ecb_stories.py, links annotated there by helper
sessions that saw neither the extractor's output nor any suggestion). The split was fixed
before annotation: `dev` is the Athens bank story, `test` the Aceh earthquake and the Yida
refugee camp bombing, loaded together (a database holding two stories: a pair across them is a
false suggestion like any other).

Each split is extracted, featurised and suggested exactly as evals/linking.py does the seeds
(every pair scored, stored as ingest stores them), with rarity counted over the split's own
claims; the gold links, annotated on sentences, are mapped to extracted claims by span overlap
(a sentence the extractor did not produce makes its links misses).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from evals.ecb_stories import STORIES, STORIES_DIR
from evals.linking import Article, Corpus, build_from, mapped_links, report, suggestions
from service.extraction import DocumentContext
from service.linking.scoring import SUGGEST_MIN


def load(split: str) -> tuple[Corpus, list[dict[str, Any]], dict[str, tuple[str, int, int]]]:
    """The split's articles as a corpus, its gold links and the spans of their sentence ids."""
    articles, raw, spans = [], [], {}
    for story, (story_split, _, documents) in STORIES.items():
        if story_split != split:
            continue
        folder = STORIES_DIR / story
        for document in documents:
            body = (folder / f"{document}.txt").read_text(encoding="utf-8")
            # ECB+ does not say which outlet each article is from, only that they differ.
            articles.append(
                Article(f"{document}.txt", body, DocumentContext(outlet=f"outlet {document}"))
            )
        for c in json.loads((folder / "claims.json").read_text(encoding="utf-8"))["claims"]:
            spans[c["id"]] = (f"{c['document']}.txt", c["start"], c["end"])
        gold = folder / "links.json"
        if gold.is_file():
            raw += json.loads(gold.read_text(encoding="utf-8"))["links"]
    return build_from(articles, split), raw, spans


def main() -> int:
    only = [a[2:] for a in sys.argv[1:] if a in ("--dev", "--test")]
    print(f"suggest_min = {SUGGEST_MIN}; the stories of tests/data/linking/stories/")
    for split in only or ["dev", "test"]:
        corpus, raw, spans = load(split)
        if not raw:
            print(f"  {split}: no links annotated yet")
            continue
        links, missing = mapped_links(corpus, raw, spans)
        on_demand, stored = suggestions(corpus, SUGGEST_MIN)
        report(split, corpus, links, missing, on_demand, stored)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
