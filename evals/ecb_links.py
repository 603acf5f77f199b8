"""An experiment, not the service: does training on other stories' cross-document links help?

    python -m evals.ecb_links --from-mirror /work/.mirror/cltl+ECB-parser/repo/.git
    python -m evals.ecb_links            # dev only (the link gold's dev split)
    python -m evals.ecb_links --test     # also test: the design is fixed on dev first

Every #21 lever measured so far was trained on something other than links (NLI, STS,
paraphrase) or on the one story the link gold covers. The last notes named the missing data:
link annotations of more stories. ECB+ (Cybulska and Vossen 2014, CC BY 3.0; the XML in
github:cltl/ECB-parser, the annotated-sentence list in github:cltl/ecbPlus, brought with the
search tool's `fetch`, not redistributed, unpacked under .data/ecbplus) is 982 news articles
on 43 topics, each topic two stories of the same kind (two different earthquakes, two
different rehab check-ins), with cross-document event coreference annotated on 1,840
sentences. Read as links: two sentences of different articles of one topic are linked when
they mention one and the same event instance (an ACTION cluster of CROSS_DOC_COREF); every
other pair of the topic is a "same-topic" pair, and the other story of the same topic gives
the hardest kind (same kind of event, another instance) — what the service's same-topic pool
is made of.

The experiment:
1. the service's evidence (scoring.score_pair, rarity counted over the topic's sentences, as
   Postgres counts a story's claims) for every such pair;
2. models trained on ECB+ alone, topics split (ECB+'s usual dev topics held out), and read
   on the link gold's dev pool as they come (no refit): the service's logistic form refitted
   on ECB+, and a small perceptron over [|u - v|, u * v] of the sentence vectors with the
   evidence beside them;
3. the ECB+ model's probability as one more piece of evidence beside the service's, the
   confidence refitted on the link gold's dev split (as evals/fit_links.py fits the
   service's), and the stored queue rebuilt as ingest stores it.
Choices are made on dev; `--test` prints test once the design is fixed.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from service.config import PROJECT_ROOT
from service.linking import semantic
from service.linking.features import ClaimFeatures, features
from service.linking.scoring import LINK_WEIGHTS, Rarity, score_pair

DATA = PROJECT_ROOT / ".data" / "ecbplus"
SENTENCES = DATA / "sentences.csv"
#: ECB+'s usual development topics (Cybulska and Vossen's split), held out of our training.
HELD_OUT = frozenset({2, 5, 12, 18, 21, 23, 34, 35})
#: Sentences longer than this many characters are not claim-like (lists, run-ons): skipped.
LONGEST = 400


@dataclass
class Sentence:
    topic: int
    story: str  # "ecb" or "ecbplus": the two stories of a topic
    document: str
    number: int
    text: str
    events: frozenset[str] = field(default_factory=frozenset)


def unpack(mirror: Path, sentence_mirror: Path | None) -> None:
    """Copy the ECB+ XML files (and the annotated-sentence list) out of the fetched mirrors."""
    DATA.mkdir(parents=True, exist_ok=True)
    names = subprocess.run(
        ["git", "-C", str(mirror), "ls-tree", "-r", "--name-only", "HEAD", "ECB+/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in names:
        if name.endswith(".xml"):
            out = subprocess.run(
                ["git", "-C", str(mirror), "show", f"HEAD:{name}"], check=True, capture_output=True
            ).stdout
            (DATA / Path(name).name).write_bytes(out)
    if sentence_mirror is not None:
        out = subprocess.run(
            [
                "git",
                "-C",
                str(sentence_mirror),
                "show",
                "HEAD:ECB+_LREC2014/ECBplus_coreference_sentences.csv",
            ],
            check=True,
            capture_output=True,
        ).stdout
        SENTENCES.write_bytes(out)


_NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", "%", ")", "]", "}", "”", "n't", "-"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "“", "€", "£", "-"})
_CLITICS = frozenset({"s", "t", "re", "ll", "ve", "d", "m"})


def detokenize(tokens: list[str]) -> str:
    """ECB+'s tokens joined as the article wrote them: no space before closing punctuation or
    a clitic, after an opening bracket or quote, around a hyphen, or inside a number it split
    ("6" "." "1" is 6.1, "1" "," "500" is 1,500)."""
    out = ""
    quotes = 0
    for n, token in enumerate(tokens):
        previous = tokens[n - 1] if n else ""
        before = tokens[n - 2] if n > 1 else ""
        space = bool(out)
        if token == '"':
            quotes += 1
            space = space and quotes % 2 == 1  # no space before a closing quote
        elif token[:1] == '"' or token[-1:] == '"':  # a quote the tokenizer left on a word
            quotes += token.count('"')
        elif token in _NO_SPACE_BEFORE or token in {"'", "’", "'s", "’s"}:
            space = False
        if previous in _NO_SPACE_AFTER or (previous == '"' and quotes % 2 == 1):
            space = False
        if previous in {"’", "'"} and token in _CLITICS:
            space = False
        if (
            before[-1:].isdigit()
            and token.isdigit()
            and (
                previous in {".", ":"} or (previous == "," and len(token) == 3 and len(before) <= 3)
            )
        ):
            space = False
        if re.fullmatch(r"\d+\.", previous) and token.isdigit():  # "2." "6" is 2.6
            space = False
        out += (" " if space else "") + token
    return out


def load() -> list[Sentence]:
    """The annotated sentences of every ECB+ document, with the event clusters they mention."""
    wanted: dict[str, set[int]] = defaultdict(set)
    with SENTENCES.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            wanted[f"{row['Topic']}_{row['File']}.xml"].add(int(row["Sentence Number"]))
    out: list[Sentence] = []
    for name in sorted(wanted):
        path = DATA / name
        if not path.is_file():
            continue
        root = ET.parse(path).getroot()
        words: dict[int, list[str]] = defaultdict(list)
        sentence_of: dict[str, int] = {}
        for token in root.iter("token"):
            number = int(token.get("sentence", "0"))
            words[number].append(token.text or "")
            sentence_of[token.get("t_id", "")] = number
        mention_sentences: dict[str, set[int]] = {}
        markables = root.find("Markables")
        for m in markables if markables is not None else []:
            anchors = {sentence_of[a.get("t_id", "")] for a in m.iter("token_anchor")}
            if m.tag.startswith(("ACTION", "NEG_ACTION")) and anchors:
                mention_sentences[m.get("m_id", "")] = anchors
        events: dict[int, set[str]] = defaultdict(set)
        relations = root.find("Relations")
        for r in relations.iter("CROSS_DOC_COREF") if relations is not None else []:
            cluster = r.get("note", "")
            if not cluster.startswith("ACT"):
                continue
            for source in r.iter("source"):
                for number in mention_sentences.get(source.get("m_id", ""), ()):
                    events[number].add(cluster)
        topic, rest = name.split("_", 1)
        story = "ecbplus" if "ecbplus" in rest else "ecb"
        for number in sorted(wanted[name]):
            text = detokenize(words.get(number, []))
            if 20 <= len(text) <= LONGEST:
                out.append(
                    Sentence(int(topic), story, name, number, text, frozenset(events[number]))
                )
    return out


@dataclass
class PairTable:
    x: np.ndarray  # the service's evidence, LINK_WEIGHTS order
    u: np.ndarray
    v: np.ndarray
    y: np.ndarray
    topic: np.ndarray
    hard: np.ndarray  # the other story of the same topic


def pairs_of(sentences: list[Sentence]) -> PairTable:
    """Every cross-document pair of a topic's sentences, with the service's evidence."""
    vectors = semantic.embed([s.text for s in sentences])
    if vectors is None:
        raise SystemExit(f"{semantic.MODEL_NAME} is not installed (make install)")
    by_topic: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sentences):
        by_topic[s.topic].append(i)
    documents = {name: n for n, name in enumerate(sorted({s.document for s in sentences}))}
    names = list(LINK_WEIGHTS)
    rows, us, vs, ys, topics, hard = [], [], [], [], [], []
    for topic, members in sorted(by_topic.items()):
        feats: dict[int, ClaimFeatures] = {
            i: features(i, documents[sentences[i].document], None, sentences[i].text, vectors[i])
            for i in members
        }
        rarity = Rarity.of(feats.values())
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                a, b = sentences[i], sentences[j]
                if a.document == b.document:
                    continue
                pair = score_pair(feats[i], feats[j], rarity=rarity)
                rows.append([pair.evidence[k] for k in names])
                us.append(vectors[i])
                vs.append(vectors[j])
                ys.append(int(bool(a.events & b.events)))
                topics.append(topic)
                hard.append(a.story != b.story)
    return PairTable(
        np.array(rows, dtype=np.float32),
        np.array(us, dtype=np.float32),
        np.array(vs, dtype=np.float32),
        np.array(ys),
        np.array(topics),
        np.array(hard),
    )


def vector_features(u: np.ndarray, v: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """Symmetric in the pair: |u - v|, u * v and the evidence."""
    return np.hstack([np.abs(u - v), u * v, evidence])


def train_models(table: PairTable) -> dict[str, Any]:
    """Models trained on ECB+'s training topics, read on its held-out topics."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier

    train = ~np.isin(table.topic, list(HELD_OUT))
    held = ~train
    y = table.y
    print(
        f"ECB+ pairs: {len(y)} ({int(y.sum())} linked), training topics {int(train.sum())},"
        f" held-out topics {int(held.sum())} ({int(y[held].sum())} linked)"
    )
    models: dict[str, Any] = {}
    logistic = LogisticRegression(C=1.0, max_iter=5000).fit(table.x[train], y[train])
    models["evidence, logistic"] = (logistic, "evidence")
    vx = vector_features(table.u, table.v, table.x)
    for alpha in (1e-3, 1e-2):
        mlp = MLPClassifier(
            hidden_layer_sizes=(64,),
            alpha=alpha,
            max_iter=80,
            random_state=0,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=6,
        ).fit(vx[train], y[train])
        models[f"vectors + evidence, perceptron alpha {alpha}"] = (mlp, "vectors")
    for name, (model, kind) in models.items():
        x = table.x if kind == "evidence" else vx
        p = model.predict_proba(x[held])[:, 1]
        # Against the hardest negatives only: the other story of the same topic.
        hard = (table.hard[held] & (y[held] == 0)) | (y[held] == 1)
        print(
            f"  {name}: held-out ECB+ AUC {roc_auc_score(y[held], p):.3f}"
            f" (against the other story's sentences only:"
            f" {roc_auc_score(y[held][hard], p[hard]):.3f})"
        )
    same = held & ~table.hard
    for name, (model, kind) in models.items():
        x = table.x if kind == "evidence" else vx
        p = model.predict_proba(x[same])[:, 1]
        print(f"  {name}: within one story {roc_auc_score(y[same], p):.3f}")
    base = roc_auc_score(y[held], table.x[held] @ np.array(list(LINK_WEIGHTS.values())))
    print(f"  the service's confidence as shipped (fitted on the link gold's dev): {base:.3f}")
    return models


