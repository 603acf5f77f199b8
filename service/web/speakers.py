"""Speakers: the list with aliases, merging two after a preview, undoing a fuzzy match."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from service.api.context import db_session
from service.domain.enums import Role
from service.domain.errors import DomainError, NotFound
from service.models import Speaker
from service.operations.inbox import claim_counts, speakers_page
from service.operations.speakers import (
    SpeakerChanges,
    edit_speaker,
    get_speaker,
    list_speakers,
    lock_for_merge,
    merge_candidates,
    merge_speakers,
    undo_fuzzy_alias,
)
from service.web import _role, blp, person_actor_of


@blp.get("/speakers")
@login_required
def speakers_list() -> str:
    session = db_session()
    q = request.args.get("q", "").strip()[:200] or None
    rows, cursor = speakers_page(session, q, request.args.get("after"))
    return render_template(
        "speakers.html",
        rows=rows,
        q=q or "",
        cursor=cursor,
        can_merge=_role().allows(Role.REVIEWER),
    )


@blp.get("/speakers/<int:speaker_id>/merge")
@login_required
def merge_preview(speaker_id: int) -> Any:
    """What a merge would do, before anyone does it."""
    session = db_session()
    source = get_speaker(session, speaker_id)
    into = request.args.get("into", type=int)
    target = get_speaker(session, into) if into else None
    q = request.args.get("q", "").strip()[:200]
    if target is not None and (target.id == source.id or target.merged_into_id is not None):
        refused = target  # said below; the choice is offered again
        target = None
    else:
        refused = None
    if target is None:
        # Whom to merge into: the speakers whose names share a part with this one's, or
        # those a name (or an id) typed here finds.
        if q.lstrip("#").isdigit():
            found = [s for s in [session.get(Speaker, int(q.lstrip("#")))] if s is not None]
        elif q:
            found = list_speakers(session, q=q, after=None, limit=10)[0]
        else:
            found = merge_candidates(session, source)
        offered = [s for s in found if s.id != source.id and s.merged_into_id is None]
    else:
        offered = []
    counts = claim_counts(session, [source.id, *(s.id for s in offered)])
    # A merge the server would refuse is not offered: said, with the way to the right one.
    problem, instead = None, None
    if source.merged_into_id is not None:
        problem = f"{source.name} was already merged into speaker {source.merged_into_id}."
    elif refused is not None and refused.id == source.id:
        problem = "A speaker cannot be merged into itself: choose another."
    elif refused is not None and refused.merged_into_id is not None:
        problem = f"{refused.name} (#{refused.id}) was itself merged into another speaker."
        instead = session.get(Speaker, refused.merged_into_id)
    names = list(dict.fromkeys([source.name, *(a.alias for a in source.aliases)]))
    return render_template(
        "merge.html",
        source=source,
        target=target,
        names=names,
        instead=instead,
        moving=counts.get(source.id, 0),
        offered=[(s, counts.get(s.id, 0)) for s in offered],
        q=q,
        problem=problem,
        can_merge=_role().allows(Role.REVIEWER),
    )


@blp.post("/speakers/<int:speaker_id>/merge")
@login_required
def merge_submit(speaker_id: int) -> Any:
    session = db_session()
    if not _role().allows(Role.REVIEWER):
        return render_template("refused.html", reason="Merging needs the reviewer role."), 403
    source, target = lock_for_merge(session, speaker_id, request.form.get("into", type=int) or 0)
    if source is None or target is None:
        raise NotFound(f"no speaker {speaker_id if source is None else request.form.get('into')}")
    if request.form.get("version", type=int) != source.version:
        session.rollback()
        return redirect(url_for("web.merge_preview", speaker_id=speaker_id, into=target.id)), 303
    try:
        merge_speakers(session, person_actor_of(session), source, target)
    except DomainError as exc:
        session.rollback()
        back = url_for("web.merge_preview", speaker_id=speaker_id)
        return render_template("refused.html", reason=exc.detail, back=back), exc.status
    session.commit()
    flash(f"Merged {source.name} into {target.name}.", "saved")
    return redirect(url_for("web.speakers_list", q=target.name))


@blp.post("/speakers/<int:speaker_id>/rename")
@login_required
def rename_submit(speaker_id: int) -> Any:
    """Rename a speaker; the old name stays an alias, so what matched it still does."""
    session = db_session()
    if not _role().allows(Role.REVIEWER):
        return render_template("refused.html", reason="Renaming needs the reviewer role."), 403
    speaker = get_speaker(session, speaker_id, for_update=True)
    back = url_for("web.speakers_list", q=speaker.name)
    if request.form.get("version", type=int) != speaker.version:
        session.rollback()
        reason = f"{speaker.name} changed since the page was shown: look again and rename it."
        return render_template("refused.html", reason=reason, back=back), 409
    try:
        edit_speaker(
            session,
            person_actor_of(session),
            speaker,
            SpeakerChanges(name=request.form.get("name", ""), sent=frozenset({"name"})),
        )
    except DomainError as exc:
        session.rollback()
        return render_template("refused.html", reason=exc.detail, back=back), exc.status
    session.commit()
    flash(f"Renamed: {speaker.name}.", "saved")
    return redirect(url_for("web.speakers_list", q=speaker.name))


@blp.post("/aliases/<int:alias_id>/undo")
@login_required
def undo_alias_submit(alias_id: int) -> Any:
    """Undo a fuzzy speaker match: the alias becomes its own speaker with its claims."""
    session = db_session()
    if not _role().allows(Role.REVIEWER):
        return render_template(
            "refused.html", reason="Undoing a match needs the reviewer role."
        ), 403
    try:
        new = undo_fuzzy_alias(session, person_actor_of(session), alias_id)
    except DomainError as exc:
        session.rollback()
        return render_template("refused.html", reason=exc.detail), exc.status
    session.commit()
    flash(f"{new.name} is a speaker of its own again.", "saved")
    return redirect(url_for("web.speakers_list", q=new.name))
