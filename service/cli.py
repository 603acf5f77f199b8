"""The `claimdesk` command: serve, migrate, seed, keys."""

from __future__ import annotations

import gc
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from tqdm import tqdm

from service import jobs
from service.config import PROJECT_ROOT, Settings
from service.db import create_db_engine, embedded_server_url, libpq_url
from service.domain.enums import DocumentKind, Role
from service.domain.errors import Conflict, DomainError, InvalidInput
from service.extraction import DocumentContext, extract, nlp
from service.ingest.feeds import listed_urls
from service.ingest.fetch import fetch
from service.linking import vectors
from service.migrate import upgrade
from service.models import Claim, User
from service.operations.actors import SYSTEM
from service.operations.auth import authenticate, create_api_key, list_api_keys, revoke_api_key
from service.operations.documents import (
    NewDocument,
    Outcome,
    document_from_html,
    submit_document,
)
from service.operations.people import create_person, list_people, sign_in
from service.operations.seeds import load_seeds
from service.worker import options as worker_options
from service.worker import run as run_worker

SEEDS_DIR = PROJECT_ROOT / "seeds"


def _database_url(settings: Settings) -> str:
    # Without DATABASE_URL, the embedded server runs as long as this process does.
    return settings.database_url or embedded_server_url(settings.data_dir, "claimdesk")


@contextmanager
def _engine() -> Iterator[Engine]:
    engine = create_db_engine(_database_url(Settings.from_env()))
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _session() -> Iterator[Session]:
    with _engine() as engine, Session(engine) as session:
        yield session


class _Commands(click.Group):
    """Refusals as one line, as the API gives them: a rule the service enforces (a key
    already revoked, a page that could not be fetched) or a file that cannot be written is
    an `Error: …` and exit code 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        except OSError as exc:
            raise click.ClickException(
                f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
            ) from exc


@click.group(cls=_Commands)
def main() -> None:
    """Claimdesk: claim tracking and fact-checking for newsrooms."""
    # What is imported by now lives as long as the process: out of the collector's sight, it
    # is not traversed by every later collection, nor by the one at exit (0.35-0.5 s here).
    gc.freeze()


@main.command()
def migrate() -> None:
    """Upgrade the database to the newest schema."""
    with _engine() as engine, engine.begin() as conn:
        upgrade(conn)
    click.echo("database at the newest migration")


def _seed(engine: Engine) -> None:
    with Session(engine) as session:
        results = load_seeds(session, SYSTEM, SEEDS_DIR)
        lines = [
            (r.document.id, "loaded" if r.created else "already there", r.file) for r in results
        ]
        session.commit()
    for doc_id, state, file in lines:
        click.echo(f"  document {doc_id:>3}  {state:<13} {file}")


@main.command()
def seed() -> None:
    """Load the seed articles (idempotent)."""
    with _engine() as engine:
        _seed(engine)


KINDS = [k.value for k in DocumentKind]


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--published", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--author")
@click.option("--outlet")
@click.option("--kind", type=click.Choice(KINDS), default="news", show_default=True)
def extract_file(
    file: Path, published: datetime | None, author: str | None, outlet: str | None, kind: str
) -> None:
    """Print a text file's candidate claims as JSON lines; the database is not touched."""
    body = _read_text(file)
    context = DocumentContext(
        published_on=published.date() if published else None,
        author=author,
        outlet=outlet,
        kind=kind,
    )
    for candidate in extract(body, context):
        click.echo(json.dumps(candidate.as_json(), ensure_ascii=False))


def _read_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{file} is not UTF-8 text ({exc.reason})") from exc


