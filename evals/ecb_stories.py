"""Three more stories for the link gold, from ECB+ news articles (`--write` builds them).

    python -m evals.ecb_stories --write [story …]   # needs .data/ecbplus (evals.ecb_links)

Each story is four articles of one ECB+ topic by different outlets; each article becomes a
document (its headline, then one paragraph a sentence, as ECB+ splits them), and every
sentence a candidate claim with an id, for helper sessions to link by the guide of
tests/data/linking/ANNOTATION.md. The articles are ECB+'s (Cybulska and Vossen 2014,
CC BY 3.0: tests/data/linking/stories/NOTICE).

Split, fixed here before any link was annotated or any suggestion run on these articles:
`dev` is the Athens bank story (ECB+ topic 8), `test` the Aceh earthquake (37) and the Yida
refugee camp bombing (41). Chosen because they hold what the seeds have little of: counts that
differ between outlets, accusations and denials. Two more dev stories were added after the
first run, so that conflicts can be studied on dev (the first dev story had two): the Brooklyn
police shooting (19: the police's account against witnesses') and the Paris jewellery raid (24:
the haul in euros and in dollars). The first three were written before the detokenizer joined
"8: 12" and "2. 6"; they are kept as annotated. Four more were added at the end of the
thirteenth session, split before annotation: dev the Troy office shooting (18) and the Indian
navy and the pirates (12), test AMD buying SeaMicro (43) and the SEACOM cable outage (30).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

from evals.ecb_links import DATA, detokenize
from service.config import PROJECT_ROOT

STORIES_DIR = PROJECT_ROOT / "tests" / "data" / "linking" / "stories"
#: story -> (split, what it is, the ECB+ documents, in order)
STORIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "athens_bank": (
        "dev",
        "three bank workers killed by a fire-bomb during a general strike in Athens, May 2010",
        ("8_1", "8_4", "8_7", "8_10"),
    ),
    "aceh_quake": (
        "test",
        "a magnitude 6.1 earthquake in Aceh, Indonesia, July 2013",
        ("37_1", "37_3", "37_4", "37_14"),
    ),
    "brooklyn_shooting": (
        "dev",
        "a 16-year-old shot dead by police in Brooklyn and the protests after it, March 2013",
        ("19_1", "19_4", "19_10", "19_11"),
    ),
    "paris_heist": (
        "dev",
        "a ram-raid on a Paris jewellery store, September 2013",
        ("24_1", "24_3", "24_5", "24_10"),
    ),
    "troy_shooting": (
        "dev",
        "a shooting at an accounting office in Troy, Michigan, and the charges after it",
        ("18_1", "18_3", "18_4", "18_5"),
    ),
    "navy_pirates": (
        "dev",
        "an Indian navy ship foiling a pirate attack in the Gulf of Aden, November 2011",
        ("12_2", "12_3", "12_4", "12_5"),
    ),
    "amd_seamicro": (
        "test",
        "AMD's purchase of the server maker SeaMicro, February 2012",
        ("43_2", "43_5", "43_7", "43_10"),
    ),
    "seacom_cable": (
        "test",
        "an outage of the SEACOM undersea cable and the internet disruption it caused",
        ("30_3", "30_4", "30_5", "30_6"),
    ),
    "yida_camp": (
        "test",
        "the bombing of the Yida refugee camp in South Sudan, November 2011",
        ("41_2", "41_5", "41_8", "41_10"),
    ),
}


def _sentences(document: str) -> list[str]:
    root = ET.parse(DATA / f"{document}ecbplus.xml").getroot()
    words: dict[int, list[str]] = defaultdict(list)
    for token in root.iter("token"):
        words[int(token.get("sentence", "0"))].append(token.text or "")
    # Sentence 0 of an ECB+ article is its address, not its text.
    return [detokenize(words[n]) for n in sorted(words) if n > 0]


def write(only: list[str]) -> None:
    for story, (_, about, documents) in STORIES.items():
        if only and story not in only:
            continue
        folder = STORIES_DIR / story
        folder.mkdir(parents=True, exist_ok=True)
        claims = []
        for document in documents:
            sentences = [s.strip() for s in _sentences(document) if s.strip()]
            body, spans = "", []
            for n, sentence in enumerate(sentences):
                if body:
                    body += "\n\n"
                spans.append((n, len(body), len(body) + len(sentence)))
                body += sentence
            (folder / f"{document}.txt").write_text(body + "\n", encoding="utf-8")
            for n, start, end in spans:
                claims.append(
                    {
                        "id": f"{document}-s{n}",
                        "document": document,
                        "start": start,
                        "end": end,
                        "text": body[start:end],
                    }
                )
        (folder / "claims.json").write_text(
            json.dumps({"story": about, "claims": claims}, indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        print(f"{story}: {len(documents)} documents, {len(claims)} sentences", file=sys.stderr)


if __name__ == "__main__":
    if "--write" in sys.argv:
        write([a for a in sys.argv[1:] if not a.startswith("--")])
