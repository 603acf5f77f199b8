"""Extraction as jobs on Postgres: queued with the document, run by real worker processes,
retried after a failure, and finished exactly once when a worker is killed mid-job.

These tests commit for real, on a scratch database migrated for each test."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from service.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.domain.enums import Role
from service.jobs import process_document
from service.models import Claim, Document, Event
from service.operations.actors import SYSTEM
from service.operations.auth import create_api_key

BODY = (
    "Harbour master Ingrid Solberg said the Nordhavn ferry carried 1.2 million passengers "
    "in 2023. The council voted 7-2 to raise the levy by 4 percent, officials said."
)


@pytest.fixture
def api(migrated_scratch: tuple[Engine, str]) -> tuple[FlaskClient, dict[str, str]]:
    engine, url = migrated_scratch
    with Session(engine) as session:
        _, secret = create_api_key(session, SYSTEM, name="jobs", role=Role.EDITOR)
        session.commit()
    app = create_app(Settings(database_url=url, data_dir=PROJECT_ROOT / ".data"), bind=engine)
    return app.test_client(), {"Authorization": f"Bearer {secret}"}


def _post(api: tuple[FlaskClient, dict[str, str]], body: str = BODY) -> Any:
    client, headers = api
    response = client.post("/api/v1/documents", json={"body": body}, headers=headers)
    assert response.status_code == 202, response.json
    return response


def _worker(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker", *args],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _until(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@contextmanager
def _claims_locked(engine: Engine) -> Iterator[None]:
    """While the block runs, writing claims waits (or times out): a worker stops inside its
    extraction transaction, after the document is marked extracting."""
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE claims IN SHARE MODE"))
        yield
        holder.rollback()


def _scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.scalar(text(sql), params)


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_a_posted_document_is_queued_with_its_job_and_a_worker_makes_it_ready(
    migrated_scratch: tuple[Engine, str], api: tuple[FlaskClient, dict[str, str]]
) -> None:
    engine, url = migrated_scratch
    response = _post(api)
    doc = response.json
    assert doc["state"] == "queued"
    assert response.headers["Location"] == f"/api/v1/documents/{doc['id']}"
    # The job was deferred in the request's own transaction.
    job = _scalar(
        engine,
        "SELECT status FROM procrastinate_jobs WHERE (args->>'document_id')::int = :id",
        id=doc["id"],
    )
    assert job == "todo"
    assert _scalar(engine, "SELECT count(*) FROM claims") == 0
    # The same body again is the same document, and no second job.
    client, headers = api
    again = client.post("/api/v1/documents", json={"body": BODY}, headers=headers)
    assert again.status_code == 200
    assert _scalar(engine, "SELECT count(*) FROM procrastinate_jobs") == 1

    worker = _worker(url, "--burst")
    assert worker.wait(timeout=120) == 0, worker.stderr.read() if worker.stderr else ""
    ready = client.get(f"/api/v1/documents/{doc['id']}").json
    assert ready["state"] == "ready"
    assert ready["attempts"] == 1
    assert ready["error"] is None
    assert client.get(f"/api/v1/documents/{doc['id']}/claims").json
    assert _scalar(engine, "SELECT status FROM procrastinate_jobs") == "succeeded"
    history = client.get(f"/api/v1/events?entity_type=documents&entity_id={doc['id']}").json[
        "events"
    ]
    assert [e["action"] for e in history] == ["document.created", "document.extracted"]


def test_wait_true_extracts_in_the_request_and_extract_false_only_stores(
    migrated_scratch: tuple[Engine, str], api: tuple[FlaskClient, dict[str, str]]
) -> None:
    engine, _ = migrated_scratch
    client, headers = api
    now = client.post("/api/v1/documents?wait=true", json={"body": BODY}, headers=headers)
    assert now.status_code == 201
    assert now.json["state"] == "ready"
    stored = client.post(
        "/api/v1/documents", json={"body": BODY + " Again.", "extract": False}, headers=headers
    )
    assert stored.status_code == 201
    assert stored.json["state"] == "stored"
    assert _scalar(engine, "SELECT count(*) FROM procrastinate_jobs") == 0
    bad = client.post("/api/v1/documents?wait=maybe", json={"body": "x y z"}, headers=headers)
    assert bad.status_code == 422
    assert "wait" in bad.json["errors"]["query"]


def test_a_failed_attempt_writes_nothing_and_the_last_one_marks_the_document_failed(
    migrated_scratch: tuple[Engine, str],
    api: tuple[FlaskClient, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, _ = migrated_scratch
    doc_id = _post(api).json["id"]

    def broken(*_: Any, **__: Any) -> Any:
        with Session(engine) as other:  # something was written before the failure
            other.execute(text("SELECT 1"))
        raise RuntimeError("the parser ran out of memory")

    monkeypatch.setattr("service.jobs.extract_claims", broken)
    with pytest.raises(RuntimeError):
        process_document(engine, doc_id, last_attempt=False, suggest_min=0.2)
    with Session(engine) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert (doc.state, doc.attempts) == ("queued", 1)
        assert doc.error == "RuntimeError: the parser ran out of memory"
    with pytest.raises(RuntimeError):
        process_document(engine, doc_id, last_attempt=True, suggest_min=0.2)
    with Session(engine) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert (doc.state, doc.attempts) == ("failed", 2)
        assert session.scalar(select(func.count()).select_from(Claim)) == 0
        # The end is in the document's history (and so delivered to webhooks); the retried
        # attempt is not.
        ends = session.scalars(
            select(Event.action).where(
                Event.entity_type == "documents",
                Event.entity_id == doc_id,
                Event.action == "document.failed",
            )
        ).all()
        assert ends == ["document.failed"]
    # Re-running a failed document loses nothing: it ends ready with its claims.
    monkeypatch.undo()
    client, headers = api
    rerun = client.post(f"/api/v1/documents/{doc_id}/extract", headers=headers)
    assert rerun.status_code == 200, rerun.json
    shown = client.get(f"/api/v1/documents/{doc_id}").json
    assert (shown["state"], shown["error"]) == ("ready", None)
    assert rerun.json["created"] == len(client.get(f"/api/v1/documents/{doc_id}/claims").json)


def test_a_failing_job_is_retried_by_the_queue_with_backoff(
    migrated_scratch: tuple[Engine, str], api: tuple[FlaskClient, dict[str, str]]
) -> None:
    engine, url = migrated_scratch
    doc_id = _post(api).json["id"]
    # The claims table is locked away from the worker's first attempt: a lock timeout fails
    # it, as a database hiccup would.
    with _claims_locked(engine):
        env_url = url + ("&" if "?" in url else "?") + "options=-c%20lock_timeout%3D500"
        first = _worker(env_url, "--burst")
        assert first.wait(timeout=120) == 0
    with Session(engine) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert doc.state == "queued"
        assert doc.error is not None
        assert "lock" in doc.error
    job = _scalar(engine, "SELECT status || ' ' || attempts FROM procrastinate_jobs")
    assert job == "todo 1", "retried later, not failed"
    # The retry waits (exponential backoff), then a worker finishes the document.
    _until(lambda: _scalar(engine, "SELECT scheduled_at <= now() FROM procrastinate_jobs"), 30)
    second = _worker(url, "--burst")
    assert second.wait(timeout=120) == 0
    assert _scalar(engine, "SELECT state FROM documents") == "ready"


def _fail_job(engine: Engine, document_id: int, days_ago: int) -> None:
    """Mark a document's job failed, every event of it `days_ago` days old."""
    job = "(SELECT id FROM procrastinate_jobs WHERE (args->>'document_id')::int = :id)"
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE procrastinate_jobs SET status = 'failed' WHERE id = {job}"),
            {"id": document_id},
        )
        conn.execute(
            text(f"INSERT INTO procrastinate_events (job_id, type) SELECT {job}, 'failed'"),
            {"id": document_id},
        )
        conn.execute(
            text(
                "UPDATE procrastinate_events SET at = at - make_interval(days => :days) "
                f"WHERE job_id = {job}"
            ),
            {"id": document_id, "days": days_ago},
        )


