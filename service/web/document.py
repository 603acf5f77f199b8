"""The document page: the article with its claims, the selected claim's panel, and every
form on it (reviews of links, copies and fact-check matches, decisions, corrections, splits,
added claims, links by hand, assignments and comments, the public review's text)."""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import case, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from service.api.context import db_session, settings
from service.domain.enums import (
    AnchorState,
    Attribution,
    ClaimStatus,
    DatePrecision,
    LinkRelation,
    LinkState,
    Role,
)
from service.domain.errors import DomainError, InvalidInput
from service.domain.rules import role_needed_for
from service.jobs import enqueue_extraction
from service.models import Claim, Document, DocumentCopy, Event, Speaker, User
from service.operations.assignments import assign, comment
from service.operations.claims import (
    DECIDED,
    ClaimChanges,
    EvidenceItem,
    NewClaim,
    claim_history,
    corroboration_and_warning,
    create_claim,
    decide_status,
    edit_claim,
    get_claim,
    split_claim,
)
from service.operations.copies import get_copy, review_copy
from service.operations.documents import NewDocument, submit_document
from service.operations.factchecks import get_match, matches_of, review_match
from service.operations.inbox import document_workspace, search_claims
from service.operations.links import (
    NewLink,
    create_link,
    get_link,
    links_by_other,
    review_link,
)
from service.operations.people import list_people
from service.operations.reviews import draft_of, save_review
from service.operations.revisions import get_revision, list_revisions
from service.operations.speakers import find_speaker_by_name, list_speakers
from service.operations.suggestions import suggestions_view
from service.reports.exports import RATINGS
from service.web import _role, blp, person_actor_of

#: What ingest says it did, by the key its redirect carries (operations.documents.Outcome).
INGESTED = {
    "created": "stored",
    "existing": "already stored",
    "revised": "stored as a new revision",
}


def _typed_text(name: str) -> str | None:
    """A text box's value without the spaces and new lines around it (a rationale saved
    after Enter kept its "\\r\\n"); None when nothing is left."""
    value = (request.form.get(name) or "").strip()
    return value or None


def _segments(body: str, claims: list[Claim]) -> list[tuple[str, Claim | None]]:
    """The body cut into plain runs and claim spans, so the page can highlight every claim
    in the text (a span overlapping one already shown stays plain)."""
    # An orphan's span refers to an earlier revision: it is listed, not highlighted.
    placed = [c for c in claims if c.anchor_state != AnchorState.ORPHANED]
    # Where spans overlap, a live claim wins over a rejected one (the halves of a split and a
    # claim added by hand over a rejected candidate), then the earlier start.
    shown: list[Claim] = []  # in text order, none overlapping
    starts: list[int] = []
    for claim in sorted(
        placed, key=lambda c: (c.status == ClaimStatus.REJECTED, c.span_start, c.id)
    ):
        at = bisect.bisect_right(starts, claim.span_start)
        if (at == 0 or shown[at - 1].span_end <= claim.span_start) and (
            at == len(shown) or claim.span_end <= shown[at].span_start
        ):
            shown.insert(at, claim)
            starts.insert(at, claim.span_start)
    out: list[tuple[str, Claim | None]] = []
    cursor = 0
    for claim in shown:
        out.append((body[cursor : claim.span_start], None))
        out.append((body[claim.span_start : claim.span_end], claim))
        cursor = claim.span_end
    out.append((body[cursor:], None))
    return out