#: Files a folder contributes: text as is, HTML pages through trafilatura, feeds and sitemaps.
_INGESTIBLE = {".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".xml": "list"}


def _sources(items: tuple[str, ...]) -> Iterator[tuple[str, str, str | None, str]]:
    """(kind, content, url, name) for every file, folder entry, URL, and page a sitemap or
    feed lists (name: the URL or the file's path, as messages give it). URLs are fetched
    with a timeout and a size cap; a feed's pages one by one."""
    for item in items:
        if item.startswith(("http://", "https://")):
            fetched = fetch(item)
            listed = listed_urls(fetched.text) if "xml" in fetched.content_type else None
            if listed is not None:
                yield from _sources(tuple(listed))
            else:
                kind = "html" if "html" in fetched.content_type else "text"
                yield kind, fetched.text, fetched.url, fetched.url
            continue
        path = Path(item)
        if not path.exists():
            raise click.BadParameter(f"{item} is neither a file, a folder nor an http(s) URL")
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            file_kind = _INGESTIBLE.get(file.suffix.lower())
            if file_kind is None and path.is_dir():
                continue  # a folder's other files are not articles
            text = _read_text(file)
            if file_kind == "list":
                listed = listed_urls(text)
                if listed is None:
                    raise click.BadParameter(f"{file} is not a sitemap or an RSS/Atom feed")
                yield from _sources(tuple(listed))
            else:
                yield file_kind or "text", text, None, str(file)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--outlet")
@click.option("--kind", type=click.Choice(KINDS), default="news", show_default=True)
@click.option(
    "--wait/--queue",
    default=False,
    show_default=True,
    help="extract here, one document after another, instead of queueing for workers",
)
@click.option(
    "--follow/--no-follow",
    default=True,
    show_default=True,
    help="with --queue: follow the jobs until every document is ready or failed",
)
@click.option("--timeout", default=3600.0, show_default=True, help="seconds to follow the jobs")
@click.option("--title", help="the document's title (one source only)")
@click.option("--author")
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="the publication date, YYYY-MM-DD: relative dates ('on Friday') resolve against it",
)
def ingest(
    sources: tuple[str, ...],
    outlet: str | None,
    kind: str,
    wait: bool,
    follow: bool,
    timeout: float,
    title: str | None,
    author: str | None,
    published: datetime | None,
) -> None:
    """Ingest text files, HTML pages (files or URLs), folders of them, and the pages a
    sitemap or RSS/Atom feed lists (file or URL). Documents are queued for the workers
    (`claimdesk worker`) and a progress bar follows their jobs; --wait extracts here. A
    text file has no title or date of its own: give them (an HTML page's metadata fills
    what is not given)."""
    if title and (len(sources) != 1 or not Path(sources[0]).is_file()):
        raise click.BadParameter("--title names one document: give one file", param_hint="--title")
    created = revised = existing = failed = 0
    new_ids: list[int] = []
    suggest_min = Settings.from_env().suggest_min
    with _engine() as engine:
        with tqdm(unit="document", desc="stored", disable=None) as bar:
            for source_kind, content, url, name in _sources(sources):
                bar.update()
                if not content.strip():
                    click.echo(f"skipped {name}: it is empty", err=True)
                    failed += 1
                    continue
                base = NewDocument(
                    body=content,
                    outlet=outlet,
                    url=url,
                    kind=DocumentKind(kind),
                    title=title,
                    author=author,
                    published_on=published.date() if published else None,
                )
                with Session(engine) as session:
                    try:
                        new = document_from_html(content, base) if source_kind == "html" else base
                        doc, outcome, _ = submit_document(
                            session,
                            SYSTEM,
                            new,
                            queue=None if wait else jobs.enqueue_extraction,
                            suggest_min=suggest_min,
                        )
                    except (InvalidInput, Conflict) as exc:
                        click.echo(f"skipped {name}: {exc.detail}", err=True)
                        failed += 1
                        continue
                    session.commit()
                    if outcome != Outcome.EXISTING:
                        new_ids.append(doc.id)
                    # Which document each source made (or already was), to open or report on.
                    click.echo(f"document {doc.id} {outcome}: {name}", err=True)
                created += outcome == Outcome.CREATED
                revised += outcome == Outcome.REVISED
                existing += outcome == Outcome.EXISTING
        click.echo(
            f"{created} documents stored, {revised} revised, {existing} already stored, "
            f"{failed} skipped"
        )
        if new_ids and not wait and follow:
            _follow(engine, new_ids, timeout)
        with Session(engine) as session:
            n = session.scalar(select(func.count()).where(Claim.document_id.in_(new_ids))) or 0
            done = jobs.progress(session, new_ids)
    click.echo(
        f"{done.ready} ready ({n} claims), {done.pending} waiting for a worker, "
        f"{done.failed} failed"
    )