def test_a_worker_deletes_jobs_finished_longer_ago_than_it_keeps_them(
    migrated_scratch: tuple[Engine, str], api: tuple[FlaskClient, dict[str, str]]
) -> None:
    engine, url = migrated_scratch
    old = _post(api).json["id"]
    first = _worker(url, "--burst")
    assert first.wait(timeout=120) == 0
    # That job succeeded eight days ago; two others failed eight and five days ago; the
    # last one is new.
    with engine.begin() as conn:
        conn.execute(text("UPDATE procrastinate_events SET at = at - interval '8 days'"))
    old_failure = _post(api, BODY + " The harbour closed twice in 2022.").json["id"]
    _fail_job(engine, old_failure, 8)
    recent_failure = _post(api, BODY + " The port said so in 2021.").json["id"]
    _fail_job(engine, recent_failure, 5)
    new = _post(api, BODY + " Passenger numbers fell 3 percent in 2024.").json["id"]
    # Kept for six days (144 hours): the eight-day-old jobs go, whether they succeeded or
    # failed; the five-day-old failure and the job finished today stay.
    second = _worker(url, "--burst", "--keep-finished-jobs", "144")
    assert second.wait(timeout=120) == 0
    jobs = dict(_rows(engine, "SELECT (args->>'document_id')::int, status FROM procrastinate_jobs"))
    assert jobs == {recent_failure: "failed", new: "succeeded"}
    # Only the queue's bookkeeping went: the document keeps its state and claims.
    client, _ = api
    assert client.get(f"/api/v1/documents/{old}").json["state"] == "ready"
    assert client.get(f"/api/v1/documents/{old}/claims").json