@blp.get("/documents/<int:document_id>")
@login_required
def document_page(
    document_id: int,
    problem: str | None = None,
    status_code: int = 200,
    claim_id: int | None = None,
) -> Any:
    session = db_session()
    document, outlet, claims, every_link = document_workspace(session, document_id)
    # A rejected link is listed apart, so that a mistaken rejection can be taken back.
    links = {
        k: [r for r in rows if r.link.state != LinkState.REJECTED] for k, rows in every_link.items()
    }
    selected_id = (
        claim_id or request.args.get("claim", type=int) or request.form.get("claim", type=int)
    )
    selected = next((c for c in claims if c.id == selected_id), None)
    asked = request.args.get("claim")
    if selected is None and asked and problem is None and request.method == "GET":
        # An address naming a claim this document does not hold (mistyped, or of another
        # document): said, not silently ignored.
        problem = f"this document has no claim {asked[:20]}: choose one in the text"
        status_code = 404
    # The claim's own changes and its links' (suggested, reviewed, deleted), in order.
    history = claim_history(session, selected.id, links=True) if selected else []
    names = _names(session, history)
    backing, warning = (
        corroboration_and_warning(
            session, selected.id, selected.status, sum(1 for e in selected.evidence if e.url)
        )
        if selected
        else (None, None)
    )
    matched = matches_of(session, selected.id, rejected=True) if selected else []
    checked = [m for m in matched if m.state != LinkState.REJECTED]
    turned_down = [m for m in matched if m.state == LinkState.REJECTED]
    review = draft_of(session, selected) if selected and selected.status in RATINGS else None
    # On demand: fresh suggestions for the selected claim, or claims found by words to link.
    fresh = suggestions_view(session, selected) if selected and request.args.get("suggest") else []
    link_q = request.args.get("link_q", "").strip()[:200]
    candidates = (
        search_claims(session, link_q, 10, to_link_from=document_id) if selected and link_q else []
    )
    page = render_template(
        "document.html",
        document=document,
        outlet=outlet,
        claims=claims,
        orphaned=[c for c in claims if c.anchor_state == AnchorState.ORPHANED],
        revisions=list_revisions(session, document_id) if document.revision > 1 else [],
        copies=_copies_shown(session, document_id),
        segments=_segments(document.body, claims),
        links=links,
        rejected=[r for r in every_link.get(selected.id, []) if r.link.state == LinkState.REJECTED]
        if selected
        else [],
        selected=selected,
        history=history,
        backing=backing,
        warning=warning,
        checked=checked,
        turned_down=turned_down,
        review=review,
        can_publish=_role().allows(Role.EDITOR),
        problem=problem,
        can_review=_role().allows(Role.REVIEWER),
        can_decide=_role().allows(Role.REVIEWER),
        # Who said a decided claim, on whose word and when are an editor's to change.
        can_correct_decided=_role().allows(Role.EDITOR),
        decided=DECIDED,
        split_points=_split_points(selected) if selected else [],
        attributions=list(Attribution),
        precisions=list(DatePrecision),
        relations=list(LinkRelation),
        statuses=list(ClaimStatus),
        # Only what this person's role may choose (a reviewer was offered verdicts, then
        # refused them).
        may_set=lambda current, target: (
            target == current or _role().allows(role_needed_for(current, target))
        ),
        changes=lambda e: changes(e, names),
        other_claim=other_claim,
        fresh=fresh,
        people=list_people(session) if _role().allows(Role.REVIEWER) else [],
        link_q=link_q,
        candidates=candidates,
        # Every link of the selected claim, rejected ones too: a pair found again is pointed to,
        # never offered a second link (which would be refused).
        linked=links_by_other(session, selected.id) if selected and (fresh or candidates) else {},
        ingested=INGESTED.get(request.args.get("ingested", ""), ""),
        not_recorded=request.args.get("not_recorded") == "1",
        # What the person typed into the form that was refused, shown again rather than lost.
        typed=request.form if problem and request.method == "POST" else {},
        typed_at=request.path,
    )
    return page, status_code


def _copies_shown(session: Session, document_id: int) -> list[dict[str, Any]]:
    """The document's copy suggestions with the other document (and its outlet), in one
    statement."""
    other = aliased(Document)
    other_id = case(
        (DocumentCopy.document_id == document_id, DocumentCopy.source_id),
        else_=DocumentCopy.document_id,
    )
    rows = session.execute(
        select(DocumentCopy, other)
        .join(other, other.id == other_id)
        .where(or_(DocumentCopy.document_id == document_id, DocumentCopy.source_id == document_id))
        .order_by(DocumentCopy.id)
    ).all()
    return [
        {
            "suggestion": found,
            "other": doc,
            "other_outlet": doc.outlet.name if doc.outlet else None,
            "this_is_copy": found.document_id == document_id,
        }
        for found, doc in rows
    ]


