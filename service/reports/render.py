"""Reports in the formats editors and tools ask for: JSON (by the API schema), HTML,
Markdown and CSV. Pure functions of the report dicts (shape.py); HTML through Jinja2
templates with autoescaping and no external assets, so a saved page prints and opens offline.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from service.domain.enums import Attribution

FORMATS = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}

ATTRIBUTION_LABELS = {
    Attribution.DIRECT_QUOTE.value: "direct quote",
    Attribution.INDIRECT.value: "reported speech",
    Attribution.TRANSCRIPT_TURN.value: "speaker on a transcript",
    Attribution.DOCUMENT.value: "a document",
    Attribution.ANONYMOUS.value: "anonymous source",
    Attribution.AUTHOR.value: "the author alone",
}

_env = Environment(
    loader=PackageLoader("service.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["pct"] = lambda x: f"{round(100 * x)}%"
_env.globals["attribution_label"] = lambda a: ATTRIBUTION_LABELS.get(a, a)


def segments(body: str, claims: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any] | None]]:
    """The body cut into plain text and claim spans, in order. Overlapping spans (possible
    for hand-made claims) are clipped so that every character is shown exactly once."""
    out: list[tuple[str, dict[str, Any] | None]] = []
    at = 0
    for claim in sorted(claims, key=lambda c: (c["span"]["start"], c["id"])):
        if claim.get("anchor_state") == "orphaned":
            continue  # its span refers to an earlier revision of the text
        start, end = max(claim["span"]["start"], at), claim["span"]["end"]
        if end <= start:
            continue
        if start > at:
            out.append((body[at:start], None))
        out.append((body[start:end], claim))
        at = end
    if at < len(body):
        out.append((body[at:], None))
    return out


def _words(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, date):
        return x.isoformat()
    return str(x)


def document_html(
    report: dict[str, Any], formats: dict[str, str] | None = None, workspace: str | None = None
) -> str:
    # Claims are named by their ids, as the Markdown, the CSV, the API and the workspace name
    # them: a count from 1 shifted whenever a claim was rejected, and matched none of them.
    return _env.get_template("document.html").render(
        r=report,
        segments=segments(report["body"], report["claims"]),
        formats=formats or {},
        workspace=workspace,
    )


def claims_html(
    title: str,
    report: dict[str, Any],
    groups: list[dict[str, Any]],
    formats: dict[str, str] | None = None,
    workspace: str | None = None,
) -> str:
    return _env.get_template("claims.html").render(
        title=title, r=report, groups=groups, formats=formats or {}, workspace=workspace
    )


#: Characters that make Markdown out of text: emphasis, code, links and images, tables,
#: headings. Escaped with a backslash, they read as themselves.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def _md_cell(x: Any) -> str:
    """Text from an article, a title or a person, as Markdown that shows it and does nothing
    else: no raw HTML (<script>, <img onerror>), no link or heading of its own, on one line.
    Markdown reads the entities and escapes as the characters they stand for."""
    text = " ".join(_words(x).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_totals(t: dict[str, Any]) -> list[str]:
    return [
        "| | |",
        "|---|---|",
        f"| Claims | {t['claims']} ({t['checkworthy']} check-worthy) |",
        f"| Named sources | {t['share_named']:.0%} |",
        f"| Anonymous sources | {t['share_anonymous']:.0%} |",
        f"| Author alone | {t['share_author_alone']:.0%} |",
        f"| Independently corroborated | {t['share_independently_corroborated']:.0%} "
        f"({t['independently_corroborated']}) |",
        f"| Verified / disputed / false | {t['verified']} / {t['disputed']} / "
        f"{t['by_status']['false']} |",
        f"| Open conflicts | {t['confirmed_conflicts']} confirmed, {t['suggested_conflicts']} "
        f"suggested (to review); {t['settled_conflicts']} settled by verdicts |",
        f"| Unreviewed check-worthy | {t['unreviewed_checkworthy']} |",
        f"| To look at again | {t['to_review_again']} |",
    ]


def _conflicts_cell(c: dict[str, Any]) -> str:
    """A claim's conflicts as a reader should take them: confirmed, and suggested apart."""
    suggested = c["open_conflicts"] - c["confirmed_conflicts"]
    return f"{c['confirmed_conflicts']}" + (f" (+{suggested} suggested)" if suggested else "")


