"""How much of the link gold the candidate step puts in front of the pair model.

    python -m evals.link_retrieval        # in make eval

evals/linking.py scores every pair, so its recall is an upper bound. This one runs the
service's own retrieval (service/linking/retrieval.py: rare words through the GIN index, the
speaker, a summary's source, the nearest in meaning through pgvector) on a real database: the
five seeds are ingested into a fresh database (`claimdesk_eval_links` beside TEST_DATABASE_URL,
else on the embedded server, which has pgvector) the way `make run` loads them, the gold
links (tests/data/linking) are mapped to the stored claims by span overlap, and for each gold
link it asks whether either claim's candidates hold the other (candidate-step recall), and
whether the other is in the top 10 or top 50 once the candidates are scored (recall@10,
recall@50). It also reads the suggestions the load stored, as a reviewer's queue holds them
after `make run` (each document's suggested at its ingest, against the documents loaded
before it, with the word counts of that moment), and gives their precision and recall against
the gold. Splits as evals/linking.py. Nothing is tuned here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from evals.linking import DATA, DEV_PAIRS, GOLD_CLAIMS
from service.config import PROJECT_ROOT, Settings
from service.db import create_db_engine, embedded_server_url, sibling_database_url, split_database
from service.linking import vectors
from service.linking.features import features
from service.linking.retrieval import candidate_rows_many
from service.models import Claim
from service.operations.actors import SYSTEM
from service.operations.seeds import load_seeds
from service.operations.suggestions import claim_vectors, suggest_many

NAME = "claimdesk_eval_links"


def _database() -> str:
    import psycopg
    from psycopg import sql

    from service.db import libpq_url

    base = os.environ.get("TEST_DATABASE_URL")
    url = (
        sibling_database_url(base, NAME)
        if base
        else embedded_server_url(Settings.from_env().data_dir, NAME)
    )
    admin, _ = split_database(url)
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(NAME))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(NAME)))
    return url


def _split(file_a: str, file_b: str, start_of: dict[str, int], half: dict[str, float]) -> str:
    a, b = file_a[:3], file_b[:3]
    if frozenset((a, b)) in DEV_PAIRS:
        return "dev"
    if {a, b} == {"000", "001"}:
        notes = file_a if a == "000" else file_b
        return "dev" if start_of[notes] < half[notes] else "test"
    return "test"


def main() -> int:
    from service.migrate import upgrade

    url = _database()
    engine = create_db_engine(url, statement_timeout_ms=120_000)
    with engine.begin() as conn:
        upgrade(conn)
    with Session(engine) as session:
        seeded = load_seeds(session, SYSTEM, PROJECT_ROOT / "seeds")
        session.commit()
        has_vectors = vectors.enabled(session)
        documents = {Path(r.file).name: r.document for r in seeded}
        spans: dict[str, tuple[str, int, int]] = {}
        for path in GOLD_CLAIMS:
            for c in json.loads(path.read_text(encoding="utf-8"))["claims"]:
                spans[c["id"]] = (c["file"], c["start"], c["end"])
        raw = json.loads(GOLD_CLAIMS[0].read_text(encoding="utf-8"))["links"]
        for path in sorted((DATA / "linking").glob("links_*.json")):
            raw += json.loads(path.read_text(encoding="utf-8"))["links"]
        claims = {
            c.id: c
            for c in session.scalars(
                select(Claim).where(Claim.document_id.in_([d.id for d in documents.values()]))
            )
        }
        file_of_doc = {d.id: name for name, d in documents.items()}

        def mapped(gold_id: str) -> int | None:
            file, start, end = spans[gold_id]
            doc = documents[file]
            best, size = None, 0
            for c in claims.values():
                if c.document_id == doc.id and c.span_start < end and start < c.span_end:
                    shared = min(c.span_end, end) - max(c.span_start, start)
                    if shared > size:
                        best, size = c.id, shared
            return best

        links: set[frozenset[int]] = set()
        # Links with an end no stored claim holds: misses of the extractor, counted as misses.
        lost: list[tuple[str, str, dict[str, int]]] = []
        for link in raw:
            a, b = mapped(link["a"]), mapped(link["b"])
            (fa, sa, _), (fb, sb, _) = spans[link["a"]], spans[link["b"]]
            if fa == fb:
                continue  # links are suggested across documents only
            if a is not None and b is not None and a != b:
                links.add(frozenset((a, b)))
            elif (fa, sa, fb, sb) not in {(x, at[x], y, at[y]) for x, y, at in lost}:
                lost.append((fa, fb, {fa: sa, fb: sb}))
        starts = {c.id: c.span_start for c in claims.values()}
        half = {name: len(d.body) / 2 for name, d in documents.items()}
        involved = sorted({x for p in links for x in p})
        asked = [claims[i] for i in involved]
        ranked = suggest_many(session, asked, top=50)
        targets = [
            features(c.id, c.document_id, c.speaker_id, c.text, v, c.document.derived_from_id)
            for c, v in zip(asked, claim_vectors(asked), strict=True)
        ]
        pools = {
            key: {r[0] for r in rows} for key, rows in candidate_rows_many(session, targets).items()
        }
        doc_of = {c.id: c.document_id for c in claims.values()}
        count = session.scalar(text("SELECT count(*) FROM claims"))
        stored = {
            frozenset((int(a), int(b)))
            for a, b in session.execute(
                text("SELECT claim_a_id, claim_b_id FROM claim_links WHERE state = 'suggested'")
            )
        }
    engine.dispose()
    print(
        f"== link candidates from the service's own retrieval ({count} seed claims stored; "
        + (
            "pgvector: nearest in meaning included)"
            if has_vectors
            else "no pgvector: words and speakers only)"
        )
    )

    def split_of(pair: frozenset[int]) -> str:
        files = [file_of_doc[doc_of[x]] for x in sorted(pair)]
        start_of = {file_of_doc[doc_of[x]]: starts[x] for x in pair}
        return _split(files[0], files[1], start_of, half)

    for split in ("dev", "test"):
        mine = [p for p in links if split_of(p) == split]
        in_pool = sum(1 for p in mine if any(set(p) - {x} <= pools[x] for x in p))
        top = {}
        for k in (10, 50):
            top[k] = sum(
                1
                for p in mine
                if any({s.claim_a_id, s.claim_b_id} == set(p) for x in p for s in ranked[x][:k])
            )
        sizes = [len(pools[x]) for p in mine for x in p]
        n = max(1, len(mine))
        queue = [p for p in stored if split_of(p) == split]
        hits = sum(1 for p in queue if p in links)
        unmapped = sum(1 for fa, fb, at in lost if _split(fa, fb, at, half) == split)
        print(
            f"  {split}: {len(mine)} gold links mapped to stored claims, {unmapped} not; "
            f"candidate-step recall {in_pool / n:.2f} "
            f"(mean {sum(sizes) / max(1, len(sizes)):.0f} candidates a claim); "
            f"recall@10 {top[10] / n:.2f}, recall@50 {top[50] / n:.2f}; "
            f"stored by the load: {len(queue)}, precision {hits / max(1, len(queue)):.2f}, "
            f"recall {hits / max(1, len(mine) + unmapped):.2f} (of the mapped {hits / n:.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