def _follow(engine: Engine, ids: list[int], timeout: float) -> None:
    """A progress bar of the documents' jobs, until none is pending or the timeout."""
    deadline = time.monotonic() + timeout
    with Session(engine) as session, tqdm(total=len(ids), unit="document", desc="extracted") as bar:
        while True:
            now = jobs.progress(session, ids)
            session.rollback()
            bar.n = now.ready + now.failed
            bar.set_postfix(queued=now.queued, extracting=now.extracting, failed=now.failed)
            bar.refresh()
            if not now.pending or time.monotonic() > deadline:
                return
            time.sleep(0.5)


@main.command()
@worker_options
def worker(
    concurrency: int,
    burst: bool,
    stalled_after: float,
    queues: tuple[str, ...],
    keep_finished_jobs_hours: int,
) -> None:
    """Run a worker: queued documents get their claims, vectors and suggestions, and webhook
    deliveries are sent. Extraction is CPU-bound: run one worker process per core
    (`python -m service.worker` is the same command without the rest of the CLI loaded)."""
    run_worker(concurrency, burst, stalled_after, keep_finished_jobs_hours, queues)


@main.command()
def embed() -> None:
    """Store sentence vectors for the claims that lack one (see service/linking/semantic.py)."""
    from service.linking import semantic
    from service.operations.suggestions import backfill_vectors

    if semantic.encoder() is None:
        raise click.ClickException(f"{semantic.MODEL_NAME} is not installed (make install)")
    with _session() as session:
        click.echo(f"{backfill_vectors(session)} claims embedded")


@main.command("import-claimreview")
@click.argument("sources", nargs=-1, required=True)
def import_claimreview(sources: tuple[str, ...]) -> None:
    """Import ClaimReview from fact-check pages (HTML files or http(s) URLs: their JSON-LD)
    and feeds (JSON or NDJSON files or URLs: DataCommons, Google Fact Check Tools, a list of
    items). Idempotent; each source is one transaction, and a source with a broken item
    stores nothing and says which item and field."""
    from service.factchecks.claimreview import (
        ItemError,
        items_from_feed,
        review_of,
        reviews_from_html,
    )
    from service.ingest.fetch import fetch
    from service.operations.factchecks import import_reviews

    failed = 0
    for source in sources:
        try:
            if source.startswith(("http://", "https://")):
                fetched = fetch(source)
                text, url, is_html = fetched.text, fetched.url, "html" in fetched.content_type
            else:
                path = Path(source)
                if path.stat().st_size > 100_000_000:
                    raise InvalidInput("source", f"{source} is larger than 100 MB: split it")
                text, url = path.read_text(encoding="utf-8"), None
                is_html = path.suffix.lower() in (".html", ".htm")
            if is_html:
                reviews = reviews_from_html(text, url)
            else:
                items = items_from_feed(text)
                reviews = [review_of(item, f"item {n}") for n, item in enumerate(items, start=1)]
        except (ItemError, InvalidInput, OSError, UnicodeDecodeError) as exc:
            click.echo(f"{source}: nothing imported: {exc}", err=True)
            failed += 1
            continue
        try:
            with _session() as session:
                result = import_reviews(session, SYSTEM, reviews, "html" if is_html else "feed")
                session.commit()
        except (DomainError, DBAPIError) as exc:
            # One source the database refuses is reported; the sources after it still run.
            click.echo(f"{source}: nothing imported: {exc}", err=True)
            failed += 1
            continue
        click.echo(
            f"{source}: {len(result.created)} new, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged, {result.matches} claims matched"
        )
    if failed:
        raise SystemExit(1)


