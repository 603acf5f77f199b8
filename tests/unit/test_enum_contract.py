"""Every value the service writes is accepted where it reads it.

The rule, derived from the enums rather than listed by hand: a schema field that accepts some
values of one of the service's enums (a `OneOf` whose choices are that enum's values) accepts
all of them, unless it is an *action* that only some values make sense for (a review can only
confirm or reject), listed below with why. A value added to an enum (as `week` was to date
precisions, written by the extractor and refused on PATCH) therefore fails this test until every
reader takes it.
"""

from __future__ import annotations

import importlib
import pkgutil
from enum import StrEnum

from marshmallow import Schema, fields, validate

import schemas
from service.domain import enums

#: (schema, field): why it takes only some of its enum's values.
ACTIONS = {
    ("LinkCreate", "state"): "a new link starts suggested or confirmed, never rejected",
    ("LinkReview", "state"): "a review confirms or rejects",
    ("CopyReview", "state"): "a review confirms or rejects",
    ("MatchReview", "state"): "a review confirms or rejects",
    ("LabelSet", "status"): "a fact-check's rating maps to a verdict, not to a workflow state",
}


def _enums() -> list[type[StrEnum]]:
    return [
        e
        for e in vars(enums).values()
        if isinstance(e, type) and issubclass(e, StrEnum) and e is not StrEnum
    ]


def _schemas() -> list[type[Schema]]:
    found: dict[str, type[Schema]] = {}
    for info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"schemas.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value is not Schema:
                found[f"{value.__module__}.{value.__name__}"] = value
    return list(found.values())


def _choices(field: fields.Field) -> set[str] | None:
    inner = field.inner if isinstance(field, fields.List) else field
    for validator in inner.validators:
        if isinstance(validator, validate.OneOf):
            return {str(c) for c in validator.choices}
    return None


def test_readers_accept_every_value_of_their_enum() -> None:
    checked, refused = 0, []
    for schema in _schemas():
        for name, field in schema().fields.items():
            choices = _choices(field)
            if not choices:
                continue
            for enum in _enums():
                values = {e.value for e in enum}
                if not choices <= values or len(choices & values) < 1:
                    continue
                checked += 1
                missing = values - choices
                if missing and (schema.__name__, name) not in ACTIONS:
                    refused.append(f"{schema.__name__}.{name} refuses {sorted(missing)}")
    assert checked >= 15  # the rule looked at the enum-valued fields
    assert not refused, refused


def test_actions_listed_exist() -> None:
    """A stale exception would let a real gap through."""
    present = {(s.__name__, n) for s in _schemas() for n in s().fields}
    assert set(ACTIONS) <= present, set(ACTIONS) - present


def test_rule_catches_a_partial_reader() -> None:
    class Partial(Schema):
        date_precision = fields.String(validate=validate.OneOf(["day", "month", "year"]))

    choices = _choices(Partial().fields["date_precision"])
    assert choices is not None
    assert {p.value for p in enums.DatePrecision} - choices == {"week"}
