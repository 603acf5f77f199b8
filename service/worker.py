"""`python -m service.worker`: an extraction worker process that loads only what jobs need
(not the web app, HTML ingest or the rest of the CLI); `claimdesk worker` runs the same."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import click

from service import jobs
from service.config import Settings
from service.db import embedded_server_url
from service.extraction import nlp
from service.webhooks.delivery import DeliveryFailed


def options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The worker's options, shared by `claimdesk worker` and `python -m service.worker`."""
    for option in reversed(
        (
            click.option(
                "--concurrency",
                default=jobs.CONCURRENCY,
                show_default=True,
                help="jobs at once in this process (with two, one job's waits on Postgres are "
                "the other's parsing: about 15% more articles a core, 17 MB more memory)",
            ),
            click.option(
                "--burst",
                is_flag=True,
                help="stop when the queue is empty instead of waiting for jobs",
            ),
            click.option(
                "--stalled-after",
                default=jobs.STALLED_AFTER,
                show_default=True,
                help="seconds without a heartbeat after which a worker's jobs are re-queued",
            ),
            click.option(
                "--queue",
                "queues",
                multiple=True,
                type=click.Choice(jobs.QUEUES),
                default=jobs.QUEUES,
                show_default=True,
                help="queues this worker takes (extraction, webhook deliveries); repeat it",
            ),
            click.option(
                "--keep-finished-jobs",
                "keep_finished_jobs_hours",
                type=click.IntRange(min=0),
                default=jobs.KEEP_FINISHED_JOBS_HOURS,
                show_default=True,
                help="hours a finished job is kept before the worker deletes it (the document "
                "keeps its state, attempts and error)",
            ),
        )
    ):
        command = option(command)
    return command


def expected_failures(record: logging.LogRecord) -> bool:
    """A webhook delivery that failed and will be tried again is logged in one line, not
    with a traceback: the receiver's answer is in the delivery log (GET …/deliveries), and a
    receiver that is down would otherwise fill the worker's log with stack traces."""
    if record.exc_info and isinstance(record.exc_info[1], DeliveryFailed):
        record.msg = f"{record.getMessage()}: {record.exc_info[1]}"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
    return True


def run(
    concurrency: int,
    burst: bool,
    stalled_after: float,
    keep_finished_jobs_hours: int = jobs.KEEP_FINISHED_JOBS_HOURS,
    queues: tuple[str, ...] = jobs.QUEUES,
) -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(expected_failures)
    click.echo(f"worker: {nlp.status()}", err=True)
    url = settings.database_url or embedded_server_url(settings.data_dir, "claimdesk")
    jobs.run_worker(
        url,
        settings.suggest_min,
        concurrency=concurrency,
        stalled_after=stalled_after,
        heartbeat=max(1.0, stalled_after / 3),
        burst=burst,
        keep_finished_jobs_hours=keep_finished_jobs_hours,
        queues=queues,
    )


@click.command()
@options
def main(
    concurrency: int,
    burst: bool,
    stalled_after: float,
    queues: tuple[str, ...],
    keep_finished_jobs_hours: int,
) -> None:
    """Run a worker: extraction and webhook deliveries."""
    run(concurrency, burst, stalled_after, keep_finished_jobs_hours, queues)


if __name__ == "__main__":
    main()