@blp.get("/documents/<int:document_id>/revisions/<int:number>")
@login_required
def revision_page(document_id: int, number: int) -> Any:
    """One revision's changes against the one before, and the claims it orphaned."""
    session = db_session()
    document, outlet, claims, _ = document_workspace(session, document_id)
    try:
        revision = get_revision(session, document_id, number)
        previous = get_revision(session, document_id, number - 1) if number > 1 else None
    except DomainError as exc:
        return render_template("refused.html", reason=exc.detail), exc.status
    ops = _paragraph_diff(previous.body if previous else "", revision.body)
    return render_template(
        "revision.html",
        document=document,
        outlet=outlet,
        revision=revision,
        revisions=list_revisions(session, document_id),
        ops=ops,
        orphaned=[c for c in claims if c.anchor_state == AnchorState.ORPHANED],
        moved=[c for c in claims if c.anchor_state == AnchorState.MOVED and c.revision == number],
    )


def _paragraph_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(kind, paragraph) in reading order: 'same', 'removed' or 'added'."""
    a, b = old.split("\n"), new.split("\n")
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(("same", p) for p in a[i1:i2] if p.strip())
            continue
        out.extend(("removed", p) for p in a[i1:i2] if p.strip())
        out.extend(("added", p) for p in b[j1:j2] if p.strip())
    return out


def _review_refused(kind: str, entity: Any, document_id: int, what: str) -> Any | None:
    """The document page with the refusal when the person may not review, or the form was
    filled in on a version that has since changed; None when the review may go ahead."""
    if not _role().allows(Role.REVIEWER):
        return document_page(document_id, f"Reviewing {what} needs the reviewer role.", 403)
    stale = _stale(kind, entity, request.form.get("version", type=int))
    if stale:
        db_session().rollback()
        return document_page(document_id, stale, 409)
    return None


@blp.post("/reviews/<int:claim_id>")
@login_required
def save_review_submit(claim_id: int) -> Any:
    """An editor edits the review text of a decided claim and publishes or withdraws it."""
    session = db_session()
    document_id = request.form.get("document", type=int) or 0
    if not _role().allows(Role.EDITOR):
        return document_page(document_id, "Publishing reviews needs the editor role.", 403)
    action = request.form.get("action")
    version = request.form.get("version", type=int)
    if version is None:
        return document_page(
            document_id, "The form said not which version of the review it edits.", 422
        )
    try:
        save_review(
            session,
            person_actor_of(session),
            claim_id,
            headline=request.form.get("headline"),
            body=request.form.get("body"),
            published=True if action == "publish" else False if action == "withdraw" else None,
            version=version,
        )
    except DomainError as exc:
        session.rollback()
        return document_page(document_id, exc.detail, exc.status, claim_id=claim_id)
    session.commit()
    saved = {"publish": "Review published.", "withdraw": "Review withdrawn."}
    return _back_at(document_id, claim_id, saved.get(action or "", "Review saved."))


@blp.post("/fact-check-matches/<int:match_id>/review")
@login_required
def review_match_submit(match_id: int) -> Any:
    """A reviewer confirms or rejects a fact-check published elsewhere as checking a claim."""
    session = db_session()
    found = get_match(session, match_id, for_update=True)
    document_id = request.form.get("document", type=int) or 0
    refused = _review_refused("fact_check_matches", found, document_id, "fact-checks")
    if refused is not None:
        return refused
    try:
        review_match(
            session,
            person_actor_of(session),
            match_id,
            LinkState.CONFIRMED
            if request.form.get("decision") == "confirm"
            else LinkState.REJECTED,
            request.form.get("rationale", ""),
        )
    except DomainError as exc:
        session.rollback()
        return document_page(document_id, exc.detail, exc.status)
    session.commit()
    return _back_at(document_id, found.claim_id, f"Fact-check match {found.state}.")


@blp.post("/copies/<int:copy_id>/review")
@login_required
def review_copy_submit(copy_id: int) -> Any:
    """A reviewer confirms or rejects a suggested copy from the document page."""
    session = db_session()
    found = get_copy(session, copy_id, for_update=True)
    document_id = request.form.get("document", type=int) or found.document_id
    refused = _review_refused("document_copies", found, document_id, "copies")
    if refused is not None:
        return refused
    decision = request.form.get("decision")
    try:
        review_copy(
            session,
            person_actor_of(session),
            copy_id,
            LinkState.CONFIRMED if decision == "confirm" else LinkState.REJECTED,
            request.form.get("rationale", ""),
        )
    except DomainError as exc:
        session.rollback()
        return document_page(document_id, exc.detail, exc.status)
    session.commit()
    return redirect(url_for("web.document_page", document_id=document_id))


def _back_at(document_id: int, claim_id: int | str | None, saved: str) -> Any:
    """After a write: the document again, scrolled to the claim it was about (the page
    jumped to the top after every decision), with what was saved said on the panel."""
    if claim_id:
        flash(saved, "saved")  # shown on the claim's panel, the next page to load
    target = url_for("web.document_page", document_id=document_id, claim=claim_id or None)
    return redirect(target + (f"#c{claim_id}" if claim_id else ""))


def _stale(kind: str, entity: Any, version: int | None) -> str | None:
    """What changed since the form was shown, and by whom (the last event), or None."""
    if version == entity.version:
        return None
    last = db_session().scalar(
        select(Event)
        .where(Event.entity_type == kind, Event.entity_id == entity.id)
        .order_by(Event.id.desc())
        .limit(1)
    )
    who = (
        f"{last.actor} ({last.action}, {last.occurred_at:%Y-%m-%d %H:%M} UTC)"
        if last
        else "someone"
    )
    changed = ""
    if last is not None:
        fields = [f"{k}: {old!r} → {new!r}" for k, old, new in changes(last)]
        changed = f" What changed: {'; '.join(fields[:4])}." if fields else ""
    return (
        f"This changed while you were looking at it: {who} saved a newer version.{changed} "
        "Nothing of yours was saved; the page now shows the current state, so check it and "
        "apply your change again."
    )


#: Columns every change moves, or that the event says otherwise (a link's rationale is its
#: reason; its reasons and score are the suggestion's): not worth showing as "what changed".
_BOOKKEEPING = frozenset(
    {"version", "reviewed_at", "reviewed_by", "updated_at", "rationale", "reasons", "score"}
)


def other_claim(event: Event, claim_id: int) -> int | None:
    """The claim at the other end of a link event's link (None for any other event)."""
    if event.entity_type != "claim_links":
        return None
    shown = event.after or event.before or {}
    a, b = shown.get("claim_a_id"), shown.get("claim_b_id")
    return b if a == claim_id else a


