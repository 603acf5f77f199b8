"""Report shaping on rows written for the test: independence, totals, what to look at first."""

from __future__ import annotations

from datetime import date

from service.reports.render import segments
from service.reports.shape import (
    ClaimRow,
    LinkEnd,
    attention,
    build_document_report,
    build_story,
    claim_entries,
)


def row(
    i: int, doc: int = 1, attribution: str = "author", cw: float = 0.8, **kw: object
) -> ClaimRow:
    values: dict[str, object] = {
        "id": i,
        "document_id": doc,
        "text": f"claim {i}",
        "span_start": 10 * i,
        "span_end": 10 * i + 5,
        "attribution": attribution,
        "claim_date": None,
        "date_precision": None,
        "status": "unreviewed",
        "checkworthiness": cw,
        "anchor_state": None,
        "review_flag": None,
        "speaker_id": None,
        "speaker_name": None,
        "speaker_kind": None,
        "document_title": None,
        "published_on": None,
        "document_url": None,
        "outlet": None,
    }
    values.update(kw)
    return ClaimRow(**values)  # type: ignore[arg-type]


def link(
    claim: int,
    other: int,
    doc: int,
    relation: str,
    state: str = "confirmed",
    attribution: str = "direct_quote",
) -> LinkEnd:
    return LinkEnd(
        link_id=claim * 100 + other,
        claim_id=claim,
        relation=relation,
        state=state,
        score=None,
        other_claim_id=other,
        other_text=f"claim {other}",
        other_status="unreviewed",
        other_attribution=attribution,
        words_changed=False,
        other_document_id=doc,
        other_document_title=None,
        other_published_on=date(2025, 1, doc),
        other_outlet=None,
        other_speaker=None,
    )


# documents: 1 (outlet 10), 2 (outlet 10, same outlet), 3 (outlet 20), 4 (derived from 3)
LINEAGE = {1: (10, None), 2: (10, None), 3: (20, None), 4: (None, 3), 5: (30, None)}


def test_independent_origins_skip_own_outlet_and_derivations() -> None:
    links = [
        link(1, 21, 2, "corroborates"),  # same outlet as the claim: not independent
        link(1, 31, 3, "same_claim"),
        link(1, 41, 4, "corroborates"),  # derived from 3: the same origin as 3
        link(1, 51, 5, "corroborates", "suggested"),  # not confirmed: not counted
    ]
    (entry,) = claim_entries([row(1)], links, LINEAGE)
    assert entry["independent_origins"] == 1
    assert entry["suggested_links"] == 1


def test_backing_that_rests_on_anonymous_sources_alone_is_said() -> None:
    anonymous = [link(1, 31, 3, "corroborates", attribution="anonymous")]
    (entry,) = claim_entries([row(1, cw=0.9, status="verified")], anonymous, LINEAGE)
    assert entry["independent_origins"] == 1
    assert entry["anonymous_backing"] is True
    assert attention([entry])[0]["reason"] == (
        "the claims backing it rest on anonymous sources alone"
    )
    # One named source among the backing is enough; backing from its own outlet is not
    # backing at all.
    named = [*anonymous, link(1, 51, 5, "corroborates")]
    assert claim_entries([row(1)], named, LINEAGE)[0]["anonymous_backing"] is False
    own = [link(1, 21, 2, "corroborates", attribution="anonymous")]
    assert claim_entries([row(1)], own, LINEAGE)[0]["anonymous_backing"] is False


def test_an_origin_that_may_be_a_copy_is_counted_and_said() -> None:
    # Documents 3 and 5 are two outlets; 5 is suggested as a copy of 3, not yet reviewed.
    links = [link(1, 31, 3, "corroborates"), link(1, 51, 5, "corroborates")]
    (entry,) = claim_entries([row(1, cw=0.9)], links, LINEAGE, copies=[(5, 3)])
    assert (entry["independent_origins"], entry["possible_copies"]) == (2, 1)
    assert (
        "1 of its 2 independent origin(s) may be a syndicated copy"
        in (attention([entry])[0]["reason"])
    )
    (alone,) = claim_entries([row(1)], links, LINEAGE)
    assert alone["possible_copies"] == 0


def test_attention_ranks_confirmed_conflicts_then_anonymous_then_suggested() -> None:
    claims = [
        row(1, cw=0.6),  # nobody backs it
        row(2, attribution="anonymous", cw=0.9),
        row(3, cw=0.7),  # suggested conflict
        row(4, cw=0.55),  # confirmed conflict
        row(5, cw=0.9, status="verified"),  # decided: not listed
        row(6, cw=0.2),  # not check-worthy: not listed
    ]
    links = [link(3, 31, 3, "conflicts", "suggested"), link(4, 41, 3, "conflicts")]
    items = attention(claim_entries(claims, links, LINEAGE))
    assert [a["claim_id"] for a in items] == [4, 2, 3, 1]
    assert items[2]["reason"] == (
        "1 possible conflict(s) suggested, to review; no independent corroboration"
    )


def test_totals_shares_by_whom_claims_rest_on() -> None:
    claims = [row(1, attribution="anonymous"), row(2), row(3, attribution="direct_quote")]
    t = build_document_report({}, claims, [link(3, 31, 3, "corroborates")], LINEAGE)["totals"]
    assert (t["share_anonymous"], t["share_author_alone"], t["share_named"]) == (
        0.333,
        0.333,
        0.333,
    )
    assert t["independently_corroborated"] == 1
    assert t["by_status"]["unreviewed"] == 3