def test_a_worker_killed_mid_job_leaves_the_document_to_be_finished_exactly_once(
    migrated_scratch: tuple[Engine, str], api: tuple[FlaskClient, dict[str, str]]
) -> None:
    engine, url = migrated_scratch
    doc_id = _post(api).json["id"]
    # Writing claims waits on the lock: the worker is stuck mid-extraction, with the
    # document marked extracting, when it is killed.
    with _claims_locked(engine):
        doomed = _worker(url, "--stalled-after", "2")
        _until(lambda: _scalar(engine, "SELECT state FROM documents") == "extracting")
        _until(
            lambda: (
                _scalar(
                    engine,
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()",
                )
                > 0
            )
        )
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    assert _scalar(engine, "SELECT status FROM procrastinate_jobs") == "doing"
    survivor = _worker(url, "--stalled-after", "2")
    try:
        _until(lambda: _scalar(engine, "SELECT state FROM documents") == "ready")
        _until(lambda: _scalar(engine, "SELECT status FROM procrastinate_jobs") == "succeeded")
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.wait(timeout=30)
    with Session(engine) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert doc.attempts == 2
        spans = session.execute(select(Claim.span_start, Claim.span_end)).all()
        assert spans
        assert len(spans) == len(set(spans)), "no claim was written twice"
        extracted = session.scalar(select(func.count()).where(Event.action == "document.extracted"))
        assert extracted == 1


def test_reports_and_exports_read_the_replica_when_one_is_configured(
    migrated_scratch: tuple[Engine, str], connection: Any, reviewer: dict[str, str]
) -> None:
    # The "replica" is the scratch database, empty but migrated; the primary is the test's
    # own transaction. What the primary holds is not in the reports until the replica has it.
    _, replica = migrated_scratch
    settings = Settings(database_read_url=replica, data_dir=PROJECT_ROOT / ".data")
    app = create_app(settings, bind=connection)
    client = app.test_client()
    try:
        doc = client.post("/api/v1/documents?wait=true", json={"body": BODY}, headers=reviewer)
        doc_id = doc.json["id"]
        assert client.get(f"/api/v1/documents/{doc_id}").status_code == 200
        assert client.get(f"/api/v1/documents/{doc_id}/report").status_code == 404
        with client.get("/api/v1/exports/claims.ndjson") as export:
            assert export.data == b""  # closing the stream returns its connection
        assert client.get(f"/api/v1/documents/{doc_id}/claims").json, "the primary has them"
    finally:
        app.extensions["claimdesk.report_sessionmaker"].kw["bind"].dispose()


