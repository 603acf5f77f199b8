"""Our Blueprint: flask-smorest's, with a parser that rejects unknown query parameters and
JSON strings no database text can hold."""

from __future__ import annotations

from typing import Any

import flask
from flask import request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.exceptions import NotModified
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser, abort

from service.domain.text import lone_surrogate


class StrictParser(FlaskParser):
    """A misspelt filter must be an error, not silently ignored."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE}

    def _raw_load_json(self, req: flask.Request) -> Any:
        data = super()._raw_load_json(req)
        field = lone_surrogate(data)
        if field:
            abort(
                422,
                messages={
                    "json": {
                        field: [
                            "holds a lone UTF-16 surrogate (a \\ud800-\\udfff escape without "
                            "its pair): not text"
                        ]
                    }
                },
            )
        return data


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = StrictParser()

    def _check_not_modified(self, etag: str) -> None:
        """304 as flask-smorest answers it, with the ETag it matched: RFC 9110 (15.4.5) wants
        a 304 to carry the ETag a 200 would have, and a cache refreshes its copy by it."""
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and etag in request.if_none_match:
            error = NotModified()
            error.data = {"headers": {"ETag": f'"{etag}"'}}
            raise error
