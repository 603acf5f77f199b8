"""Our Blueprint: flask-smorest's, with a parser that rejects unknown query parameters and
JSON strings no database text can hold."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import flask
from flask import request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.exceptions import NotModified
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser, abort


def _lone_surrogate(value: Any, path: str = "") -> str | None:
    """The path ("body", "items.0.text") of the first string holding a lone UTF-16
    surrogate, or None. JSON's \\ud800 escape decodes to one, and no UTF-8 text (Postgres's,
    a hash's input) can hold it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "_schema"
        return None
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _lone_surrogate(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


class StrictParser(FlaskParser):
    """A misspelt filter must be an error, not silently ignored."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE}

    def _raw_load_json(self, req: flask.Request) -> Any:
        data = super()._raw_load_json(req)
        field = _lone_surrogate(data)
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
