"""Train the NLI head (service/linking/nli.py) on public NLI data, and measure it.

    python -m evals.train_nli --from-mirror /work/.mirror/Tikquuss+nli_dataset/repo --train
    python -m evals.train_nli            # accuracy of the shipped head on the test split

Data: SNLI 1.0 (Bowman et al. 2015, CC BY-SA 4.0) and MultiNLI 1.0 (Williams et al. 2018;
OANC text, some genres CC BY-SA 3.0), as the CSV copy in github:Tikquuss/nli_dataset (brought
with the search tool's `fetch`; not redistributed here, unpacked under .data/nli). Only the
labs' dev and test files arrive whole there (the train files are too large for the mirror),
so the splits are ours, fixed before any training:

- train: SNLI dev (9,842 labelled pairs) and MultiNLI dev-matched (9,815);
- dev (choosing the hidden size and regularisation): the first half of MultiNLI
  dev-mismatched, by row order;
- test (reported, never used for a choice): SNLI test and the second half of MultiNLI
  dev-mismatched (other genres than the training MultiNLI pairs).

The test split ships with the project (`tests/data/nli/test.csv.gz`, written by `--ship-test`
from the mirror; SNLI's part CC BY-SA 4.0, MultiNLI's mismatched genres OANC), so that `make eval`
prints the head's accuracy on any machine; training needs the mirror.

Pairs are embedded with the service's own all-MiniLM-L6-v2 (semantic.py; vectors cached under
.data/nli), each pair's features are nli.pair_features, and scikit-learn's MLPClassifier
(one ReLU hidden layer, Adam, fixed seed) is fitted. `--train` writes the weights as float16
to service/linking/nli_head.npz and prints their sha256 for nli.WEIGHTS_SHA256.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.config import PROJECT_ROOT
from service.linking import nli, semantic

DATA = PROJECT_ROOT / ".data" / "nli"
#: The test split, shipped: columns split, label, sentence1, sentence2.
SHIPPED_TEST = PROJECT_ROOT / "tests" / "data" / "nli" / "test.csv.gz"
_FILES = {
    "snli_dev.csv": "Stanford-nli/snli_1.0_dev.csv",
    "snli_test.csv": "Stanford-nli/snli_1.0_test.csv",
    "mnli_matched.csv": "multinli_1.0_dev_matched.csv",
    "mnli_mismatched.csv": "multinli_1.0_dev_mismatched.csv",
}
_LABEL = {name: i for i, name in enumerate(nli.LABELS)}


@dataclass
class Pairs:
    premises: list[str]
    hypotheses: list[str]
    labels: np.ndarray

    def __add__(self, other: Pairs) -> Pairs:
        return Pairs(
            self.premises + other.premises,
            self.hypotheses + other.hypotheses,
            np.concatenate([self.labels, other.labels]),
        )

    def part(self, start: int, stop: int | None) -> Pairs:
        return Pairs(
            self.premises[start:stop], self.hypotheses[start:stop], self.labels[start:stop]
        )


def unpack(mirror: Path) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for name, member in _FILES.items():
        out = subprocess.run(
            ["git", "-C", str(mirror), "show", f"HEAD:{member}"], check=True, capture_output=True
        ).stdout
        (DATA / name).write_bytes(out)


def read(name: str) -> Pairs:
    """Labelled pairs of one file (pairs the annotators did not agree on, '-', dropped)."""
    text = (DATA / name).read_text(encoding="utf-8")
    premises, hypotheses, labels = [], [], []
    for row in csv.DictReader(io.StringIO(text)):
        if row["label"] in _LABEL:
            premises.append(" ".join(row["sentence1"].split()))
            hypotheses.append(" ".join(row["sentence2"].split()))
            labels.append(_LABEL[row["label"]])
    return Pairs(premises, hypotheses, np.array(labels))


def splits() -> dict[str, Pairs]:
    mismatched = read("mnli_mismatched.csv")
    half = len(mismatched.labels) // 2
    return {
        "train": read("snli_dev.csv") + read("mnli_matched.csv"),
        "dev": mismatched.part(0, half),
        "test (SNLI)": read("snli_test.csv"),
        "test (MultiNLI mismatched)": mismatched.part(half, None),
    }


def ship_test(data: dict[str, Pairs]) -> None:
    """Write the test splits to SHIPPED_TEST (deterministic bytes: no gzip timestamp)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["split", "label", "sentence1", "sentence2"])
    for name, pairs in data.items():
        if name.startswith("test"):
            for p, h, label in zip(pairs.premises, pairs.hypotheses, pairs.labels, strict=True):
                writer.writerow([name, nli.LABELS[int(label)], p, h])
    SHIPPED_TEST.parent.mkdir(parents=True, exist_ok=True)
    SHIPPED_TEST.write_bytes(gzip.compress(out.getvalue().encode("utf-8"), mtime=0))
    print(f"wrote {SHIPPED_TEST}")