def changes(
    event: Event, names: dict[tuple[str, Any], str] | None = None
) -> list[tuple[str, Any, Any]]:
    """(field, from, to) of what an event changed (for "what changed" and the history); with
    `names` (_names), a speaker or an assignee is shown by name, not by id."""
    if not event.before or not event.after:
        return []
    out = []
    for k in sorted(event.after):
        old, new = event.before.get(k), event.after.get(k)
        if k in _BOOKKEEPING or old == new:
            continue
        if names is not None and k in _NAMED:
            k, old, new = _NAMED[k], names.get((k, old), old), names.get((k, new), new)
        out.append((k, old, new))
    return out


#: Fields that hold the id of someone with a name, and what the history calls them.
_NAMED = {"speaker_id": "speaker", "assignee_id": "assignee"}


def _names(session: Session, history: list[Event]) -> dict[tuple[str, Any], str]:
    """The names of the speakers and people the history's changes name by id, in one
    statement (none when no change names one)."""
    wanted: dict[str, set[int]] = {k: set() for k in _NAMED}
    for e in history:
        if not (e.before and e.after):
            continue  # only a change (before and after) is shown with names
        for k in _NAMED:
            wanted[k] |= {v for v in (e.before.get(k), e.after.get(k)) if isinstance(v, int)}
    if not any(wanted.values()):
        return {}
    rows = session.execute(
        union_all(
            select(literal("speaker_id"), Speaker.id, Speaker.name).where(
                Speaker.id.in_(wanted["speaker_id"])
            ),
            select(literal("assignee_id"), User.id, User.name).where(
                User.id.in_(wanted["assignee_id"])
            ),
        )
    ).all()
    return {(k, i): name for k, i, name in rows}


