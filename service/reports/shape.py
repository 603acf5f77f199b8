"""Sourcing reports shaped from rows: pure Python, no database, no Flask.

Terms used in every format:
- *independent origins*: distinct origins among the documents whose claims are confirmed as
  corroborating the claim or as the same claim; documents of one outlet, or one derived from
  another, are one origin, and the claim's own origin does not count.
- *open conflict*: a conflicts link that is confirmed, or suggested and not yet rejected,
  and that no verdict has settled. It is *settled* once either claim is marked false (the
  conflicting statement is ruled wrong, or this one is), or once one is verified and the
  other disputed; a settled conflict is still listed (`settled: true`) but no longer
  counted as open.
- *named*, *anonymous*, *author alone*: whom the claim rests on (attribution kinds
  direct_quote, indirect, transcript_turn and document are named sources).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from service.domain.enums import Attribution, ClaimStatus, LinkRelation, LinkState
from service.domain.independence import DisjointSets, Lineage, is_opinion, origin_groups
from service.extraction import CHECKWORTHY

#: Items in an editor's "look at first" list.
ATTENTION_ITEMS = 10
ANONYMOUS = {Attribution.ANONYMOUS.value}
AUTHOR = {Attribution.AUTHOR.value}


def shown_date(day: date | None, precision: str | None) -> str | None:
    """A claim date as precise as it is known: "2006" for "last year", "2007-04" for a month,
    "week of 2007-04-02" for "last week", the day otherwise."""
    if day is None:
        return None
    if precision == "year":
        return f"{day.year}"
    if precision == "month":
        return f"{day.year}-{day.month:02d}"
    if precision == "week":
        return f"week of {day.isoformat()}"
    return day.isoformat()


@dataclass(frozen=True)
class ClaimRow:
    id: int
    document_id: int
    text: str
    span_start: int
    span_end: int
    attribution: str
    claim_date: date | None
    #: day, week, month or year: "last year" is stored as its 1 January, at year precision.
    date_precision: str | None
    status: str
    checkworthiness: float
    anchor_state: str | None
    #: The stored flag (a revision of the text); the computed one comes to claim_entries.
    review_flag: str | None
    speaker_id: int | None
    speaker_name: str | None
    speaker_kind: str | None
    document_title: str | None
    published_on: date | None
    document_url: str | None
    outlet: str | None


@dataclass(frozen=True)
class LinkEnd:
    link_id: int
    claim_id: int
    relation: str
    state: str
    score: float | None
    other_claim_id: int
    other_text: str
    other_status: str
    other_attribution: str
    #: Confirmed before the words under either claim last changed (a revision, an edit).
    words_changed: bool
    other_document_id: int
    other_document_title: str | None
    other_published_on: date | None
    other_outlet: str | None
    other_speaker: str | None


def settled(mine: str, theirs: str) -> bool:
    """Whether verdicts settle a conflict between claims of these statuses: either is false,
    or the editors took sides (one verified, the other disputed). Two verified claims that
    conflict are the worst case, not a settled one."""
    return ClaimStatus.FALSE in (mine, theirs) or {mine, theirs} == {
        ClaimStatus.VERIFIED,
        ClaimStatus.DISPUTED,
    }


def _other(link: LinkEnd, lineage: Lineage, mine: str | None = None) -> dict[str, Any]:
    return {
        "claim_id": link.other_claim_id,
        "text": link.other_text,
        "status": link.other_status,
        "document_id": link.other_document_id,
        "document_title": link.other_document_title,
        "outlet": link.other_outlet,
        "published_on": link.other_published_on,
        "speaker": link.other_speaker,
        "relation": link.relation,
        "state": link.state,
        "link_id": link.link_id,
        # An opinion piece's claim is listed, and backs no independence.
        "opinion": is_opinion(lineage, link.other_document_id),
        "words_changed": link.words_changed,
        "settled": mine is not None
        and link.relation == LinkRelation.CONFLICTS
        and settled(mine, link.other_status),
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def claim_entries(
    claims: list[ClaimRow],
    links: list[LinkEnd],
    lineage: Lineage,
    flags: dict[int, str] | None = None,
    copies: Sequence[tuple[int, int]] = (),
) -> list[dict[str, Any]]:
    """Each claim as the reports show it. `flags`: {claim id: warning} for verdicts that no
    longer hold what they needed (operations.claims.review_flags); `copies`: syndicated
    copies suggested and not yet reviewed, (copy, source) document pairs."""
    groups = origin_groups(lineage)
    # The origins if every suggested copy were confirmed: what `possible_copies` subtracts.
    merged = origin_groups(lineage, copies) if copies else groups
    by_claim: dict[int, list[LinkEnd]] = {}
    for link in links:
        by_claim.setdefault(link.claim_id, []).append(link)
    entries = []
    for c in claims:
        mine = by_claim.get(c.id, [])
        backing = [
            x
            for x in mine
            if x.state == LinkState.CONFIRMED
            and x.relation in (LinkRelation.CORROBORATES, LinkRelation.SAME_CLAIM)
        ]
        conflicting = [x for x in mine if x.relation == LinkRelation.CONFLICTS]
        still_open = [x for x in conflicting if not settled(c.status, x.other_status)]
        counted = [x for x in backing if not is_opinion(lineage, x.other_document_id)]
        own = groups.get(c.document_id, c.document_id)
        origins = {groups.get(x.other_document_id, x.other_document_id) for x in counted} - {own}
        if copies:
            mine_merged = merged.get(c.document_id, c.document_id)
            at_most = {merged.get(x.other_document_id, x.other_document_id) for x in counted}
            possible = len(origins) - len(at_most - {mine_merged})
        else:
            possible = 0
        # Backing from other origins, every claim of it attributed to an anonymous source.
        elsewhere = [
            x for x in counted if groups.get(x.other_document_id, x.other_document_id) != own
        ]
        anonymous_backing = bool(elsewhere) and all(
            x.other_attribution in ANONYMOUS for x in elsewhere
        )
        entries.append(
            {
                "id": c.id,
                "text": c.text,
                "span": {"start": c.span_start, "end": c.span_end},
                "speaker": {"id": c.speaker_id, "name": c.speaker_name, "kind": c.speaker_kind}
                if c.speaker_id
                else None,
                "attribution": c.attribution,
                "claim_date": c.claim_date,
                "date_precision": c.date_precision,
                "claim_date_shown": shown_date(c.claim_date, c.date_precision),
                "status": c.status,
                "checkworthiness": c.checkworthiness,
                "anchor_state": c.anchor_state,
                "review_flag": c.review_flag or (flags or {}).get(c.id),
                "document": {
                    "id": c.document_id,
                    "title": c.document_title,
                    "outlet": c.outlet,
                    "published_on": c.published_on,
                    "url": c.document_url,
                },
                "independent_origins": len(origins),
                "possible_copies": possible,
                "anonymous_backing": anonymous_backing,
                "corroborating": [_other(x, lineage) for x in backing],
                "conflicting": [_other(x, lineage, c.status) for x in conflicting],
                "open_conflicts": len(still_open),
                # A person confirmed these; the rest of open_conflicts the service suggested.
                "confirmed_conflicts": sum(1 for x in still_open if x.state == LinkState.CONFIRMED),
                "suggested_links": sum(1 for x in mine if x.state == LinkState.SUGGESTED),
            }
        )
    return entries


def totals(entries: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(entries)
    by_attribution = {a.value: 0 for a in Attribution}
    for e in entries:
        by_attribution[e["attribution"]] = by_attribution.get(e["attribution"], 0) + 1
    anonymous = sum(by_attribution[a] for a in ANONYMOUS)
    author = sum(by_attribution[a] for a in AUTHOR)
    by_status = {s.value: 0 for s in ClaimStatus if s != ClaimStatus.REJECTED}
    for e in entries:
        by_status[e["status"]] += 1
    corroborated = sum(1 for e in entries if e["independent_origins"] > 0)
    worthy = [e for e in entries if e["checkworthiness"] >= CHECKWORTHY]
    # Each conflicts link once (a link between two claims of the report is listed on both).
    conflict_states = {
        x["link_id"]: x["state"] for e in entries for x in e["conflicting"] if not x["settled"]
    }
    return {
        "claims": n,
        "checkworthy": len(worthy),
        "by_attribution": by_attribution,
        "share_anonymous": _share(anonymous, n),
        "share_author_alone": _share(author, n),
        "share_named": _share(n - anonymous - author, n),
        "independently_corroborated": corroborated,
        "share_independently_corroborated": _share(corroborated, n),
        "by_status": by_status,
        "verified": by_status[ClaimStatus.VERIFIED],
        "disputed": by_status[ClaimStatus.DISPUTED],
        "claims_with_open_conflicts": sum(1 for e in entries if e["open_conflicts"]),
        "open_conflicts": len(conflict_states),
        # What a reader may take as a conflict: a person confirmed it. A suggested one is the
        # service's guess, to review, and is counted apart.
        "confirmed_conflicts": sum(s == LinkState.CONFIRMED for s in conflict_states.values()),
        "suggested_conflicts": sum(s == LinkState.SUGGESTED for s in conflict_states.values()),
        # Conflicts verdicts have settled: still links, no longer open.
        "settled_conflicts": len(
            {x["link_id"] for e in entries for x in e["conflicting"] if x["settled"]}
        ),
        "unreviewed_checkworthy": sum(1 for e in worthy if e["status"] == ClaimStatus.UNREVIEWED),
        "to_review_again": sum(1 for e in entries if e["review_flag"]),
    }


def attention(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What an editor should look at first, one line per claim with every reason that applies,
    most urgent first: confirmed conflicts and verdicts to look at again (what they needed is
    gone, or the text under them changed), then undecided check-worthy claims resting on an
    anonymous source alone, then conflicts the service suggested (to review), then undecided
    check-worthy claims nobody independent backs. Within a rank, most check-worthy first."""
    items: list[tuple[int, float, int, str, dict[str, Any]]] = []
    for e in entries:
        open_worthy = e["status"] == ClaimStatus.UNREVIEWED and e["checkworthiness"] >= CHECKWORTHY
        confirmed = e["confirmed_conflicts"]
        suggested = e["open_conflicts"] - confirmed
        found: list[tuple[int, str]] = []
        if confirmed:
            found.append((0, f"{confirmed} confirmed conflicting claim(s) elsewhere"))
        if e["review_flag"]:
            found.append((0, f"to look at again: {e['review_flag']}"))
        changed = sum(x["words_changed"] for x in e["corroborating"] + e["conflicting"])
        if changed:
            found.append(
                (
                    0,
                    f"{changed} confirmed link(s) to check again: the words under one of its "
                    "claims changed after it was confirmed",
                )
            )
        if open_worthy and e["attribution"] in ANONYMOUS and not e["independent_origins"]:
            found.append((1, "rests on an anonymous source alone"))
        standing = e["status"] in (ClaimStatus.UNREVIEWED, ClaimStatus.VERIFIED)
        if standing and e["anonymous_backing"]:
            found.append((1, "the claims backing it rest on anonymous sources alone"))
        if standing and e["possible_copies"]:
            found.append(
                (
                    2,
                    f"{e['possible_copies']} of its {e['independent_origins']} independent "
                    "origin(s) may be a syndicated copy (a copy suggestion not reviewed)",
                )
            )
        if suggested:
            found.append((2, f"{suggested} possible conflict(s) suggested, to review"))
        if open_worthy and not e["independent_origins"] and e["attribution"] not in ANONYMOUS:
            found.append((3, "no independent corroboration"))
        if found:
            reason = "; ".join(text for _, text in found)
            items.append((found[0][0], -e["checkworthiness"], e["id"], reason, e))
    items.sort(key=lambda t: t[:3])
    return [
        {"claim_id": e["id"], "reason": reason, "text": e["text"], "status": e["status"]}
        for *_, reason, e in items[:ATTENTION_ITEMS]
    ]