@main.command("index-copies")
@click.option(
    "--batch",
    default=500,
    show_default=True,
    help="documents read at a time (each indexed in its own transaction)",
)
def index_copies(batch: int) -> None:
    """Index the documents stored before copy detection (their MinHash band keys) and propose
    the copies found among them, oldest first, so that later ingests find them too."""
    from sqlalchemy import select

    from service.models import Document, DocumentBand
    from service.operations.copies import suggest_copies

    done = proposed = last = 0
    while True:
        with _session() as session:
            has_bands = select(DocumentBand).where(DocumentBand.document_id == Document.id)
            ids = session.scalars(
                select(Document.id)
                .where(Document.id > last, ~has_bands.exists())
                .order_by(Document.id)
                .limit(batch)
            ).all()
            for doc_id in ids:
                doc = session.get(Document, doc_id)
                assert doc is not None
                proposed += len(suggest_copies(session, SYSTEM, doc))
                # One document a transaction: indexing holds an advisory lock per band key
                # until commit (operations/copies.py), 64 a document, and a batch's worth
                # ran out of the server's lock table.
                session.commit()
        done += len(ids)
        if len(ids) < batch:
            break
        last = ids[-1]
    click.echo(f"{done} documents indexed, {proposed} copies proposed")


@main.group()
def report() -> None:
    """Sourcing reports, written to a file or standard output."""


@report.command("document")
@click.argument("document_id", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "html", "md", "csv"]),
    default="html",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="file")
def report_document(document_id: int, fmt: str, output: Path | None) -> None:
    """The sourcing report of one document, as the API's /documents/{id}/report gives it."""
    from schemas.reports import DocumentReportOut
    from service.domain.errors import NotFound
    from service.reports import render
    from service.reports.query import document_report

    with _session() as session:
        try:
            data = document_report(session, document_id)
        except NotFound as exc:
            raise click.ClickException(str(exc)) from exc
    renderers = {
        "json": lambda: json.dumps(DocumentReportOut().dump(data), ensure_ascii=False, indent=2),
        "html": lambda: render.document_html(data),
        "md": lambda: render.document_markdown(data),
        "csv": lambda: render.claims_csv(data["claims"]),
    }
    text = renderers[fmt]()
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"report of document {document_id} written to {output}")


@main.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command("create")
@click.option("--name", required=True, help="who the key is for")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
def keys_create(name: str, role: str) -> None:
    """Create a key and print its secret (shown this once)."""
    with _session() as session:
        key, secret = create_api_key(session, SYSTEM, name=name, role=Role(role))
        session.commit()
        click.echo(f"key {key.id} ({role}) for {name}:", err=True)
    click.echo(secret)


@keys.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    with _session() as session:
        for key in list_api_keys(session):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            click.echo(f"{key.id:>4}  {key.prefix}  {key.role:<8}  {state:<18} {key.name}")


@keys.command("revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id: int) -> None:
    """Revoke a key at once."""
    with _session() as session:
        revoke_api_key(session, SYSTEM, key_id)
        session.commit()
    click.echo(f"key {key_id} revoked")


@main.group()
def users() -> None:
    """People who sign in to the workspace."""


@users.command("create")
@click.option("--name", required=True, help="the name the person signs in with")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="at least 12 characters (asked for when not given)",
)
def users_create(name: str, role: str, password: str) -> None:
    """Create a person who can sign in with a password (stored as an argon2id hash)."""
    with _session() as session:
        try:
            create_person(session, SYSTEM, name=name, role=Role(role), password=password)
        except (InvalidInput, Conflict) as exc:
            raise click.ClickException(exc.detail) from exc
        session.commit()
    click.echo(f"{name} can sign in as {role}")