def shipped_test() -> dict[str, Pairs]:
    """The test splits as the project ships them."""
    text = gzip.decompress(SHIPPED_TEST.read_bytes()).decode("utf-8")
    rows: dict[str, tuple[list[str], list[str], list[int]]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        premises, hypotheses, labels = rows.setdefault(row["split"], ([], [], []))
        premises.append(row["sentence1"])
        hypotheses.append(row["sentence2"])
        labels.append(_LABEL[row["label"]])
    return {name: Pairs(p, h, np.array(labels)) for name, (p, h, labels) in rows.items()}


def vectors(sentences: list[str]) -> dict[str, np.ndarray]:
    """Each distinct sentence's vector, cached by the sentences' hash."""
    unique = sorted(set(sentences))
    key = hashlib.sha256("\n".join(unique).encode()).hexdigest()[:16]
    cache = DATA / f"vectors-{key}.npy"
    if cache.exists():
        matrix = np.load(cache)
    else:
        print(f"embedding {len(unique)} sentences (cached in {cache})", file=sys.stderr)
        chunks = []
        for i in range(0, len(unique), 512):
            chunk = semantic.embed(unique[i : i + 512])
            if chunk is None:
                raise SystemExit(f"{semantic.MODEL_NAME} is not installed (make install)")
            chunks.append(chunk)
        matrix = np.vstack(chunks).astype(np.float32)
        DATA.mkdir(parents=True, exist_ok=True)
        np.save(cache, matrix)
    return dict(zip(unique, matrix, strict=True))


def features(pairs: Pairs, table: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    u = np.stack([table[s] for s in pairs.premises])
    v = np.stack([table[s] for s in pairs.hypotheses])
    return u, v


def accuracy(head: nli.NliHead, u: np.ndarray, v: np.ndarray, labels: np.ndarray) -> str:
    predicted = head.predict(u, v).argmax(axis=1)
    per = ", ".join(
        f"{name} {float((predicted[labels == i] == i).mean()):.2f}"
        for i, name in enumerate(nli.LABELS)
    )
    return f"accuracy {float((predicted == labels).mean()):.3f} (recall by label: {per})"


def head_of(model: object) -> nli.NliHead:
    coefs, intercepts = model.coefs_, model.intercepts_  # type: ignore[attr-defined]
    return nli.NliHead(
        {
            "w1": coefs[0].astype(np.float16),
            "b1": intercepts[0].astype(np.float16),
            "w2": coefs[1].astype(np.float16),
            "b2": intercepts[1].astype(np.float16),
        }
    )


def train(data: dict[str, Pairs], table: dict[str, np.ndarray]) -> nli.NliHead:
    from sklearn.neural_network import MLPClassifier

    u, v = features(data["train"], table)
    x = nli.pair_features(u, v)
    y = data["train"].labels
    du, dv = features(data["dev"], table)
    best: tuple[float, object, str] | None = None
    for hidden in (256, 512):
        for alpha in (1e-3, 1e-2, 3e-2):
            model = MLPClassifier(
                hidden_layer_sizes=(hidden,),
                alpha=alpha,
                max_iter=60,
                random_state=0,
                early_stopping=True,
                validation_fraction=0.1,
                n_iter_no_change=6,
            ).fit(x, y)
            found = float((head_of(model).predict(du, dv).argmax(1) == data["dev"].labels).mean())
            label = f"hidden {hidden}, alpha {alpha}"
            print(f"  {label}: dev accuracy {found:.3f}")
            if best is None or found > best[0]:
                best = (found, model, label)
    assert best is not None
    print(f"chosen on dev: {best[2]}")
    return head_of(best[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from-mirror", type=Path, help="unpack the fetched NLI data")
    parser.add_argument("--train", action="store_true", help="train and write the weights")
    parser.add_argument("--ship-test", action="store_true", help=f"write {SHIPPED_TEST.name}")
    args = parser.parse_args(argv)
    if args.from_mirror:
        unpack(args.from_mirror)
    if all((DATA / name).exists() for name in _FILES):
        data = splits()
        if args.ship_test:
            ship_test(data)
    elif args.train or args.ship_test:
        raise SystemExit(
            "the NLI data is not here: fetch github:Tikquuss/nli_dataset and run "
            "python -m evals.train_nli --from-mirror <its git directory>"
        )
    else:
        data = shipped_test()
    table = vectors([s for p in data.values() for s in p.premises + p.hypotheses])
    if args.train:
        trained = train(data, table)
        np.savez(
            nli.WEIGHTS_FILE,
            w1=trained.w1.astype(np.float16),
            b1=trained.b1.astype(np.float16),
            w2=trained.w2.astype(np.float16),
            b2=trained.b2.astype(np.float16),
        )
        print(f"wrote {nli.WEIGHTS_FILE}: sha256 {nli.sha256_of(nli.WEIGHTS_FILE)}")
        head = nli.NliHead(dict(np.load(nli.WEIGHTS_FILE)))
    else:
        head = nli.head()
    print("== NLI head (service/linking/nli.py), three labels, chance 0.33")
    for name, pairs in data.items():
        if name == "train":
            continue
        u, v = features(pairs, table)
        print(f"  {name:<28} {len(pairs.labels):6d} pairs, {accuracy(head, u, v, pairs.labels)}")


if __name__ == "__main__":
    main()
