"""Load the demo articles of seeds/ through the ordinary operations (idempotent)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from service.domain.enums import DocumentKind
from service.domain.errors import InvalidInput
from service.models import Document
from service.operations.actors import Actor
from service.operations.documents import NewDocument, ingest_document


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
    return results