@users.command("list")
def users_list() -> None:
    """People who can sign in, with their roles."""
    with _session() as session:
        for user in list_people(session):
            locked = (
                f"  locked until {user.locked_until:%Y-%m-%d %H:%M}" if user.locked_until else ""
            )
            click.echo(f"{user.name}\t{user.role}{locked}")


def _demo_person(engine: Engine, path: Path) -> tuple[str, str]:
    """The demo editor who signs in to the workspace; the password is kept in .data/."""
    name = "demo editor"
    with Session(engine) as session:
        if path.exists():
            password = path.read_text().strip()
            if sign_in(session, name, password).user is not None:
                session.commit()
                return name, password
            session.rollback()
        password = secrets.token_urlsafe(12)
        user = session.scalar(select(User).where(User.name == name))
        if user is not None:  # a stale demo password: start the demo person afresh
            user.password_hash = user.role = None
            session.flush()
        create_person(session, SYSTEM, name=name, role=Role.EDITOR, password=password)
        session.commit()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return name, password


def _secret_key(path: Path) -> str:
    """The key that signs session cookies, shared by every worker and kept across restarts."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def _demo_key(engine: Engine, path: Path) -> str:
    """The demo editor key, kept in .data/ so every `make run` prints the same working key."""
    with Session(engine) as session:
        if path.exists():
            secret = path.read_text().strip()
            if authenticate(session, secret) is not None:
                return secret
        _, secret = create_api_key(session, SYSTEM, name="demo-editor", role=Role.EDITOR)
        session.commit()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return secret


def _claim_port(host: str, port: int) -> socket.socket:
    """The listening socket, bound here and handed to gunicorn (`fd://`): a port already
    taken is a clear error before anything is printed, not "serving" and a password
    followed by gunicorn's failure, and nothing can take the port in between."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise click.ClickException(
            f"cannot serve on {host}:{port}: {exc.strerror or exc} "
            "(another server there? choose one with --port)"
        ) from exc
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def public_base(host: str, port: int) -> str:
    """Where this server answers, as an address to publish: a wildcard bind (every
    interface) is reached here on the loopback address; an IPv6 address goes in brackets.
    Behind a proxy or under a domain, CLAIMDESK_PUBLIC_URL says the real one."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="web workers")
@click.option(
    "--extraction-workers",
    default=1,
    show_default=True,
    type=int,
    help="extraction worker processes started beside the web server (0: run them elsewhere)",
)
@click.option(
    "--demo",
    is_flag=True,
    help="load the seed articles and make a demo editor (key and sign-in); make run does",
)
def serve(host: str, port: int, workers: int, extraction_workers: int, demo: bool) -> None:
    """Migrate, then serve the API and the workspace with gunicorn and an extraction worker
    beside it. With --demo (make run) also load the seeds and make a demo editor; without it
    nothing is created: make people with `claimdesk users create` and keys with
    `claimdesk keys create`."""
    listener = _claim_port(host, port)  # before anything is printed or migrated
    settings = Settings.from_env()
    url = _database_url(settings)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        upgrade(conn)
        vector_status = vectors.status(conn)
    base = f"http://{host}:{port}"
    if demo:
        click.echo("migrated; seeds:")
        _seed(engine)
        key = _demo_key(engine, settings.data_dir / "demo-editor.key")
        person, password = _demo_person(engine, settings.data_dir / "demo-editor.password")
        sign_in_line = (
            f"  workspace: {base}/sign-in   name: {person!r}   password: {password}\n"
            f"             (the password is also in {settings.data_dir / 'demo-editor.password'})\n"
        )
        demo_lines = (
            f"  sourcing report (in a browser): {base}/api/v1/documents/1/report?format=html\n"
            f"  the same as JSON:  curl {base}/api/v1/documents/1/report\n"
            f"  demo editor key (also in {settings.data_dir / 'demo-editor.key'}):\n"
            f"    curl -H 'Authorization: Bearer {key}' {base}/api/v1/documents\n"
        )
    else:
        click.echo("migrated (no demo data: --demo loads the seeds and a demo editor)")
        sign_in_line = (
            f"  workspace: {base}/sign-in   (people: claimdesk users create --name N --role R)\n"
        )
        demo_lines = "  API keys: claimdesk keys create --name NAME --role ROLE\n"
    engine.dispose()
    click.echo(
        f"\nClaimdesk is serving on {base}\n"
        f"{sign_in_line}"
        f"  API docs:  {base}/api/v1/docs   (OpenAPI: {base}/api/v1/openapi.json)\n"
        f"  health:    {base}/healthz\n"
        f"  extraction: {nlp.status()}\n"
        f"  extraction workers: {extraction_workers} (POST /documents answers 202 and a worker"
        " extracts; ?wait=true extracts in the request)\n"
        f"  nearest in meaning: {vector_status}\n"
        f"{demo_lines}"
        "Stop with Ctrl-C.\n"
    )
    env = dict(os.environ, DATABASE_URL=libpq_url(url))
    env.setdefault("CLAIMDESK_SECRET_KEY", _secret_key(settings.data_dir / "secret.key"))
    # Published reviews and annotations name their address: where this server answers,
    # unless the deployment says otherwise (behind a proxy, CLAIMDESK_PUBLIC_URL).
    env.setdefault("CLAIMDESK_PUBLIC_URL", public_base(host, port))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"fd://{listener.fileno()}",
            "--workers",
            str(workers),
            "--timeout",
            "120",  # ?wait=true extracts a long document in the request
            "--access-logfile",
            "-",
            # gunicorn's default line, with the request line, referrer and agent cut short:
            # a 64 KB URL is answered 414 and logged in a line, not in 64 KB.
            "--access-logformat",
            '%(h)s %(l)s %(u)s %(t)s "%(r).500s" %(s)s %(b)s "%(f).200s" "%(a).200s"',
            # The app answers over-long URLs (414) and header blocks (431) as problem+json
            # (service/api/openapi.py) below gunicorn's caps: its request line is raised to
            # its maximum, 8190 bytes; header fields keep its defaults (8190 bytes, 100).
            # Never lift these: gunicorn's parser costs the square of a line or header block
            # (100 fields of 64 KB took 6 s of CPU per request, a 30 MB line two minutes).
            "--limit-request-line",
            "8190",
            "service.wsgi:app",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        pass_fds=(listener.fileno(),),
    )
    listener.close()  # gunicorn holds it now
    extraction = [
        subprocess.Popen([sys.executable, "-m", "service.worker"], env=env, cwd=PROJECT_ROOT)
        for _ in range(extraction_workers)
    ]

    def _terminate(signum: int, frame: object) -> None:
        # A process manager stops us with SIGTERM: stop gunicorn and the workers too, as
        # Ctrl-C does, instead of leaving them running without a parent.
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        sys.exit(proc.wait())
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGTERM)
        proc.wait()
    finally:
        for child in extraction:
            child.send_signal(signal.SIGTERM)
        for child in extraction:
            child.wait()


@main.command("check-migrations")
def check_migrations() -> None:
    """On a scratch database: upgrade to head, then fail if models and migrations drift."""
    from sqlalchemy import text

    from service.db import sibling_database_url, split_database
    from service.migrate import check

    settings = Settings.from_env()
    test_url = os.environ.get("TEST_DATABASE_URL")
    if test_url:
        url = sibling_database_url(test_url, split_database(test_url)[1] + "_migrations_check")
    else:
        url = embedded_server_url(settings.data_dir, "claimdesk_migrations_check")
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(conn)
    with engine.connect() as conn:
        check(conn)
    engine.dispose()
    click.echo("alembic check: models and migrations agree")


if __name__ == "__main__":
    main()
