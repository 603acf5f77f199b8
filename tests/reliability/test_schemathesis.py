"""Schemathesis against the live app: every operation, every check, then stateful sequences.

Requests are generated from our own OpenAPI document, valid and invalid alike, and every
response is checked against it (status documented, content type, headers, body schema, no
5xx, invalid input refused, valid input accepted, auth enforced, deleted resources gone).
The count of requests that reached the app is reported; `make soak` sends ≥ 20,000."""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, assume, given, seed, settings
from hypothesis.errors import FlakyReplay, FlakyStrategyDefinition, Unsatisfiable
from schemathesis.config import SchemathesisConfig
from schemathesis.engine.errors import is_inconsistent_replay
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import ApiKey
from tests.reliability.conftest import SOAK, Live, report, size

#: Examples per operation and stateful steps: ≥ 1,000 requests bounded, ≥ 20,000 in soak.
EXAMPLES = size(15, 450)
STATEFUL_EXAMPLES = size(20, 400)
#: Fresh suites allowed to complete them (see test_stateful_sequences_conform).
MAX_STATEFUL_SUITES = size(10, 60)


class RequestCounter:
    """WSGI middleware counting the requests that reach the app."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app, self.count, self.lock = app, 0, threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            self.count += 1
        return self.app(environ, start_response)


COUNTS: dict[str, int] = {}


@pytest.fixture(scope="module")
def counted(live: Live) -> Iterator[RequestCounter]:
    counter = RequestCounter(live.app.wsgi_app)
    live.app.wsgi_app = counter  # type: ignore[method-assign]
    yield counter
    report(
        "schemathesis",
        f"{counter.count} requests generated and sent, across "
        f"{len(list(_operations(live)))} operations; "
        f"failures: {COUNTS.get('failures', 0)}",
    )


CONFIG = Path(__file__).with_name("schemathesis.toml")


def _schema(live: Live) -> OpenApiSchema:
    config = SchemathesisConfig.from_dict(tomllib.loads(CONFIG.read_text()))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", live.app, config=config)
    admin = live.keys["admin"]["Authorization"]

    # The admin key as explicit auth: schemathesis knows it is valid, and its ignored_auth
    # check sends each secured request again without it and with a wrong one.
    @schema.auth()  # type: ignore[misc]
    class AdminKey:
        def get(self, case: Any, ctx: Any) -> str:
            return admin

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": data}

    return schema


def _operations(live: Live) -> Iterator[Any]:
    for result in _schema(live).get_all_operations():
        yield result.ok()


def _protected_key_ids(live: Live) -> set[int]:
    """The suite's own keys: revoking them would turn the rest of the run into 401s."""
    with Session(live.engine) as session:
        return set(session.scalars(select(ApiKey.id)).all())


@pytest.fixture(scope="module")
def api_schema(live: Live, counted: RequestCounter) -> OpenApiSchema:
    return _schema(live)


def test_every_operation_conforms(api_schema: OpenApiSchema, live: Live) -> None:
    """Each operation, with data that fits the schema and data that does not."""
    protected = _protected_key_ids(live)
    failures: list[str] = []
    for operation in _operations(live):
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=not SOAK,
                database=None,
                phases=[Phase.explicit, Phase.generate],
            )
            def run(case: Any) -> None:
                assume((case.path_parameters or {}).get("key_id") not in protected)
                case.call_and_validate()

            try:
                run()
            except Unsatisfiable:
                # Nothing to violate: an operation without parameters or body has no
                # schema-invalid request (the positive run covers it).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # one entry per operation and mode
                failures.append(f"{operation.label} [{mode}]: {exc}")
    COUNTS["failures"] = COUNTS.get("failures", 0) + len(failures)
    assert not failures, "\n\n".join(failures)


def test_stateful_sequences_conform(api_schema: OpenApiSchema, live: Live) -> None:
    """Sequences that follow the document's links (create, then read, edit, decide…).

    On the live database a suite can end early: Hypothesis replays a scenario prefix and the
    database has changed since (what an earlier step created is there the second time), so
    the replay draws differently (`Flaky`). Schemathesis's own runner counts that as success
    and stops; here a fresh suite, with the next fixed seed, runs the scenarios still owed,
    until STATEFUL_EXAMPLES scenarios have completed."""
    failures: list[str] = []
    completed = 0

    class Recording(api_schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            try:
                super().validate_response(response, case, *args, **kwargs)
            except BaseException as exc:
                failures.append(f"{case.operation.label}: {exc}")
                raise

        def teardown(self) -> None:
            nonlocal completed
            completed += 1
            super().teardown()

    suites = replays = 0
    while completed < STATEFUL_EXAMPLES and suites < MAX_STATEFUL_SUITES and not failures:
        machine = seed(suites)(Recording)  # deterministic, and a different suite each time
        suites += 1
        try:
            machine.run(
                settings=settings(
                    max_examples=STATEFUL_EXAMPLES - completed,
                    stateful_step_count=10,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    database=None,
                    # No shrinking: a failure is recorded as it happens, and replaying steps
                    # against a database they already changed would not reproduce it.
                    phases=[Phase.explicit, Phase.generate],
                )
            )
        except (FlakyStrategyDefinition, FlakyReplay):
            # Only a replay that drew differently; a failure that did not reproduce
            # (FlakyFailure) is a failure and is raised.
            replays += 1
        except AssertionError as exc:
            # Hypothesis asserts, rather than raising Flaky, when a replay draws past a value
            # an earlier run rejected (schemathesis's own runner tells these apart the same
            # way: the assertion comes from Hypothesis's data tree).
            if not is_inconsistent_replay(exc):
                raise
            replays += 1
    report(
        "schemathesis",
        f"stateful: {completed} scenarios run in {suites} suites "
        f"({replays} ended at a replay that drew differently on the changed database)",
    )
    if failures:
        COUNTS["failures"] = COUNTS.get("failures", 0) + len(failures)
    assert not failures, "\n\n".join(failures[:5])
    assert completed >= STATEFUL_EXAMPLES, (completed, suites)


def test_the_run_sent_enough_requests(counted: RequestCounter) -> None:
    """Runs after the two above (file order): ≥ 1,000 requests bounded, ≥ 20,000 in soak."""
    assert counted.count >= (20_000 if SOAK else 1_000), counted.count
