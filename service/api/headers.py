"""Headers every answer carries: no MIME sniffing, no framing, no referrer to other sites,
and a script policy on HTML pages."""

from __future__ import annotations

from flask import Response, request

#: HTML pages (workspace, reports) run no inline script: scripts only from this origin.
#: Their stylesheets are inline <style> blocks, hence 'unsafe-inline' for styles alone.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

#: Every answer's, whatever it is.
ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
#: The script policy of everything but HTML pages.
NO_FRAMES = "frame-ancestors 'none'"


def security_headers(response: Response) -> Response:
    """Headers on every response: no MIME sniffing, no framing (clickjacking), no referrer
    to other sites, and a script policy on HTML pages. The API docs page (Swagger UI) starts
    with an inline script of its own, so it gets only the framing rule."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    page = response.mimetype == "text/html" and not request.path.startswith("/api/v1/docs")
    for name, value in (*ALWAYS, ("Content-Security-Policy", PAGE_CSP if page else NO_FRAMES)):
        if name.lower() not in present:  # a view's own value stays
            headers.add(name, value)
    return response
