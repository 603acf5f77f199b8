"""Our Blueprint: flask-smorest's, with a parser that rejects unknown query parameters."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.exceptions import NotModified
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser


class StrictParser(FlaskParser):
    """A misspelt filter must be an error, not silently ignored."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE}


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = StrictParser()

    def _check_not_modified(self, etag: str) -> None:
        """304 as flask-smorest answers it, with the ETag it matched: RFC 9110 (15.4.5) wants
        a 304 to carry the ETag a 200 would have, and a cache refreshes its copy by it."""
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and etag in request.if_none_match:
            error = NotModified()
            error.data = {"headers": {"ETag": f'"{etag}"'}}
            raise error
