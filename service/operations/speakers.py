"""Speaker entities, their aliases, and merging two entities that are one person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from service.domain.enums import SpeakerKind
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.domain.text import tidy_name
from service.models import Claim, Speaker, SpeakerAlias
from service.operations.actors import Actor
from service.operations.events import record_event, snapshot
from service.operations.pagination import keyset_page, like_contains


def normalize_name(name: str) -> str:
    return tidy_name(name).casefold()


@dataclass(frozen=True)
class SpeakerChanges:
    name: str | None = None
    kind: SpeakerKind | None = None
    role: str | None = None
    description: str | None = None
    #: Which of the optional fields were sent (so that null can clear role/description).
    sent: frozenset[str] = frozenset()


def get_speaker(session: Session, speaker_id: int, *, for_update: bool = False) -> Speaker:
    speaker = session.get(
        Speaker, speaker_id, with_for_update=for_update, options=[selectinload(Speaker.aliases)]
    )
    if speaker is None:
        raise NotFound(f"no speaker {speaker_id}")
    return speaker


def lock_for_merge(
    session: Session, source_id: int, target_id: int
) -> tuple[Speaker | None, Speaker | None]:
    """The two speakers of a merge, locked FOR UPDATE in one statement in id order (None for
    one that does not exist), after the source's claims, which the merge moves.

    Every other writer locks claims before speakers: an extraction locks its document's
    claims, then the speakers its new claims name (in id order); an edit giving a claim
    another speaker locks the claim, then the speaker's key. Taken speakers first, a merge
    held both while its UPDATE waited for such a claim, and the writer waited for a speaker:
    a deadlock, and one of them failed. A merge that first waits for its claims holds no
    speaker meanwhile."""
    session.execute(
        select(Claim.id)
        .where(Claim.speaker_id == source_id)
        .order_by(Claim.id)
        .with_for_update(key_share=True)
    ).all()
    found = {
        s.id: s
        for s in session.scalars(
            select(Speaker)
            .where(Speaker.id.in_({source_id, target_id}))
            .order_by(Speaker.id)
            .with_for_update()
            .options(selectinload(Speaker.aliases))
            .execution_options(populate_existing=True)
        )
    }
    return found.get(source_id), found.get(target_id)


def find_speaker_by_name(session: Session, name: str) -> Speaker | None:
    """An active speaker whose name or an alias equals `name` (case and spacing folded)."""
    norm = normalize_name(name)
    stmt = (
        select(Speaker)
        .where(
            Speaker.merged_into_id.is_(None),
            or_(
                func.lower(Speaker.name) == norm,
                exists().where(
                    SpeakerAlias.speaker_id == Speaker.id, SpeakerAlias.normalized == norm
                ),
            ),
        )
        .order_by(Speaker.id)
        .limit(1)
    )
    return session.scalar(stmt)


def create_speaker(
    session: Session,
    actor: Actor,
    name: str,
    *,
    kind: SpeakerKind = SpeakerKind.PERSON,
    role: str | None = None,
    description: str | None = None,
) -> Speaker:
    name = tidy_name(name)
    if not name:
        raise InvalidInput("name", "a speaker needs a name")
    speaker = Speaker(name=name, kind=kind.value, role=role, description=description)
    speaker.aliases.append(
        SpeakerAlias(alias=name, normalized=normalize_name(name), match_score=1.0)
    )
    session.add(speaker)
    session.flush()
    record_event(session, actor, "speaker.created", speaker, after=snapshot(speaker))
    return speaker


def resolve_speaker(session: Session, actor: Actor, name: str) -> Speaker:
    """The existing speaker known by this name, or a new one."""
    return find_speaker_by_name(session, name) or create_speaker(session, actor, name)


def speakers_named(q: str) -> Any:
    """The ids of the speakers whose name or an alias holds `q` (case and spacing folded):
    "Arroyo" finds Miguel Arroyo, and a merged-in alias finds the speaker it now names."""
    return select(SpeakerAlias.speaker_id).where(
        SpeakerAlias.normalized.like(like_contains(normalize_name(q)))
    )


def list_speakers(
    session: Session, *, q: str | None, after: str | None, limit: int
) -> tuple[list[Speaker], str | None]:
    stmt = (
        select(Speaker)
        .where(Speaker.merged_into_id.is_(None))
        .options(selectinload(Speaker.aliases))
    )
    if q:
        pattern = like_contains(normalize_name(q))
        stmt = stmt.where(
            exists().where(
                SpeakerAlias.speaker_id == Speaker.id, SpeakerAlias.normalized.like(pattern)
            )
        )
    return keyset_page(session, stmt, [Speaker.id], after=after, limit=limit)


#: Name parts too common to say two speakers may be one ("Dr", "Jr", "of").
_NOT_A_NAME = frozenset({"mr", "mrs", "ms", "dr", "jr", "sr", "the", "of", "and", "de", "van"})


def merge_candidates(session: Session, speaker: Speaker, limit: int = 8) -> list[Speaker]:
    """Active speakers that may be this one: an alias of theirs holds the start of one of
    the two longest parts of its name ("Solbe" of "Ingrid Solberg" finds "Harbour Master
    Solberg"), most alike first. What a merge is offered, so nobody has to find and type an id."""
    parts = sorted(
        {p.strip(".,'’") for p in normalize_name(speaker.name).split()} - _NOT_A_NAME,
        key=lambda p: (-len(p), p),
    )
    # The first five letters of each: "Witkov" finds "Witkoff", "Solbergh" "Solberg".
    parts = [p[:5] for p in parts if len(p) >= 3][:2]
    if not parts:
        return []
    found = session.scalars(
        select(Speaker)
        .where(
            Speaker.merged_into_id.is_(None),
            Speaker.id != speaker.id,
            exists().where(
                SpeakerAlias.speaker_id == Speaker.id,
                or_(*(SpeakerAlias.normalized.like(like_contains(p)) for p in parts)),
            ),
        )
        .order_by(Speaker.id)
        .limit(50)
    ).all()
    alike = sorted(
        found,
        key=lambda s: (-fuzz.token_set_ratio(speaker.name.casefold(), s.name.casefold()), s.id),
    )
    return alike[:limit]


def edit_speaker(
    session: Session, actor: Actor, speaker: Speaker, changes: SpeakerChanges
) -> Speaker:
    if speaker.merged_into_id is not None:
        raise Conflict(
            f"speaker {speaker.id} was merged into {speaker.merged_into_id}; edit that one"
        )
    before = snapshot(speaker)
    if changes.name is not None:
        name = tidy_name(changes.name)
        if not name:
            raise InvalidInput("name", "a speaker needs a name")
        other = find_speaker_by_name(session, name)
        if other is not None and other.id != speaker.id:
            # Two speakers of one name: later claims by that name would go to either. One
            # person under two entries is a merge.
            raise Conflict(
                f"speaker {other.id} is already known as {name!r}: if they are one person, "
                f"merge speaker {speaker.id} into {other.id} instead"
            )
        if name != speaker.name:
            _attach_alias(speaker, speaker.name, 1.0)
            _attach_alias(speaker, name, 1.0)
            speaker.name = name
    if changes.kind is not None:
        speaker.kind = changes.kind.value
    if "role" in changes.sent:
        speaker.role = changes.role
    if "description" in changes.sent:
        speaker.description = changes.description
    session.flush()
    record_event(session, actor, "speaker.edited", speaker, before=before, after=snapshot(speaker))
    return speaker


def _attach_alias(speaker: Speaker, alias: str, score: float | None) -> SpeakerAlias | None:
    norm = normalize_name(alias)
    if any(a.normalized == norm for a in speaker.aliases):
        return None
    new = SpeakerAlias(alias=" ".join(alias.split()), normalized=norm, match_score=score)
    speaker.aliases.append(new)
    return new


def _touch(speaker: Speaker) -> None:
    """Aliases are part of the speaker: dirtying the row bumps its version (and ETag)."""
    speaker.updated_at = func.now()


def add_alias(
    session: Session, actor: Actor, speaker: Speaker, alias: str, match_score: float | None = None
) -> Speaker:
    alias = tidy_name(alias)
    if not alias:
        raise InvalidInput("alias", "an alias cannot be empty")
    if speaker.merged_into_id is not None:
        raise Conflict(f"speaker {speaker.id} was merged into {speaker.merged_into_id}")

    if _attach_alias(speaker, alias, match_score) is None:
        raise Conflict(f"speaker {speaker.id} already has the alias {alias!r}")
    _touch(speaker)
    session.flush()
    record_event(
        session, actor, "speaker.alias_added", speaker, after={"alias": alias, "score": match_score}
    )
    return speaker


def merge_speakers(session: Session, actor: Actor, source: Speaker, target: Speaker) -> Speaker:
    """Fold `source` into `target`: its claims move, its name and aliases become target's aliases.

    The source row stays, marked merged_into, so ids held by newsroom tools still resolve.
    """
    if source.id == target.id:
        raise InvalidInput("into", "a speaker cannot be merged into itself")
    if target.merged_into_id is not None:
        raise InvalidInput(
            "into", f"speaker {target.id} was itself merged into {target.merged_into_id}"
        )
    if source.merged_into_id is not None:
        raise Conflict(f"speaker {source.id} was already merged into {source.merged_into_id}")
    before_source, before_target = snapshot(source), snapshot(target)
    moved = session.execute(
        update(Claim).where(Claim.speaker_id == source.id).values(speaker_id=target.id)
    ).rowcount  # type: ignore[attr-defined]
    for alias in [source.name, *(a.alias for a in source.aliases)]:
        score = next((a.match_score for a in source.aliases if a.alias == alias), 1.0)
        _attach_alias(target, alias, score)
    # What the target does not say of the person, the source may ("city engineer").
    target.role = target.role or source.role
    target.description = target.description or source.description
    _touch(target)
    source.merged_into_id = target.id
    # Speakers merged into `source` before now point at `target`: an old id resolves in one
    # hop, and never to a speaker that is itself merged.
    earlier = list(
        session.scalars(
            select(Speaker).where(Speaker.merged_into_id == source.id).order_by(Speaker.id)
        )
    )
    for merged in earlier:
        before = snapshot(merged)
        merged.merged_into_id = target.id
        session.flush()
        record_event(
            session,
            actor,
            "speaker.edited",
            merged,
            before=before,
            after=snapshot(merged),
            reason=f"speaker {source.id}, which it was merged into, was merged into {target.id}",
        )
    session.flush()
    record_event(
        session,
        actor,
        "speaker.merged",
        source,
        before=before_source,
        after=snapshot(source) | {"claims_moved": moved},
    )
    record_event(
        session,
        actor,
        "speaker.merge_received",
        target,
        before=before_target,
        after=snapshot(target),
    )
    return target


def undo_fuzzy_alias(session: Session, actor: Actor, alias_id: int) -> Speaker:
    """Undo a match the matcher made by similarity: the alias leaves its speaker and becomes a
    speaker of its own, taking the claims whose text named it that way. Returns the new
    speaker. A person's own alias (score 1, or none) is not a guess and cannot be undone here."""
    alias = session.get(SpeakerAlias, alias_id, with_for_update=True)
    if alias is None:
        raise NotFound(f"no alias {alias_id}")
    if alias.match_score is None or alias.match_score >= 1.0:
        raise Conflict(f"alias {alias.alias!r} was not a fuzzy match")
    old = alias.speaker
    if old.merged_into_id is not None:
        raise Conflict(f"speaker {old.id} was merged into {old.merged_into_id}")
    before = snapshot(old)
    new = create_speaker(session, actor, alias.alias, kind=SpeakerKind(old.kind))
    written = session.execute(
        select(Claim.id, Claim.speaker_as_written).where(
            Claim.speaker_id == old.id, Claim.speaker_as_written.is_not(None)
        )
    ).all()
    ids = [i for i, name in written if name and normalize_name(name) == alias.normalized]
    if ids:
        session.execute(update(Claim).where(Claim.id.in_(ids)).values(speaker_id=new.id))
    moved = len(ids)
    session.delete(alias)
    _touch(old)
    session.flush()
    record_event(
        session,
        actor,
        "speaker.alias_undone",
        old,
        before=before,
        after=snapshot(old) | {"alias": alias.alias, "new_speaker": new.id, "claims_moved": moved},
        reason=f"fuzzy match ({alias.match_score:.2f}) undone",
    )
    return new
