"""Work off the request path: extraction, embedding and suggestions run as jobs on Postgres.

`POST /documents` stores the document in state `queued` and defers a job **in the same
transaction** (procrastinate's defer runs on the request's own connection), so a document is
never queued without its job nor a job left for a document that was rolled back. A worker
(`claimdesk worker`) takes the job and moves the document queued -> extracting -> ready, or to
failed with the error once every attempt has failed (retries back off exponentially).

Exactly once, whatever happens to a worker: the claims and the `ready` state are written in
one transaction that holds the document's row lock and first checks the state. A worker
killed mid-job leaves the document `extracting` and its job `doing` with a heartbeat that
stops; another worker finds the job stalled (no heartbeat for `stalled_after` seconds), puts it
back in the queue, and the retry finds nothing written. Two runs of one job cannot both
write: the second waits for the row lock and then sees `ready`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

import procrastinate
from procrastinate import JobContext, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from service.db import create_db_engine, libpq_url
from service.domain.enums import DocumentState, Role
from service.models import Document
from service.operations.actors import Actor
from service.operations.events import record_event, snapshot
from service.operations.extraction import extract_claims, mark_ready
from service.webhooks import delivery, outbox

log = logging.getLogger(__name__)

QUEUE = "extraction"
TASK = "claimdesk.extract_document"
#: Attempts before a document is marked failed; waits between them grow as 2 ** attempt s.
MAX_ATTEMPTS = 4
RETRY = RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, exponential_wait=2)
#: A worker whose heartbeat is older than this is taken for dead and its jobs re-queued.
STALLED_AFTER = 30.0
HEARTBEAT = 10.0
#: Finished jobs (succeeded, failed, cancelled, aborted) are deleted this many hours after they
#: finished. The document keeps its own state, attempts and error, and the events its history:
#: the job rows are only the queue's bookkeeping, and without this they grow by one per
#: document for ever.
KEEP_FINISHED_JOBS_HOURS = 168
#: How often a worker deletes them (it also does once when it starts).
CLEAN_EVERY = 3600.0
#: Changes a worker makes (extraction of queued documents).
WORKER = Actor(key_id=None, name="worker", role=Role.ADMIN)


@dataclass(frozen=True)
class Progress:
    """How far the documents of one batch have come."""

    queued: int
    extracting: int
    ready: int
    failed: int
    stored: int

    @property
    def pending(self) -> int:
        return self.queued + self.extracting


def _defer_app() -> procrastinate.App:
    """An app that only defers, on a connection it is handed (it never opens a pool)."""
    return procrastinate.App(connector=procrastinate.SyncPsycopgConnector())


_deferrer = _defer_app()


def enqueue_extraction(
    session: Session, document: Document, *, keep_existing: bool = False
) -> None:
    """Queue the document for a worker, in the caller's transaction (`keep_existing`: after
    a revision, only sentences no claim covers are extracted)."""
    document.state = DocumentState.QUEUED
    document.error = None
    session.flush()
    connection = session.connection().connection.driver_connection
    assert connection is not None
    try:
        # A savepoint on the connection the job is written through: a job already waiting
        # for this document is fine, and must not abort the caller's transaction. (The
        # session's begin_nested() emits its SAVEPOINT only when the session itself next
        # runs a statement, so the refused INSERT aborted the whole transaction.)
        with connection.transaction():
            _deferrer.configure_task(
                TASK,
                queue=QUEUE,
                queueing_lock=f"document:{document.id}",
                connection=connection,
            ).defer(document_id=document.id, keep_existing=keep_existing)
    except AlreadyEnqueued:
        pass


def _claim_for_extraction(engine: Engine, document_id: int) -> bool:
    """Mark the document extracting (committed, so that readers see it); False when there is
    nothing to do (gone, already ready, or stored without extraction)."""
    with Session(engine) as session:
        doc = session.get(Document, document_id, with_for_update={"of": Document})
        if doc is None or doc.state in (DocumentState.READY, DocumentState.STORED):
            return False
        doc.state = DocumentState.EXTRACTING
        doc.attempts += 1
        session.commit()
        return True


def process_document(
    engine: Engine,
    document_id: int,
    *,
    last_attempt: bool,
    suggest_min: float,
    keep_existing: bool = False,
) -> str:
    """Run one attempt at a queued document; returns the state it ends in. On failure the
    document is queued again (or failed on the last attempt) with the error, nothing else
    is written, and the exception is raised for the queue to retry."""
    if not _claim_for_extraction(engine, document_id):
        return "skipped"
    try:
        with Session(engine) as session:
            doc = session.get(Document, document_id, with_for_update={"of": Document})
            if doc is None or doc.state != DocumentState.EXTRACTING:
                return "skipped"  # another run finished it while this one waited
            before = snapshot(doc)
            result = extract_claims(session, WORKER, doc, suggest_min, keep_existing=keep_existing)
            mark_ready(session, WORKER, doc, result, before)
            session.commit()
            return DocumentState.READY
    except Exception as exc:
        with Session(engine) as session:
            doc = session.get(Document, document_id, with_for_update={"of": Document})
            if doc is not None and doc.state == DocumentState.EXTRACTING:
                before = snapshot(doc)
                doc.state = DocumentState.FAILED if last_attempt else DocumentState.QUEUED
                doc.error = f"{type(exc).__name__}: {exc}"[:2000]
                if last_attempt:
                    # The end of the document's extraction, as `document.extracted` is: in
                    # its history and to webhooks. An attempt that will be retried is not.
                    session.flush()
                    record_event(
                        session,
                        WORKER,
                        "document.failed",
                        doc,
                        before=before,
                        after=snapshot(doc),
                        reason=f"every attempt failed; the last: {doc.error}",
                    )
                session.commit()
        raise


def progress(session: Session, document_ids: Iterable[int]) -> Progress:
    counts = dict(
        session.execute(
            select(Document.state, func.count())
            .where(Document.id.in_(list(document_ids)))
            .group_by(Document.state)
        ).all()
    )
    return Progress(
        queued=counts.get(DocumentState.QUEUED, 0),
        extracting=counts.get(DocumentState.EXTRACTING, 0),
        ready=counts.get(DocumentState.READY, 0),
        failed=counts.get(DocumentState.FAILED, 0),
        stored=counts.get(DocumentState.STORED, 0),
    )


def worker_app(database_url: str, suggest_min: float) -> procrastinate.App:
    """The app a worker runs: its own pool, and the extraction task bound to an engine."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_url(database_url))
    )
    engine = create_db_engine(database_url, pool_size=2)

    @app.task(name=TASK, queue=QUEUE, retry=RETRY, pass_context=True)
    def extract_document(context: JobContext, document_id: int, keep_existing: bool = False) -> str:
        job = context.job
        last = job.attempts + 1 >= MAX_ATTEMPTS
        return process_document(
            engine,
            document_id,
            last_attempt=last,
            suggest_min=suggest_min,
            keep_existing=keep_existing,
        )

    @app.task(
        name=outbox.TASK, queue=outbox.QUEUE, retry=delivery.WebhookRetry(), pass_context=True
    )
    def deliver_webhook(context: JobContext, delivery_id: int) -> str:
        return delivery.deliver(engine, delivery_id, attempt_number=context.job.attempts + 1)

    del extract_document, deliver_webhook  # registered on the app by the decorators
    return app