def transfer(models: dict[str, Any], show: tuple[str, ...]) -> None:
    """The ECB+ models read on the link gold's pools as they come, then as one more piece of
    evidence beside the service's, refitted on dev, and the stored queue they make."""
    from sklearn.metrics import roc_auc_score

    from evals.cross_encoder_links import RERANK
    from evals.fit_links import fit_held_out
    from evals.linking import (
        build,
        document_pair,
        gold_links,
        pair_pool,
        queue_claims,
        queue_figures,
        rescored_queue,
    )
    from service.linking.scoring import PairScore, rank

    corpus = build()
    links, _ = gold_links(corpus)
    gold = {frozenset((a, b)) for a, b, _ in links}
    pools = {split: pair_pool(corpus, split) for split in ("dev", "test")}
    names = list(LINK_WEIGHTS)
    worthy, asking = queue_claims(corpus)
    ranked = {f.claim_id: rank(f, worthy, top=RERANK, rarity=corpus.rarity) for f in asking}

    def reading(model: Any, kind: str, scores: list[PairScore]) -> np.ndarray:
        x = np.array([[s.evidence[k] for k in names] for s in scores], dtype=np.float32)
        if kind == "vectors":
            u = np.stack([corpus.feats[s.claim_a_id].vector for s in scores])
            v = np.stack([corpus.feats[s.claim_b_id].vector for s in scores])
            x = vector_features(u, v, x)
        return np.asarray(model.predict_proba(x)[:, 1])

    for name, (model, kind) in models.items():
        print(f"{name}:")
        tables = {}
        for split in ("dev", "test"):
            pool = list(pools[split].items())
            scores = [s for _, s in pool]
            y = np.array([int(p in gold) for p, _ in pool])
            ecb = reading(model, kind, scores)
            x = np.array([[s.evidence[k] for k in names] for s in scores])
            groups = [document_pair(corpus, *sorted(p)) for p, _ in pool]
            tables[split] = (x, y, groups, ecb, [s.score for s in scores])
        x_dev, y_dev, g_dev, ecb_dev, _ = tables["dev"]
        both = np.hstack([x_dev, ecb_dev[:, None]])
        refit, best_c, best_auc = fit_held_out(both, y_dev, g_dev, max_iter=5000)
        print(f"  refitted with it on dev: C = {best_c}, held-out AUC {best_auc:.3f}")

        def confidence(
            found: list[PairScore], model: Any = model, kind: str = kind, refit: Any = refit
        ) -> Any:
            evidence = np.array([[s.evidence[k] for k in names] for s in found])
            return refit.predict_proba(np.hstack([evidence, reading(model, kind, found)[:, None]]))[
                :, 1
            ]

        stored = rescored_queue(ranked.values(), confidence)
        for split in show:
            x, y, _, ecb, service = tables[split]
            n, precision, recall = queue_figures(corpus, stored, gold, split)
            with_it = refit.predict_proba(np.hstack([x, ecb[:, None]]))[:, 1]
            print(
                f"  {split}: pair AUC service {roc_auc_score(y, service):.3f},"
                f" ECB+ model alone {roc_auc_score(y, ecb):.3f},"
                f" refitted with it {roc_auc_score(y, with_it):.3f}"
                f" | queue {n}, P {precision:.2f}, R {recall:.2f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from-mirror", type=Path, help="cltl/ECB-parser's git directory")
    parser.add_argument("--sentences-mirror", type=Path, help="cltl/ecbPlus's git directory")
    parser.add_argument("--test", action="store_true", help="also print the test split")
    args = parser.parse_args(argv)
    if args.from_mirror:
        unpack(args.from_mirror, args.sentences_mirror)
    if not SENTENCES.is_file():
        raise SystemExit("ECB+ is not here: fetch it and run with --from-mirror (see docstring)")
    sentences = load()
    print(
        f"{len(sentences)} annotated sentences, {len({s.document for s in sentences})} documents,"
        f" {len({s.topic for s in sentences})} topics",
        file=sys.stderr,
    )
    table = pairs_of(sentences)
    models = train_models(table)
    transfer(models, ("dev", "test") if args.test else ("dev",))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