def build_document_report(
    document: dict[str, Any],
    claims: list[ClaimRow],
    links: list[LinkEnd],
    lineage: Lineage,
    flags: dict[int, str] | None = None,
    copies: Sequence[tuple[int, int]] = (),
) -> dict[str, Any]:
    entries = claim_entries(claims, links, lineage, flags, copies)
    return {
        "document": document,
        "totals": totals(entries),
        "attention": attention(entries),
        "claims": entries,
    }


def build_story(
    q: str,
    claims: list[ClaimRow],
    links: list[LinkEnd],
    lineage: Lineage,
    truncated: bool,
    flags: dict[int, str] | None = None,
    copies: Sequence[tuple[int, int]] = (),
) -> dict[str, Any]:
    """The matching claims grouped by same-claim cluster (confirmed same_claim links among
    them), each group with its appearances earliest first and its combined corroboration."""
    entries = claim_entries(claims, links, lineage, flags, copies)
    same = DisjointSets(e["id"] for e in entries)
    for link in links:
        if (
            link.relation == LinkRelation.SAME_CLAIM
            and link.state == LinkState.CONFIRMED
            and link.other_claim_id in same.parent
        ):
            same.union(link.claim_id, link.other_claim_id)
    grouped: dict[int, list[dict[str, Any]]] = {}
    for e in entries:
        grouped.setdefault(same.find(e["id"]), []).append(e)
    groups = origin_groups(lineage)
    clusters: list[dict[str, Any]] = []
    for members in grouped.values():
        members.sort(
            key=lambda e: (
                e["document"]["published_on"] is None,
                e["document"]["published_on"] or date.min,
                e["id"],
            )
        )
        inside = {m["id"] for m in members}
        # Opinion pieces are no origin (independence.Origin.opinion), as appearances or as
        # backing; the first appearance's own origin is never counted, whatever its kind (an
        # op-ed backed by its own outlet's news has no independent backing).
        first = groups.get(members[0]["document"]["id"], members[0]["document"]["id"])
        own = {
            groups.get(m["document"]["id"], m["document"]["id"])
            for m in members
            if not is_opinion(lineage, m["document"]["id"])
        }
        backing = {
            groups.get(x["document_id"], x["document_id"])
            for m in members
            for x in m["corroborating"]
            if x["claim_id"] not in inside and not x["opinion"]
        }
        conflicts = {
            x["link_id"]: x["state"] for m in members for x in m["conflicting"] if not x["settled"]
        }
        clusters.append(
            {
                "first_appearance": members[0],
                "appearances": members,
                # Every origin the claim appears in or is backed from, minus one: how many
                # origins back its first appearance independently.
                "independent_origins": len((own | backing) - {first}),
                "open_conflicts": len(conflicts),
                "confirmed_conflicts": sum(s == LinkState.CONFIRMED for s in conflicts.values()),
            }
        )
    clusters.sort(key=lambda c: (-len(c["appearances"]), c["first_appearance"]["id"]))
    return {
        "query": q,
        "truncated": truncated,
        "totals": totals(entries),
        "clusters": clusters,
    }
