"""Speakers: search, create, edit, aliases, merge."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from schemas.speakers import (
    AliasCreate,
    SpeakerCreate,
    SpeakerMerge,
    SpeakerOut,
    SpeakerPatch,
    SpeakerQuery,
)
from service.api.blueprint import Blueprint
from service.api.context import current_actor, db_session, next_link, readable, requires
from service.domain.enums import Role, SpeakerKind
from service.domain.errors import Conflict, InvalidInput, NotFound
from service.models import Speaker
from service.operations.speakers import (
    SpeakerChanges,
    add_alias,
    create_speaker,
    edit_speaker,
    find_speaker_by_name,
    get_speaker,
    list_speakers,
    lock_for_merge,
    merge_speakers,
)

blp = Blueprint(
    "speakers",
    __name__,
    url_prefix="/api/v1/speakers",
    description="Who asserted a claim: people, organisations, unnamed sources.",
)


def speaker_etag(speaker: Speaker) -> dict[str, int]:
    return {"speaker": speaker.id, "version": speaker.version}


@blp.route("")
class Speakers(MethodView):
    @readable
    @blp.arguments(SpeakerQuery, location="query")
    @blp.response(200, SpeakerOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """List or search speakers by any part of a name or alias (merged ones are hidden)."""
        speakers, cursor = list_speakers(
            db_session(), q=query.get("q"), after=query.get("after"), limit=query["limit"]
        )
        return speakers, 200, next_link(cursor)

    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(SpeakerCreate)
    @blp.response(201, SpeakerOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a speaker entity (409 when one is already known by that name: claims by
        that name would go to either)."""
        session = db_session()
        known = find_speaker_by_name(session, data["name"])
        if known is not None:
            raise Conflict(
                f"speaker {known.id} is already known as {known.name!r}: use it, or give "
                "this one a name that tells them apart"
            )
        speaker = create_speaker(
            session,
            current_actor(),
            data["name"],
            kind=SpeakerKind(data["kind"]),
            role=data.get("role"),
            description=data.get("description"),
        )
        session.commit()
        blp.set_etag(speaker_etag(speaker))
        return speaker, 201, {"Location": f"/api/v1/speakers/{speaker.id}"}


@blp.route("/<int:speaker_id>")
class SpeakerById(MethodView):
    @readable
    @blp.etag
    @blp.response(200, SpeakerOut)
    def get(self, speaker_id: int) -> Any:
        """One speaker with aliases; a merged one shows `merged_into_id`."""
        speaker = get_speaker(db_session(), speaker_id)
        blp.set_etag(speaker_etag(speaker))
        return speaker

    @requires(Role.REVIEWER)
    @blp.etag
    @blp.arguments(SpeakerPatch)
    @blp.response(200, SpeakerOut)
    def patch(self, data: dict[str, Any], speaker_id: int) -> Any:
        """Edit name, kind, role or description (If-Match); an old name becomes an alias."""
        session = db_session()
        speaker = get_speaker(session, speaker_id, for_update=True)
        blp.check_etag(speaker_etag(speaker))
        kind = SpeakerKind(data["kind"]) if "kind" in data else None
        changes = SpeakerChanges(
            name=data.get("name"),
            kind=kind,
            role=data.get("role"),
            description=data.get("description"),
            sent=frozenset(data),
        )
        edit_speaker(session, current_actor(), speaker, changes)
        session.commit()
        blp.set_etag(speaker_etag(speaker))
        return speaker


@blp.route("/<int:speaker_id>/aliases")
class SpeakerAliases(MethodView):
    @requires(Role.REVIEWER)
    @blp.arguments(AliasCreate)
    @blp.response(201, SpeakerOut)
    def post(self, data: dict[str, Any], speaker_id: int) -> Any:
        """Record another name this speaker goes by (409 when another speaker goes by it:
        later claims by that name would go to either; that is a merge)."""
        session = db_session()
        speaker = get_speaker(session, speaker_id, for_update=True)
        other = find_speaker_by_name(session, data["alias"])
        if other is not None and other.id != speaker.id:
            raise Conflict(
                f"speaker {other.id} is already known as {other.name!r}: if they are one "
                f"person, merge one into the other instead"
            )
        add_alias(session, current_actor(), speaker, data["alias"], match_score=1.0)
        session.commit()
        return speaker


@blp.route("/<int:speaker_id>/merge")
class SpeakerMergeView(MethodView):
    @requires(Role.REVIEWER)
    @blp.arguments(SpeakerMerge)
    @blp.response(200, SpeakerOut)
    def post(self, data: dict[str, Any], speaker_id: int) -> Any:
        """Merge this speaker into `into`: claims move, names become aliases; returns the target."""
        session = db_session()
        source, target = lock_for_merge(session, speaker_id, data["into"])
        if source is None:
            raise NotFound(f"no speaker {speaker_id}")
        if target is None:
            raise InvalidInput("into", f"no speaker {data['into']}")
        merge_speakers(session, current_actor(), source, target)
        session.commit()
        return target