def test_a_story_groups_same_claims_earliest_first() -> None:
    a = row(1, doc=3, published_on=date(2025, 3, 1))
    b = row(2, doc=1, published_on=date(2025, 1, 1))
    c = row(3, doc=5)
    links = [link(1, 2, 1, "same_claim"), link(2, 1, 3, "same_claim")]
    story = build_story("q", [a, b, c], links, LINEAGE, truncated=False)
    first = story["clusters"][0]
    assert [m["id"] for m in first["appearances"]] == [2, 1]
    assert first["independent_origins"] == 1
    assert len(story["clusters"]) == 2


def test_a_story_counts_no_origin_for_an_op_ed_backed_by_its_own_outlet() -> None:
    from service.domain.independence import Origin

    lineage = {1: Origin(10, None, opinion=True), 2: Origin(10, None), 3: Origin(20, None)}
    op_ed = row(1, doc=1)
    alone = build_story("q", [op_ed], [link(1, 21, 2, "corroborates")], lineage, False)
    assert alone["clusters"][0]["independent_origins"] == 0
    # Another outlet's reporting does back it.
    both = [link(1, 21, 2, "corroborates"), link(1, 31, 3, "corroborates")]
    story = build_story("q", [op_ed], both, lineage, False)
    assert story["clusters"][0]["independent_origins"] == 1
    # The document report agrees.
    (entry,) = claim_entries([op_ed], both, lineage)
    assert entry["independent_origins"] == 1


def test_highlight_segments_cover_the_body_once_even_when_spans_overlap() -> None:
    body = "0123456789abcdefghij"
    claims = [
        {"id": 1, "span": {"start": 2, "end": 8}},
        {"id": 2, "span": {"start": 5, "end": 12}},
        {"id": 3, "span": {"start": 6, "end": 7}},
    ]
    parts = segments(body, claims)
    assert "".join(text for text, _ in parts) == body
    assert [(text, c["id"] if c else None) for text, c in parts] == [
        ("01", None),
        ("234567", 1),
        ("89ab", 2),
        ("cdefghij", None),
    ]


def test_csv_cells_cannot_run_as_spreadsheet_formulas() -> None:
    import csv
    import io

    from service.reports.render import claims_csv

    claims = claim_entries(
        [row(1, text='=HYPERLINK("http://x")'), row(2, text="- a bullet"), row(3)], [], LINEAGE
    )
    rows = list(csv.DictReader(io.StringIO(claims_csv(claims))))
    assert [r["text"] for r in rows] == ['\'=HYPERLINK("http://x")', "'- a bullet", "claim 3"]


def test_a_conflict_verdicts_settle_is_listed_but_no_longer_open() -> None:
    # A verified claim whose conflicting claim elsewhere was ruled false kept showing
    # "1 confirmed conflicting claim(s) elsewhere" at the top of the report.
    from dataclasses import replace

    claims = [
        row(1, status="verified"),  # its conflict is ruled false: settled
        row(2, status="verified"),  # its conflict is undecided: open
        row(3, status="disputed"),  # against a verified claim: the editors took sides
        row(4),  # undecided, against a verified claim: open
        row(5, status="verified"),  # against another verified claim: the worst case, open
    ]
    links = [
        replace(link(1, 11, 2, "conflicts"), other_status="false"),
        link(2, 12, 2, "conflicts"),
        replace(link(3, 13, 2, "conflicts"), other_status="verified"),
        replace(link(4, 14, 2, "conflicts", state="suggested"), other_status="verified"),
        replace(link(5, 15, 2, "conflicts", state="suggested"), other_status="verified"),
    ]
    report = build_document_report({}, claims, links, {})
    by_id = {e["id"]: e for e in report["claims"]}
    assert [by_id[i]["open_conflicts"] for i in (1, 2, 3, 4, 5)] == [0, 1, 0, 1, 1]
    assert [by_id[i]["confirmed_conflicts"] for i in (1, 2, 3, 4, 5)] == [0, 1, 0, 0, 0]
    assert [x["settled"] for i in (1, 2, 3, 4, 5) for x in by_id[i]["conflicting"]] == [
        True,
        False,
        True,
        False,
        False,
    ]
    totals = report["totals"]
    assert (totals["open_conflicts"], totals["confirmed_conflicts"]) == (3, 1)
    assert totals["suggested_conflicts"] == 2
    assert totals["settled_conflicts"] == 2
    reasons = {a["claim_id"]: a["reason"] for a in report["attention"]}
    assert "conflicting" not in reasons.get(1, "")
    assert "1 confirmed conflicting claim(s) elsewhere" in reasons[2]


def test_markdown_shows_hostile_text_as_text() -> None:
    from markdown_it import MarkdownIt

    from service.reports.render import document_markdown

    hostile = "Mayor <script>alert(1)</script> said [click me](javascript:alert(1)) *twice* | ok"
    claims = [row(1, text=hostile, speaker_id=7, speaker_name="<img src=x onerror=alert(1)>")]
    report = build_document_report(
        {
            "id": 1,
            "title": "Ferry\n# Injected heading",
            "outlet": "A & B",
            "author": None,
            "published_on": None,
        },
        claims,
        [],
        LINEAGE,
    )
    source = document_markdown(report)
    assert "\n# Injected" not in source
    html = MarkdownIt("commonmark").enable("table").render(source)
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert "<em>" not in html
    # Every word is still there to read, as written.
    assert (
        "Mayor &lt;script&gt;alert(1)&lt;/script&gt; said [click me](javascript:alert(1))" in html
    )
    assert "<h1>Sourcing report: Ferry # Injected heading</h1>" in html