@blp.post("/links/<int:link_id>/review")
@login_required
def review_link_submit(link_id: int) -> Any:
    session = db_session()
    document_id = request.form.get("document", type=int) or 0
    try:
        link = get_link(session, link_id, for_update=True)
    except DomainError as exc:
        # Gone since the page was shown (its claim replaced by a re-extraction, or the link
        # deleted): the page says so, it does not answer with the API's problem document.
        session.rollback()
        return document_page(document_id, f"{exc.detail}: it was removed meanwhile", exc.status)
    refused = _review_refused("claim_links", link, document_id, "links")
    if refused is not None:
        return refused
    decision = request.form.get("decision")
    relation = request.form.get("relation")
    try:
        review_link(
            session,
            person_actor_of(session),
            link,
            state=LinkState.CONFIRMED if decision == "confirm" else LinkState.REJECTED,
            relation=LinkRelation(relation) if relation in set(LinkRelation) else None,
            rationale=_typed_text("rationale"),
        )
    except DomainError as exc:
        session.rollback()
        return document_page(document_id, exc.detail, exc.status)
    session.commit()
    claim = request.form.get("claim", "")
    return _back_at(document_id, claim, f"Link {link.state}: {link.relation.replace('_', ' ')}.")


@blp.get("/claims/<int:claim_id>")
@login_required
def claim_page(claim_id: int) -> Any:
    """A claim by its id (as the API and the history name it): its document, opened at it."""
    claim = get_claim(db_session(), claim_id)
    return redirect(
        url_for("web.document_page", document_id=claim.document_id, claim=claim_id)
        + f"#c{claim_id}"
    )


@blp.post("/claims/<int:claim_id>/assign")
@login_required
def assign_claim_submit(claim_id: int) -> Any:
    def change(session: Session, claim: Claim) -> Claim:
        person = request.form.get("assignee", type=int)
        assign(session, person_actor_of(session), claim, person)
        return claim

    return _claim_write(claim_id, "Assigning a claim", change, "Assigned.")


@blp.post("/documents/<int:document_id>/assign")
@login_required
def assign_document_submit(document_id: int) -> Any:
    session = db_session()
    if not _role().allows(Role.REVIEWER):
        return document_page(document_id, "Assigning needs the reviewer role.", 403)
    document = session.get(Document, document_id, with_for_update={"of": Document})
    if document is None:
        return document_page(document_id)
    try:
        assign(session, person_actor_of(session), document, request.form.get("assignee", type=int))
    except DomainError as exc:
        session.rollback()
        return document_page(document_id, exc.detail, exc.status)
    session.commit()
    flash("Document assigned." if document.assignee_id else "Document unassigned.", "saved")
    return redirect(url_for("web.document_page", document_id=document_id))


