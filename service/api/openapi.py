"""The OpenAPI document describes every response the service really gives.

flask-smorest documents what the decorators say (the success response, 422 for arguments,
412/428 for ETags). The rest comes from plumbing every view shares, and is added here from
what each operation is, so a new route is documented by the same rules:

- every operation: 414 and 431 (the app's own limits on the URL and the headers, see
  `request_limits`), 503 (the database is down or too slow; retry) and 500;
- an operation with a path id: 404;
- an operation that needs a role (`x-required-role`): 401 and 403; reads too, because a
  deployment may require a key for reading (CLAIMDESK_READ_REQUIRES_KEY);
- a write: 400 (unparseable JSON), 409 (a uniqueness rule or a concurrent change), 413 (the
  body is over the limit), 415 (not JSON), 422 (the schema or an editorial rule), 429 (the
  rate limit);
- an operation with query arguments: 422.

Every error is `application/problem+json` (RFC 9457) with an example, and every success
response carries an example: real output of the demo seeds, trimmed, in
`schemas/examples.json` (a test validates each against the schema it illustrates).
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

from apispec import APISpec
from flask import request

import schemas
from service.api.errors import PROBLEM_MIMETYPE, problem

#: Longest URL (path and query string) and largest header block the app accepts.
#: Below gunicorn's request-line cap (8190 bytes with `claimdesk serve`), so that a long URL
#: reaches the app and gets this problem document; longer lines get gunicorn's own 414.
MAX_URL_BYTES = 8000
MAX_HEADER_BYTES = 16 * 1024

_WRITES = frozenset({"post", "put", "patch", "delete"})
_BODY_WRITES = frozenset({"post", "put", "patch"})
_METHODS = frozenset({"get", "head", "options", *_WRITES})

#: What each documented error means here, beyond its status phrase.
_MEANING: dict[int, str] = {
    400: "The body is not well-formed JSON.",
    401: "No API key, or an unknown or revoked one (`WWW-Authenticate: Bearer`). Reads need "
    "a key only where the deployment requires one.",
    403: "The key's role is below the role this operation needs (`x-required-role`).",
    404: "No such resource.",
    406: "None of the formats in `Accept` is offered (pass `format` instead).",
    412: "`If-Match` names an older version: read the resource again.",
    428: "The write needs `If-Match` with the ETag of the version it changes.",
    409: "A uniqueness rule refused the write, or a concurrent change conflicted with it: "
    "read again and retry.",
    413: "The request body is larger than the service accepts (5 MB by default).",
    414: f"The URL is longer than {MAX_URL_BYTES} bytes.",
    415: "The body is not `application/json`.",
    422: "An argument does not match the schema (`errors` names the location and the field) "
    "or an editorial rule refused the change (`rule`).",
    429: "Too many writes from this key, person or address; `Retry-After` says when to retry.",
    431: f"The request headers are larger than {MAX_HEADER_BYTES} bytes.",
    500: "An internal error; it has been logged.",
    503: "The database is unavailable or too slow; `Retry-After` says when to retry.",
}

_EXAMPLES: dict[int, dict[str, Any]] = {
    404: {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no claim 7"},
    422: {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "the request does not match the schema; see errors",
        "errors": {"json": {"rationale": ["Missing data for required field."]}},
    },
    401: {
        "type": "urn:claimdesk:problem:unauthenticated",
        "title": "Authentication required",
        "status": 401,
        "detail": "the API key is unknown or revoked",
    },
}


EXAMPLES_FILE = Path(schemas.__file__).with_name("examples.json")

#: Responses that are not one of our schemas: their media type, schema and example.
_DOCUMENTS: dict[str, tuple[str, dict[str, Any], str]] = {
    "/api/v1/claims/{claim_id}/claimreview": (
        "application/ld+json",
        {"type": "object"},
        "claimreview",
    ),
    "/api/v1/claims/{claim_id}/annotation": (
        "application/ld+json",
        {"type": "object"},
        "annotation",
    ),
    "/api/v1/exports/claimreview": (
        "application/ld+json",
        {"type": "array", "items": {"type": "object"}},
        "claimreview-export",
    ),
    "/api/v1/exports/claims.ndjson": ("application/x-ndjson", {"type": "string"}, "claims-ndjson"),
}

#: A stable, readable name for every operation (a generated client's method names). A route
#: without one stops the app from starting: name it here.
OPERATION_IDS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/documents"): "listDocuments",
    ("post", "/api/v1/documents"): "createDocument",
    ("get", "/api/v1/documents/{document_id}"): "getDocument",
    ("post", "/api/v1/documents/{document_id}/extract"): "extractDocument",
    ("get", "/api/v1/documents/{document_id}/claims"): "listDocumentClaims",
    ("get", "/api/v1/documents/{document_id}/copies"): "listDocumentCopies",
    ("get", "/api/v1/documents/{document_id}/revisions"): "listDocumentRevisions",
    ("get", "/api/v1/documents/{document_id}/revisions/{number}"): "getDocumentRevision",
    ("get", "/api/v1/documents/{document_id}/orphans"): "listDocumentOrphans",
    ("get", "/api/v1/documents/{document_id}/report"): "getDocumentReport",
    ("get", "/api/v1/documents/{document_id}/report.{text_format}"): "getDocumentReportText",
    ("get", "/api/v1/claims"): "listClaims",
    ("post", "/api/v1/claims"): "createClaim",
    ("get", "/api/v1/claims/{claim_id}"): "getClaim",
    ("patch", "/api/v1/claims/{claim_id}"): "updateClaim",
    ("put", "/api/v1/claims/{claim_id}/status"): "setClaimStatus",
    ("get", "/api/v1/claims/{claim_id}/history"): "getClaimHistory",
    ("get", "/api/v1/claims/{claim_id}/suggestions"): "suggestClaimLinks",
    ("get", "/api/v1/claims/{claim_id}/cluster"): "getClaimCluster",
    ("get", "/api/v1/claims/{claim_id}/fact-checks"): "listClaimFactChecks",
    ("get", "/api/v1/claims/{claim_id}/claimreview"): "getClaimReviewJsonLd",
    ("get", "/api/v1/claims/{claim_id}/annotation"): "getClaimAnnotation",
    ("get", "/api/v1/claims/{claim_id}/review"): "getClaimReview",
    ("put", "/api/v1/claims/{claim_id}/review"): "putClaimReview",
    ("get", "/api/v1/speakers"): "listSpeakers",
    ("post", "/api/v1/speakers"): "createSpeaker",
    ("get", "/api/v1/speakers/{speaker_id}"): "getSpeaker",
    ("patch", "/api/v1/speakers/{speaker_id}"): "updateSpeaker",
    ("post", "/api/v1/speakers/{speaker_id}/aliases"): "addSpeakerAlias",
    ("post", "/api/v1/speakers/{speaker_id}/merge"): "mergeSpeaker",
    ("get", "/api/v1/speakers/{speaker_id}/report"): "getSpeakerReport",
    ("get", "/api/v1/speakers/{speaker_id}/report.{text_format}"): "getSpeakerReportText",
    ("get", "/api/v1/links"): "listLinks",
    ("post", "/api/v1/links"): "createLink",
    ("get", "/api/v1/links/{link_id}"): "getLink",
    ("patch", "/api/v1/links/{link_id}"): "reviewLink",
    ("delete", "/api/v1/links/{link_id}"): "deleteLink",
    ("get", "/api/v1/copies/{copy_id}"): "getCopy",
    ("patch", "/api/v1/copies/{copy_id}"): "reviewCopy",
    ("get", "/api/v1/fact-checks"): "listFactChecks",
    ("post", "/api/v1/fact-checks"): "importFactChecks",
    ("get", "/api/v1/fact-checks/{fact_check_id}"): "getFactCheck",
    ("get", "/api/v1/fact-check-matches/{match_id}"): "getFactCheckMatch",
    ("patch", "/api/v1/fact-check-matches/{match_id}"): "reviewFactCheckMatch",
    ("get", "/api/v1/rating-labels"): "listRatingLabels",
    ("put", "/api/v1/rating-labels/{label}"): "setRatingLabel",
    ("get", "/api/v1/events"): "listEvents",
    ("get", "/api/v1/keys"): "listKeys",
    ("post", "/api/v1/keys"): "createKey",
    ("post", "/api/v1/keys/{key_id}/revoke"): "revokeKey",
    ("get", "/api/v1/reports/story"): "getStoryReport",
    ("get", "/api/v1/reports/story.{text_format}"): "getStoryReportText",
    ("get", "/api/v1/exports/claimreview"): "exportClaimReviews",
    ("get", "/api/v1/exports/claims.ndjson"): "exportClaimsNdjson",
    ("get", "/api/v1/webhooks"): "listWebhooks",
    ("post", "/api/v1/webhooks"): "createWebhook",
    ("get", "/api/v1/webhooks/{subscription_id}"): "getWebhook",
    ("patch", "/api/v1/webhooks/{subscription_id}"): "updateWebhook",
    ("delete", "/api/v1/webhooks/{subscription_id}"): "deleteWebhook",
    ("post", "/api/v1/webhooks/{subscription_id}/secret"): "rotateWebhookSecret",
    ("get", "/api/v1/webhooks/{subscription_id}/deliveries"): "listWebhookDeliveries",
    (
        "post",
        "/api/v1/webhooks/{subscription_id}/deliveries/{delivery_id}/replay",
    ): "replayWebhookDelivery",
    ("post", "/api/v1/webhooks/{subscription_id}/replay"): "replayWebhookEvents",
}

#: The header of every paginated list (one with an `after` cursor argument).
_LINK_HEADER = {
    "Link": {
        "description": 'The next page, `<URL>; rel="next"` (RFC 8288), keeping every filter '
        "of this request; absent on the last page.",
        "schema": {"type": "string"},
    }
}


def _success_examples(path: str, responses: dict[str, Any], examples: dict[str, Any]) -> None:
    """An example on each 2xx response, by the schema it returns (a list gets a list)."""
    for code, response in responses.items():
        if not code.startswith("2") or "$ref" in response:
            continue
        if path in _DOCUMENTS and code == "200":
            media, schema, name = _DOCUMENTS[path]
            example = examples[name]
            if media == "application/x-ndjson":
                example = json.dumps(example, ensure_ascii=False) + "\n"
            response["content"] = {media: {"schema": schema, "example": example}}
            if media == "application/x-ndjson":
                # The same lines as text/plain when Accept asks for it: a client generator
                # that knows no NDJSON (openapi-python-client skipped the operation) reads
                # them as text.
                response["content"]["text/plain"] = {"schema": schema, "example": example}
            continue
        for media in response.get("content", {}).values():
            schema = media.get("schema", {})
            ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
            name = str(ref or "").rsplit("/", 1)[-1]
            if name in examples:
                media["example"] = [examples[name]] if "items" in schema else examples[name]


def _component_name(status: int) -> str:
    words = re.split(r"[^A-Za-z]+", HTTPStatus(status).phrase)
    return "Problem" + "".join(w.capitalize() for w in words)


def _problem_response(status: int) -> dict[str, Any]:
    example = _EXAMPLES.get(status) or {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": _MEANING[status].split(":")[0].rstrip("."),
    }
    response: dict[str, Any] = {
        "description": _MEANING[status],
        "content": {
            PROBLEM_MIMETYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": example,
            }
        },
    }
    if status in (429, 503):
        response["headers"] = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"description": "Bearer challenge", "schema": {"type": "string"}}
        }
    return response


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {414, 431, 500, 503}
    if "{" in path:
        statuses.add(404)
    if operation.get("x-required-role") or method == "get":
        statuses |= {401, 403}
    if method in _WRITES:
        # Any write may carry a body, a DELETE too: it must be JSON (415), UTF-8 and not
        # too deep (400), and within the size limit (413).
        statuses |= {400, 409, 413, 415, 429}
    if method in _BODY_WRITES:
        statuses.add(422)
    query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
    if query or method == "get":
        # A read refuses query parameters it does not take (one without any, too).
        statuses.add(422)
    if any(p.get("name") == "format" for p in query):
        statuses.add(406)
    return statuses


def complete(spec: APISpec) -> None:
    """Add the shared error responses to every operation of `spec`, in place."""
    for status in _MEANING:
        spec.components.response(_component_name(status), _problem_response(status))
    examples = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    for path, item in spec._paths.items():  # apispec keeps no public view of its paths
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            operation_id = OPERATION_IDS.get((method, path))
            if operation_id is None:
                raise RuntimeError(
                    f"{method.upper()} {path} has no operationId: name it in OPERATION_IDS"
                )
            operation["operationId"] = operation_id
            responses: dict[str, Any] = operation.setdefault("responses", {})
            _success_examples(path, responses, examples)
            if method == "get" and any(
                p.get("in") == "query" and p.get("name") == "after"
                for p in operation.get("parameters", [])
            ):
                responses.get("200", {}).setdefault("headers", {}).update(_LINK_HEADER)
            # flask-smorest's own error responses (422, 412, 428, 409…) say application/json:
            # they are pointed at the problem+json ones with the rest.
            own = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            for status in sorted(_statuses(path, method, operation) | own):
                responses[str(status)] = {
                    "$ref": f"#/components/responses/{_component_name(status)}"
                }
            # No catch-all `default`: every status an operation can give is listed, and a
            # client (or schemathesis's status check, which a `default` silences) can hold
            # the service to the list.
            responses.pop("default", None)
    _links(spec._paths)
    _required_outputs(spec.components.schemas)
    # flask-smorest's application/json error responses are no longer referenced.
    for name in [n for n in spec.components.responses if not n.startswith("Problem")]:
        if name != "NOT_MODIFIED":
            del spec.components.responses[name]


#: Output schemas that are not named …Out.
_OUTPUTS = frozenset({"Event", "EventPage"})


def _required_outputs(schemas: dict[str, Any]) -> None:
    """Every field of an answer is always there (null where it has no value): said as
    `required`, so a generated client's models type them as present, not `X | Unset`. The
    reliability suite checks each answer against this (schemathesis' conformance check)."""
    for name, schema in schemas.items():
        if (name.endswith("Out") or name in _OUTPUTS) and schema.get("properties"):
            schema["required"] = sorted(schema["properties"])
        for prop in schema.get("properties", {}).values():
            _nullable_enum(prop)


def _nullable_enum(prop: dict[str, Any]) -> None:
    """`{"type": ["string", "null"], "enum": [..., null]}` (apispec's form of a nullable
    choice) as `anyOf` an enum and null: the same values, in the form client generators read
    as an optional enum (openapi-python-client made three classes of the first)."""
    kinds = prop.get("type")
    if not (isinstance(kinds, list) and "null" in kinds and None in prop.get("enum", [])):
        return
    values = [v for v in prop.pop("enum") if v is not None]
    prop.pop("type")
    prop["anyOf"] = [{"type": "string", "enum": values}, {"type": "null"}]


_ID_PARAM = re.compile(r"^(?P<collection>/api/v1/\w+)/\{(?P<param>\w+_id)\}(?P<rest>/.*)?$")


def _links(paths: dict[str, Any]) -> None:
    """OpenAPI links from each create (POST on a collection, 201) to every operation on the
    resource it made (`/collection/{x_id}…`, the id taken from the response body): what a
    client, or schemathesis's stateful run, does next with what it created."""
    for path, item in paths.items():
        match = _ID_PARAM.match(path)
        if not match:
            continue
        created = paths.get(match["collection"], {}).get("post", {}).get("responses", {})
        if "201" not in created:
            continue
        links = created["201"].setdefault("links", {})
        for method in item:
            if method not in _METHODS:
                continue
            name = method.capitalize() + "".join(
                part.capitalize() for part in re.split(r"[/{}_.]+", match["rest"] or "") if part
            )
            links[name or method.capitalize()] = {
                "operationRef": "#/paths/"
                + path.replace("~", "~0").replace("/", "~1")
                + f"/{method}",
                "parameters": {match["param"]: "$response.body#/id"},
            }


def request_limits() -> Any:
    """414 for a URL, 431 for a header block, beyond the app's limits (before any work).

    Both limits sit below gunicorn's own caps (a request line of 8190 bytes, header fields
    of 8190 bytes, 100 fields; see `claimdesk serve`), so what exceeds ours but not its gets
    this problem document. Beyond its caps gunicorn answers 414/431 itself, in HTML: the caps
    stay, because its parser's cost grows with the square of a line or header block."""
    url_bytes = len(request.environ.get("RAW_URI") or request.full_path)
    if url_bytes > MAX_URL_BYTES:
        return problem(414, f"the URL is {url_bytes} bytes; the limit is {MAX_URL_BYTES}")
    header_bytes = sum(len(k) + len(v) + 4 for k, v in request.headers.items())
    if header_bytes > MAX_HEADER_BYTES:
        return problem(
            431, f"the headers are {header_bytes} bytes; the limit is {MAX_HEADER_BYTES}"
        )
    return None