#: The queues a worker takes by default: extraction and webhook deliveries.
QUEUES = (QUEUE, outbox.QUEUE)


async def remove_finished_jobs(app: procrastinate.App, keep_hours: int) -> None:
    """Delete this queue's jobs that finished more than `keep_hours` ago, whatever their end.
    Housekeeping: a failure (a lock or statement timeout, a dropped connection) is logged and
    tried again next time, never allowed to stop the worker or its sweeper."""
    try:
        for queue in QUEUES:
            await app.job_manager.delete_old_jobs(
                nb_hours=keep_hours,
                queue=queue,
                include_failed=True,
                include_cancelled=True,
                include_aborted=True,
            )
    except Exception:  # any failure here is only a cleanup postponed
        log.exception("deleting finished jobs failed; trying again in %.0f s", CLEAN_EVERY)


async def _housekeeping(
    app: procrastinate.App, stalled_after: float, every: float, keep_hours: int
) -> None:
    """Now and then: put the jobs of workers that stopped beating back in the queue, and
    (every CLEAN_EVERY seconds) delete old finished jobs."""
    cleaned = asyncio.get_running_loop().time()
    while True:
        try:
            stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after)
            for job in stalled:
                log.warning("job %s of a stalled worker goes back in the queue", job.id)
                await app.job_manager.retry_job(job)
        except Exception:  # the sweeper must outlive a database hiccup
            log.exception("looking for stalled jobs failed; trying again in %.0f s", every)
        if asyncio.get_running_loop().time() - cleaned >= CLEAN_EVERY:
            await remove_finished_jobs(app, keep_hours)
            cleaned = asyncio.get_running_loop().time()
        await asyncio.sleep(every)