def test_the_export_skips_no_claim_a_slower_transaction_commits_late(
    migrated_scratch: tuple[Engine, str],
) -> None:
    # A worker extracting a long document draws claim ids and commits later; a reviewer's
    # claim drawn after them commits first. A consumer that read the export in between must
    # still get the worker's claims when it resumes from its cursor.
    from service.operations.claims import NewClaim, create_claims
    from service.operations.documents import NewDocument, create_document
    from service.reports.exports import export_claims

    engine, _ = migrated_scratch

    def export(since: str | None) -> list[dict[str, Any]]:
        with Session(engine) as session:
            chunks = export_claims(session, since)
            return [json.loads(line) for chunk in chunks for line in chunk.splitlines()]

    with Session(engine) as session:
        slow_doc, _ = create_document(session, SYSTEM, NewDocument(body="The dam cost 4bn. Yes."))
        fast_doc, _ = create_document(session, SYSTEM, NewDocument(body="The pier cost 2bn. No."))
        session.commit()
        slow_id, fast_id = slow_doc.id, fast_doc.id
    slow = Session(engine)
    (late,) = create_claims(
        slow, SYSTEM, [NewClaim(document_id=slow_id, span_start=0, span_end=17)]
    )
    with Session(engine) as fast:
        (early,) = create_claims(
            fast, SYSTEM, [NewClaim(document_id=fast_id, span_start=0, span_end=18)]
        )
        fast.commit()
        early_id = early.id
    late_id = late.id
    assert late_id < early_id
    # The slower transaction still runs: the committed claim is listed (an export holds
    # nothing back), but its cursor stops before it, at the settled frontier.
    first = export(None)
    assert [x["id"] for x in first] == [early_id]
    slow.commit()
    slow.close()
    # Resuming lists the late claim, and the early one again: at least once, never lost.
    resumed = [x["id"] for x in export(first[-1]["cursor"])]
    assert sorted(resumed) == [late_id, early_id]
    # Once every older transaction on the server has ended (another session's open
    # transaction on it holds the frontier back too), the cursors move past both.
    deadline = time.monotonic() + 60
    while export(export(None)[-1]["cursor"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert export(export(None)[-1]["cursor"]) == []


def test_the_export_loses_no_claim_when_the_frontier_moves_between_batches(
    migrated_scratch: tuple[Engine, str], monkeypatch: Any
) -> None:
    # An export read in batches, the oldest transaction on the server ending between two
    # of them: the frontier is read once, so the later batch does not hand out a cursor past
    # a claim that committed in between. (Found by a reviewer helper.)
    from service.operations.claims import NewClaim, create_claims
    from service.operations.documents import NewDocument, create_document
    from service.reports import exports

    monkeypatch.setattr(exports, "EXPORT_BATCH", 1)
    engine, _ = migrated_scratch

    def lines(chunks: Any) -> list[dict[str, Any]]:
        return [json.loads(line) for chunk in chunks for line in chunk.splitlines()]

    with Session(engine) as s:
        body = "The dam cost 4bn. The pier cost 2bn. The road cost 1bn. Yes."
        doc, _ = create_document(s, SYSTEM, NewDocument(body=body))
        s.commit()
        doc_id = doc.id

    def claim(session: Session, start: int, end: int) -> int:
        new = NewClaim(document_id=doc_id, span_start=start, span_end=end)
        (c,) = create_claims(session, SYSTEM, [new])
        return c.id

    slow = Session(engine)
    late = claim(slow, 0, 17)  # a worker's transaction, still running
    with Session(engine) as s:
        early = claim(s, 18, 36)
        s.commit()
    with Session(engine) as s:
        later = claim(s, 37, 55)
        s.commit()
        f_txid = s.execute(text("select txid from claims where id=:i"), {"i": later}).scalar()

    reader = Session(engine)
    stream = exports.export_claims(reader, None)
    got = lines([next(stream)])  # `early`, unsettled: frontier cursor
    assert [x["id"] for x in got] == [early]
    slow.commit()
    slow.close()
    # wait until no older transaction is left anywhere on the server
    with engine.connect() as c:
        deadline = time.monotonic() + 60
        oldest = text("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
        while c.execute(oldest).scalar_one() <= f_txid:
            assert time.monotonic() < deadline
            c.rollback()
            time.sleep(0.2)
    got += lines(stream)  # `later`, now settled: its own cursor
    reader.close()
    assert [x["id"] for x in got] == [early, later]
    # The consumer resumes from the last cursor it read: the late claim never comes.
    with Session(engine) as s:
        resumed = [x["id"] for x in lines(exports.export_claims(s, got[-1]["cursor"]))]
    seen = {x["id"] for x in got} | set(resumed)
    assert late in seen, f"claim {late} lost; resumed={resumed}"