@blp.post("/documents/<int:document_id>/revise")
@login_required
def revise_document_submit(document_id: int) -> Any:
    """A corrected text of the document as its next revision (pasting it into Ingest made a
    document of its own, and the workspace had no other way)."""
    session = db_session()
    if not _role().allows(Role.REVIEWER):
        return document_page(document_id, "Posting a revision needs the reviewer role.", 403)
    document = session.get(Document, document_id)
    if document is None:
        return document_page(document_id)
    body = (request.form.get("body") or "").replace("\r\n", "\n")
    try:
        doc, _, result = submit_document(
            session,
            person_actor_of(session),
            NewDocument(body=body, outlet=document.outlet.name if document.outlet else None),
            revision_of=document_id,
            queue=enqueue_extraction,
            suggest_min=settings().suggest_min,
        )
    except DomainError as exc:
        session.rollback()
        return document_page(document_id, exc.detail, exc.status)
    session.commit()
    if result is None:
        flash("Nothing stored: the text is the same as the current revision.", "saved")
    else:
        flash(
            f"Stored as revision {result.revision.number}: {len(result.anchored)} claims kept, "
            f"{len(result.moved)} moved, {len(result.orphaned)} orphaned"
            + (f", {len(result.flagged)} verdicts to look at again" if result.flagged else "")
            + "; new sentences are being extracted.",
            "saved",
        )
    return redirect(url_for("web.document_page", document_id=doc.id))


@blp.post("/claims/<int:claim_id>/comments")
@login_required
def comment_submit(claim_id: int) -> Any:
    session = db_session()
    claim = get_claim(session, claim_id)
    if not _role().allows(Role.REVIEWER):
        return document_page(
            claim.document_id, "Commenting needs the reviewer role.", 403, claim_id
        )
    try:
        comment(session, person_actor_of(session), claim, request.form.get("comment", ""))
    except DomainError as exc:
        session.rollback()
        return document_page(claim.document_id, exc.detail, exc.status, claim_id)
    session.commit()
    return redirect(
        url_for("web.document_page", document_id=claim.document_id, claim=claim_id) + "#history"
    )


@blp.post("/claims/<int:claim_id>/links")
@login_required
def link_submit(claim_id: int) -> Any:
    """Link the selected claim to another by hand (from the fresh suggestions or a search):
    confirmed with a rationale, or kept as a suggestion for someone else to review."""
    session = db_session()
    claim = get_claim(session, claim_id)
    if not _role().allows(Role.REVIEWER):
        return document_page(claim.document_id, "Linking needs the reviewer role.", 403, claim_id)
    relation = request.form.get("relation", "")
    try:
        if relation not in set(LinkRelation):
            raise InvalidInput("relation", "choose a relation")
        create_link(
            session,
            person_actor_of(session),
            NewLink(
                claim_ids=(claim_id, request.form.get("other", 0, type=int)),
                relation=LinkRelation(relation),
                state=LinkState.CONFIRMED
                if request.form.get("decision") == "confirm"
                else LinkState.SUGGESTED,
                rationale=_typed_text("rationale"),
            ),
        )
    except DomainError as exc:
        session.rollback()
        return document_page(claim.document_id, exc.detail, exc.status, claim_id)
    session.commit()
    return _back_at(claim.document_id, claim_id, "Linked.")


@blp.post("/claims/<int:claim_id>/status")
@login_required
def decide_submit(claim_id: int) -> Any:
    def change(session: Session, claim: Claim) -> Claim:
        status = request.form.get("status", "")
        url = request.form.get("evidence_url", "").strip()
        if status not in set(ClaimStatus):
            raise InvalidInput("status", "choose a status")
        return decide_status(
            session,
            person_actor_of(session),
            claim,
            ClaimStatus(status),
            _typed_text("rationale"),
            [EvidenceItem(url=url)] if url else [],
        )

    return _claim_write(claim_id, "Changing a claim's status", change, "Status saved.")


def _claim_write(
    claim_id: int, what: str, change: Callable[[Session, Claim], Claim], done: str
) -> Any:
    """What every claim form does: lock the claim, check the role (reviewer; the editorial
    rules ask more of verdicts) and the version the form was shown with, make the change,
    commit once, and show the page again, with the problem when it was refused."""
    session = db_session()
    claim = get_claim(session, claim_id, for_update=True)
    if not _role().allows(Role.REVIEWER):
        return document_page(claim.document_id, f"{what} needs the reviewer role.", 403, claim_id)
    stale = _stale("claims", claim, request.form.get("version", type=int))
    if stale:
        session.rollback()
        return document_page(claim.document_id, stale, 409, claim_id)
    try:
        shown = change(session, claim)
    except DomainError as exc:
        session.rollback()
        return document_page(claim.document_id, exc.detail, exc.status, claim_id)
    session.commit()
    return _back_at(claim.document_id, shown.id, done)


