"""Load the demo articles of seeds/ through the ordinary operations (idempotent)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.enums import DocumentKind, LinkRelation, LinkState, Role
from service.domain.errors import InvalidInput
from service.models import Claim, ClaimLink, Document
from service.operations.actors import Actor
from service.operations.documents import NewDocument, ingest_document
from service.operations.links import NewLink, create_link, review_link

#: Who the demo reviews are recorded as (events name them; no key exists for it).
SEED_REVIEWER = Actor(key_id=None, name="seed reviewer (demo)", role=Role.EDITOR)


@dataclass(frozen=True)
class SeedResult:
    document: Document
    created: bool
    file: str


def load_seeds(session: Session, actor: Actor, seeds_dir: Path) -> list[SeedResult]:
    """Ingest every document of seeds_dir/manifest.json; already-stored bodies are skipped."""
    manifest = json.loads((seeds_dir / "manifest.json").read_text(encoding="utf-8"))
    by_file: dict[str, Document] = {}
    results: list[SeedResult] = []
    # The manifest lists a source before what derives from it, so derived_from resolves.
    for entry in manifest["documents"]:
        source = entry.get("derived_from")
        if source and source not in by_file:
            raise InvalidInput(
                "derived_from", f"{entry['file']} names {source}, not loaded before it"
            )
        body = (seeds_dir / entry["file"]).read_text(encoding="utf-8")
        published = entry.get("published_on")
        doc, created = ingest_document(
            session,
            actor,
            NewDocument(
                body=body,
                outlet=entry.get("outlet"),
                title=entry.get("title"),
                author=entry.get("author"),
                published_on=date.fromisoformat(published) if published else None,
                kind=DocumentKind(entry["kind"]),
                derived_from_id=by_file[source].id if source else None,
            ),
        )
        by_file[entry["file"]] = doc
        results.append(SeedResult(doc, created, entry["file"]))
    reviews = seeds_dir / "reviews.json"
    if reviews.is_file():
        load_reviews(session, json.loads(reviews.read_text(encoding="utf-8")), by_file)
    return results


def _claim(session: Session, by_file: dict[str, Document], side: dict[str, str]) -> Claim:
    document = by_file[side["file"]]
    found = session.scalars(
        select(Claim)
        .where(
            Claim.document_id == document.id, Claim.text.contains(side["quote"], autoescape=True)
        )
        .order_by(Claim.span_start)
    ).first()
    if found is None:
        raise InvalidInput(
            "reviews", f"no claim of {side['file']} contains {side['quote']!r}: update reviews.json"
        )
    return found


def load_reviews(
    session: Session, reviews: dict[str, list[dict[str, Any]]], by_file: dict[str, Document]
) -> int:
    """Confirm the demo links (idempotent: a pair already confirmed or rejected is left)."""
    done = 0
    for entry in reviews["links"]:
        a, b = _claim(session, by_file, entry["a"]), _claim(session, by_file, entry["b"])
        relation = LinkRelation(entry["relation"])
        low, high = sorted((a.id, b.id))
        link = session.scalar(
            select(ClaimLink).where(ClaimLink.claim_a_id == low, ClaimLink.claim_b_id == high)
        )
        if link is None:
            create_link(
                session,
                SEED_REVIEWER,
                NewLink(
                    claim_ids=(a.id, b.id),
                    relation=relation,
                    state=LinkState.CONFIRMED,
                    rationale=entry["rationale"],
                ),
            )
        elif link.state == LinkState.SUGGESTED:
            review_link(
                session,
                SEED_REVIEWER,
                link,
                state=LinkState.CONFIRMED,
                relation=relation,
                rationale=entry["rationale"],
            )
        else:
            continue
        done += 1
    return done
