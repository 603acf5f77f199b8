"""`python -m service.worker`: an extraction worker process that loads only what jobs need
(not the web app, HTML ingest or the rest of the CLI); `claimdesk worker` runs the same."""

from __future__ import annotations

import logging

import click

from service import jobs
from service.config import Settings
from service.db import embedded_server_url
from service.extraction import nlp


def run(concurrency: int, burst: bool, stalled_after: float) -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"worker: {nlp.status()}", err=True)
    url = settings.database_url or embedded_server_url(settings.data_dir, "claimdesk")
    jobs.run_worker(
        url,
        settings.suggest_min,
        concurrency=concurrency,
        stalled_after=stalled_after,
        heartbeat=max(1.0, stalled_after / 3),
        burst=burst,
    )


@click.command()
@click.option("--concurrency", default=1, show_default=True, help="jobs at once in this process")
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
@click.option("--stalled-after", default=jobs.STALLED_AFTER, show_default=True)
def main(concurrency: int, burst: bool, stalled_after: float) -> None:
    """Run an extraction worker."""
    run(concurrency, burst, stalled_after)


if __name__ == "__main__":
    main()