def _split_points(claim: Claim) -> list[tuple[int, str]]:
    """Where a claim can be split: after each word but the last (body offset, the words
    before it)."""
    out = []
    for m in re.finditer(r"\S+(?=\s+\S)", claim.text):
        words = claim.text[: m.end()].split()
        label = " ".join(words[-4:])
        out.append((claim.span_start + m.end(), ("… " if len(words) > 4 else "") + label))
    return out


@blp.post("/documents/<int:document_id>/claims")
@login_required
def add_claim_submit(document_id: int) -> Any:
    """A claim a person marked in the text (the span comes from the selection)."""
    session = db_session()
    if not _role().allows(Role.REVIEWER):
        return document_page(document_id, "Adding a claim needs the reviewer role.", 403)
    start = request.form.get("span_start", type=int)
    end = request.form.get("span_end", type=int)
    try:
        if start is None or end is None:
            raise InvalidInput("span", "select the words of the claim in the text")
        claim = create_claim(
            session,
            person_actor_of(session),
            NewClaim(document_id=document_id, span_start=start, span_end=end),
        )
    except DomainError as exc:
        session.rollback()
        return document_page(document_id, exc.detail, exc.status)
    session.commit()
    return redirect(url_for("web.document_page", document_id=document_id, claim=claim.id))


@blp.post("/claims/<int:claim_id>/split")
@login_required
def split_submit(claim_id: int) -> Any:
    def change(session: Session, claim: Claim) -> Claim:
        at = request.form.get("at", type=int) or 0
        return split_claim(session, person_actor_of(session), claim, at)[0]

    return _claim_write(claim_id, "Splitting", change, "Split in two.")


def _refuse_a_namesake(session: Session, name: str, new: bool) -> None:
    """A name that is no speaker's, but part of some (“Trump” for “Donald Trump”), is
    asked about, not made a new speaker of: unless the reviewer said it is a new one."""
    if not name or new or find_speaker_by_name(session, name) is not None:
        return
    alike = list_speakers(session, q=name, after=None, limit=4)[0]
    if alike:
        named = ", ".join(f"“{s.name}” (#{s.id})" for s in alike)
        raise InvalidInput(
            "speaker",
            f"no speaker is named “{name}”, but {named} "
            f"{'is' if len(alike) == 1 else 'are'} named alike: type the name you mean, or tick "
            "“a new speaker” to add this one",
        )


@blp.post("/claims/<int:claim_id>/edit")
@login_required
def edit_submit(claim_id: int) -> Any:
    """A reviewer corrects the speaker (picked by name, created if new), attribution or date."""

    def change(session: Session, claim: Claim) -> Claim:
        form = request.form
        values: dict[str, Any] = {}
        speaker = " ".join(form.get("speaker", "").split())
        if speaker != (claim.speaker.name if claim.speaker else ""):
            _refuse_a_namesake(session, speaker, bool(form.get("new_speaker")))
            values["speaker_id"], values["speaker_name"] = None, speaker or None
        if form.get("attribution") in set(Attribution) and form["attribution"] != claim.attribution:
            values["attribution"] = Attribution(form["attribution"])
        try:
            when = date.fromisoformat(form["claim_date"]) if form.get("claim_date") else None
        except ValueError:
            raise InvalidInput("claim_date", "not a date") from None
        precision = form.get("date_precision") or None
        if precision is not None and precision not in set(DatePrecision):
            raise InvalidInput("date_precision", f"not a precision: {precision[:40]!r}")
        if (when, precision) != (claim.claim_date, claim.date_precision):
            values["claim_date"] = when
            values["date_precision"] = DatePrecision(precision) if when and precision else None
        return edit_claim(
            session, person_actor_of(session), claim, ClaimChanges(values), form.get("reason")
        )

    return _claim_write(claim_id, "Correcting a claim", change, "Correction saved.")