def _md_claims(claims: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| # | Claim | Speaker | Rests on | Status | Independent origins | Conflicts |",
        "|---|---|---|---|---|---|---|",
    ]
    decided = []
    for c in claims:
        speaker = c["speaker"]["name"] if c["speaker"] else ""
        lines.append(
            f"| {c['id']} | {_md_cell(c['text'])} | {_md_cell(speaker)} "
            f"| {ATTRIBUTION_LABELS.get(c['attribution'], c['attribution'])} | {c['status']}"
            + (" (to look at again)" if c.get("review_flag") else "")
            + " "
            f"| {c['independent_origins']} | {_conflicts_cell(c)} |"
        )
        if c.get("decision"):
            decided.append(c)
    if decided:
        lines += ["", "### Decisions", ""]
        for c in decided:
            d = c["decision"]
            urls = ", ".join(e["url"] or f"document {e['document_id']}" for e in c["evidence"])
            lines.append(
                f"- claim {c['id']}: {d['from'] or '—'} → {d['to']} by {_md_cell(d['by'])}"
                + (f": {_md_cell(d['rationale'])}" if d["rationale"] else "")
                + (f" (evidence: {_md_cell(urls)})" if urls else "")
            )
    checked = [c for c in claims if c.get("checked_elsewhere")]
    if checked:
        # As the HTML and JSON say it: confirmed, and strongly suggested apart.
        lines += ["", "### Already checked elsewhere", ""]
        for c in checked:
            for x in c["checked_elsewhere"]:
                lines.append(
                    f"- claim {c['id']}: {_md_cell(x['publisher'] or 'a fact-checker')}, "
                    f"{_md_cell(x['rating'] or 'no rating')} — {_md_cell(x['url'])}"
                    + (
                        ""
                        if x["state"] == "confirmed"
                        else f" (suggested, {x['confidence'] or 0:.2f})"
                    )
                )
    return lines


def document_markdown(report: dict[str, Any]) -> str:
    d = report["document"]
    head = " · ".join(_md_cell(x) for x in (d["outlet"], d["author"], d["published_on"]) if x)
    lines = [f"# Sourcing report: {_md_cell(d['title'] or 'document ' + str(d['id']))}", ""]
    if head:
        lines += [head, ""]
    if d.get("derived_from_id"):
        source = d.get("derived_from_title") or f"document {d['derived_from_id']}"
        lines += [f"Derived from “{_md_cell(source)}”: what the two share is not independent.", ""]
    lines += ["## Totals", "", *_md_totals(report["totals"]), ""]
    if report["attention"]:
        lines += ["## Look at first", ""]
        lines += [
            f"- claim {a['claim_id']}: {a['reason']} — “{_md_cell(a['text'])}”"
            for a in report["attention"]
        ]
        lines.append("")
    lines += ["## Claims", "", *_md_claims(report["claims"]), ""]
    return "\n".join(lines)


def claims_markdown(title: str, report: dict[str, Any], claims: list[dict[str, Any]]) -> str:
    lines = [f"# {_md_cell(title)}", "", "## Totals", "", *_md_totals(report["totals"]), ""]
    lines += ["## Claims", "", *_md_claims(claims), ""]
    return "\n".join(lines)


CSV_COLUMNS = [
    "claim_id",
    "document_id",
    "document_title",
    "outlet",
    "published_on",
    "text",
    "speaker",
    "attribution",
    "claim_date",
    "status",
    "review_flag",
    "checkworthiness",
    "independent_origins",
    "open_conflicts",
    "corroborating_claim_ids",
    "conflicting_claim_ids",
    "cluster",
    "checked_by",
    "decision_rationale",
    "evidence_urls",
    # Added since: at the end, so that a reader taking columns by position is not thrown.
    "date_precision",
    "confirmed_conflicts",
    # Who decided the status and when (the HTML and Markdown say so; `checked_by` is the
    # fact-checkers elsewhere that rated the claim).
    "decided_by",
    "decided_at",
    "possible_copies",
    "anonymous_backing",
]


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str | None) -> str:
    """Text for a spreadsheet: a cell opening like a formula ("=…", "+…", "-…", "@…") gets a
    leading apostrophe, so opening the CSV in a spreadsheet shows it instead of running it
    (OWASP's advice against CSV injection)."""
    text = text or ""
    return "'" + text if text.startswith(_FORMULA) else text


def claims_csv(claims: list[dict[str, Any]], cluster_of: dict[int, int] | None = None) -> str:
    """One row per claim; linked claims as space-separated ids. Free text is guarded
    against formula injection (_cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in claims:
        writer.writerow(
            [
                c["id"],
                c["document"]["id"],
                _cell(c["document"]["title"]),
                _cell(c["document"]["outlet"]),
                _words(c["document"]["published_on"]),
                _cell(c["text"]),
                _cell(c["speaker"]["name"] if c["speaker"] else None),
                c["attribution"],
                _words(c["claim_date"]),
                c["status"],
                _cell(c.get("review_flag")),
                c["checkworthiness"],
                c["independent_origins"],
                c["open_conflicts"],
                " ".join(str(x["claim_id"]) for x in c["corroborating"]),
                " ".join(str(x["claim_id"]) for x in c["conflicting"]),
                (cluster_of or {}).get(c["id"], ""),
                _cell(
                    "; ".join(
                        f"{x['publisher']}: {x['rating'] or 'no rating'}"
                        + ("" if x["state"] == "confirmed" else " (suggested)")
                        for x in c.get("checked_elsewhere", [])
                    )
                ),
                _cell((c.get("decision") or {}).get("rationale")),
                _cell(" ".join(e["url"] for e in c.get("evidence", []) if e["url"])),
                c["date_precision"] or "",
                c["confirmed_conflicts"],
                _cell((c.get("decision") or {}).get("by")),
                _words((c.get("decision") or {}).get("at")),
                c["possible_copies"],
                "yes" if c["anonymous_backing"] else "",
            ]
        )
    return out.getvalue()