#: Jobs a worker process runs at once. A job waits on Postgres for about a third of its time
#: (vectors into the HNSW index, candidate reads, writes); with two at once, one job's waits
#: are the other's parsing (bench.scale.per_core, one core: 0.41-0.48 s an article against
#: 0.50-0.52 with one, 48 articles at 1M claims) for a peak RSS of 384 MB against 367 (the
#: 400 MB budget holds). spaCy parses and the encoder encodes one at a time in a process.
CONCURRENCY = 2


def warm_models() -> None:
    """Load the parser and the sentence encoder, and run each once, before the first job: a
    worker's models load in about a second a core, which the first document would otherwise
    wait for (and two first jobs at once would wait for together)."""
    from service.extraction import extract
    from service.linking import semantic

    started = time.perf_counter()
    found = extract("The council said on Monday that the bridge cost 4 million dollars in 2023.")
    semantic.stored_vectors([c.text for c in found] or ["a sentence"])
    log.info("models loaded in %.1f s", time.perf_counter() - started)


def run_worker(
    database_url: str,
    suggest_min: float,
    *,
    concurrency: int = CONCURRENCY,
    stalled_after: float = STALLED_AFTER,
    heartbeat: float = HEARTBEAT,
    burst: bool = False,
    keep_finished_jobs_hours: int = KEEP_FINISHED_JOBS_HOURS,
    queues: Iterable[str] = QUEUES,
) -> None:
    """Run a worker until it is stopped (Ctrl-C, SIGTERM), or until the queue is empty with
    `burst`. Extraction is CPU-bound: run one worker process per core (each runs
    `concurrency` jobs at once, so that one job's waits on Postgres are the other's work)."""
    queues = tuple(queues)
    app = worker_app(database_url, suggest_min)
    if QUEUE in queues:
        # A model that fails to load fails the jobs that need it, not the worker: its
        # webhook deliveries go on.
        try:
            warm_models()
        except Exception:
            log.exception("the models could not be loaded before the first job")
    # The code and the models live as long as the worker: frozen, the collector no longer walks
    # them in every full collection of a job's garbage.
    gc.freeze()

    async def main() -> None:
        async with app.open_async():
            await remove_finished_jobs(app, keep_finished_jobs_hours)
            sweeper = asyncio.create_task(
                _housekeeping(
                    app, stalled_after, max(1.0, stalled_after / 3), keep_finished_jobs_hours
                )
            )
            try:
                await app.run_worker_async(
                    queues=list(queues),
                    concurrency=concurrency,
                    wait=not burst,
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=stalled_after,
                )
            finally:
                sweeper.cancel()

    asyncio.run(main())
