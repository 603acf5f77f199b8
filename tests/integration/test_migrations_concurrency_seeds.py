"""Migrations up/down/up with no drift, concurrent decisions, seeds, and the OpenAPI document."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, delete, inspect
from sqlalchemy.orm import Session

from service.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.domain.enums import Role
from service.migrate import check, downgrade, upgrade
from service.models import Claim, Document, Outlet
from service.operations.actors import SYSTEM
from service.operations.auth import create_api_key
from service.operations.claims import NewClaim, create_claim
from service.operations.documents import NewDocument, create_document
from service.operations.seeds import load_seeds


def test_migrations_go_up_down_and_up_again_without_drift(scratch_engine: Engine) -> None:
    with scratch_engine.begin() as conn:
        upgrade(conn)
        assert "claims" in inspect(conn).get_table_names()
        downgrade(conn)
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade(conn)
    with scratch_engine.connect() as conn:
        check(conn)  # raises if models and migrations disagree


def test_two_concurrent_decisions_with_one_etag_one_wins_the_other_gets_412(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine) as session:
        doc, _ = create_document(
            session,
            SYSTEM,
            NewDocument(body="Concurrency: the dam holds 3 billion litres.", outlet="Race Desk"),
        )
        claim = create_claim(
            session, SYSTEM, NewClaim(document_id=doc.id, span_start=13, span_end=44)
        )
        _, secret = create_api_key(session, SYSTEM, name="race-editor", role=Role.EDITOR)
        session.commit()
        ids = (doc.id, claim.id, doc.outlet_id)
    try:
        app = create_app(settings, bind=engine)
        etag = app.test_client().get(f"/api/v1/claims/{ids[1]}").headers["ETag"]
        barrier = threading.Barrier(2)
        results: list[int] = []

        def decide(status: str) -> None:
            client = app.test_client()
            barrier.wait()
            response = client.put(
                f"/api/v1/claims/{ids[1]}/status",
                json={
                    "status": status,
                    "rationale": "race",
                    "evidence": [{"url": "https://example.org/e"}],
                },
                headers={"Authorization": f"Bearer {secret}", "If-Match": etag},
            )
            results.append(response.status_code)

        threads = [threading.Thread(target=decide, args=(s,)) for s in ("verified", "disputed")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(results) == [200, 412]
        history = app.test_client().get(f"/api/v1/claims/{ids[1]}/history").json
        assert [e["action"] for e in history].count("claim.status_changed") == 1
    finally:
        with Session(engine) as session:
            session.execute(delete(Claim).where(Claim.id == ids[1]))
            session.execute(delete(Document).where(Document.id == ids[0]))
            session.execute(delete(Outlet).where(Outlet.id == ids[2]))
            session.commit()


def test_seeds_load_once_with_their_lineage(session: Session, seeds_dir: Any) -> None:
    first = load_seeds(session, SYSTEM, seeds_dir)
    again = load_seeds(session, SYSTEM, seeds_dir)
    assert len(first) == 5
    assert all(r.created for r in first)
    assert not any(r.created for r in again)
    by_file = {r.file.split("/")[-1][:3]: r.document for r in first}
    assert by_file["000"].derived_from_id == by_file["001"].id
    assert by_file["002"].outlet is not None
    assert by_file["002"].outlet.name == "Deep News"
    assert str(by_file["001"].published_on) == "2025-12-05"
    for r in first:
        assert r.document.body == (seeds_dir / r.file).read_text(encoding="utf-8")


def test_seed_reviews_show_independent_and_derived_backing(
    session: Session, seeds_dir: Any
) -> None:
    from service.reports.query import document_report

    docs = {r.file.split("/")[-1][:3]: r.document for r in load_seeds(session, SYSTEM, seeds_dir)}
    report = document_report(session, docs["001"].id)
    by_text = {c["text"][:40]: c for c in report["claims"]}
    protagonists = by_text["The key protagonists were Kirill Dmitrie"]
    # Backed by a news outlet and by an op-ed: the op-ed is listed, and is no origin.
    assert protagonists["independent_origins"] == 1
    assert {(x["outlet"], x["opinion"]) for x in protagonists["corroborating"]} == {
        ("Deep News", False),
        ("The Kyiv Independent", True),
    }
    quoted = next(c for c in report["claims"] if c["text"].startswith("They're not only drafting"))
    assert [x["relation"] for x in quoted["corroborating"]] == ["same_claim"]
    assert quoted["independent_origins"] == 0  # the notes page derives from the episode
    assert report["totals"]["by_attribution"]["anonymous"] >= 1
    assert report["totals"]["independently_corroborated"] >= 2  # the op-ed backs none


def test_the_openapi_document_validates(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json
    validate(spec)
    assert "/api/v1/claims/{claim_id}/status" in spec["paths"]
    put = spec["paths"]["/api/v1/claims/{claim_id}/status"]["put"]
    assert put["security"] == [{"bearerAuth": []}]
    assert {"412", "428"} <= set(put["responses"])


def test_docs_page_is_served(client: FlaskClient) -> None:
    assert client.get("/api/v1/docs").status_code == 200


def test_cli_migrates_seeds_idempotently_and_makes_keys(
    scratch_engine: Engine, monkeypatch: Any, tmp_path: Any
) -> None:
    import json

    from click.testing import CliRunner

    from service.cli import main
    from service.linking import semantic

    monkeypatch.setenv("DATABASE_URL", scratch_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    first = runner.invoke(main, ["seed"])
    assert first.exit_code == 0, first.output
    assert first.output.count("loaded") == 5
    again = runner.invoke(main, ["seed"])
    assert again.output.count("already there") == 5
    created = runner.invoke(main, ["keys", "create", "--name", "cli-user", "--role", "editor"])
    assert created.exit_code == 0, created.output
    assert created.output.strip().splitlines()[-1].startswith("cdk_")
    assert "cli-user" in runner.invoke(main, ["keys", "list"]).output
    out = tmp_path / "report.html"
    written = runner.invoke(main, ["report", "document", "1", "--format", "html", "-o", str(out)])
    assert written.exit_code == 0, written.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "<mark " in page
    as_json = runner.invoke(main, ["report", "document", "1", "--format", "json"])
    assert json.loads(as_json.output)["document"]["id"] == 1
    embedded = runner.invoke(main, ["embed"])
    if semantic._model_dir() is None:
        assert "is not installed" in embedded.output
    else:
        assert embedded.output.strip() == "0 claims embedded"
    missing = runner.invoke(main, ["report", "document", "999999"])
    assert missing.exit_code != 0
    assert "no document 999999" in missing.output


def test_cli_extract_prints_json_lines_without_a_database(tmp_path: Any) -> None:
    import json

    from click.testing import CliRunner

    from service.cli import main

    article = tmp_path / "a.txt"
    article.write_text(
        '"The levy raised $3 million," Tomas Berg said on Monday.\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["extract", str(article), "--published", "2024-06-12"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows[0]["speaker"]["name"] == "Tomas Berg"
    assert rows[0]["claim_date"] == "2024-06-10"
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert CliRunner().invoke(main, ["extract", str(binary)]).exit_code == 2


def test_cli_ingests_a_folder_once(scratch_engine: Engine, monkeypatch: Any, tmp_path: Any) -> None:
    from click.testing import CliRunner

    from service.cli import main

    monkeypatch.setenv("DATABASE_URL", scratch_engine.url.render_as_string(hide_password=False))
    (tmp_path / "one.txt").write_text("The board approved 14 new berths in May 2024.\n")
    (tmp_path / "two.txt").write_text("Tomas Berg said the levy raised $3 million.\n")
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    # Queued, and followed until a worker (a real process beside) has extracted them.
    worker = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=dict(os.environ),
        cwd=PROJECT_ROOT,
        stderr=subprocess.DEVNULL,
    )
    try:
        first = runner.invoke(main, ["ingest", "--timeout", "120", str(tmp_path)])
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert first.exit_code == 0, first.output
    assert "2 documents stored, 0 revised, 0 already stored" in first.output
    assert "2 ready (2 claims), 0 waiting for a worker, 0 failed" in first.output
    again = runner.invoke(main, ["ingest", str(tmp_path / "one.txt")])
    assert "0 documents stored, 0 revised, 1 already stored" in again.output
    assert re.search(r"document \d+ existing: .*one\.txt", again.output)


def test_serve_without_demo_creates_nothing_and_answers(
    scratch_engine: Engine, tmp_path: Any
) -> None:
    import socket
    import time
    import urllib.error
    import urllib.request

    from sqlalchemy import func, select, text

    from service.models import ApiKey, User

    with scratch_engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ,
        DATABASE_URL=scratch_engine.url.render_as_string(hide_password=False),
        CLAIMDESK_DATA_DIR=str(tmp_path),
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--extraction-workers",
            "0",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.3)
        # Through gunicorn: URLs and header blocks over the app's limits but within
        # gunicorn's caps get the app's problem documents; beyond its caps (a line or a field
        # over 8190 bytes) gunicorn refuses them itself, cheaply, and goes on serving.
        base = f"http://127.0.0.1:{port}/api/v1/claims"
        pads = {f"X-Pad-{n}": "y" * 7_000 for n in range(3)}
        for request, status, problem in (
            (urllib.request.Request(base + "?q=" + "x" * 8_100), 414, True),
            (urllib.request.Request(base, headers=pads), 431, True),
            (urllib.request.Request(base + "?q=" + "x" * 65_536), 414, False),
            (urllib.request.Request(base, headers={"X-Pad": "y" * 20_000}), 431, False),
        ):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30)
            refused.value.close()
            assert refused.value.code == status
            if problem:
                assert refused.value.headers["Content-Type"] == "application/problem+json"
        with urllib.request.urlopen(base, timeout=30) as still:
            assert still.status == 200
        with Session(scratch_engine) as session:
            assert session.scalar(select(func.count()).select_from(Document)) == 0
            assert session.scalar(select(func.count()).select_from(ApiKey)) == 0
            assert session.scalar(select(func.count()).select_from(User)) == 0
            # What it serves names its own address, not the default port's: the annotation
            # of a claim stored now (as a published review's URL would).
            doc, _ = create_document(
                session, SYSTEM, NewDocument(body="The yard hired 40 welders.")
            )
            claim = create_claim(
                session, SYSTEM, NewClaim(document_id=doc.id, span_start=0, span_end=26)
            )
            session.commit()
            claim_id = claim.id
        annotation = f"http://127.0.0.1:{port}/api/v1/claims/{claim_id}/annotation"
        with urllib.request.urlopen(annotation, timeout=30) as found:
            assert json.loads(found.read())["id"].startswith(f"http://127.0.0.1:{port}/")
    finally:
        # SIGTERM, as a process manager sends it: communicate() returns only once gunicorn,
        # which shares the pipe, has stopped too.
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert "no demo data" in out
    assert "password" not in out
    assert not (tmp_path / "demo-editor.key").exists()


def test_serve_on_a_taken_port_says_so_before_anything_else(tmp_path: Any) -> None:
    """The port is checked first: no 'serving', no password, no migration, then a gunicorn
    failure; one clear line and a non-zero exit."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", "serve", "--demo", "--port", str(port)],
            env=dict(
                os.environ, CLAIMDESK_DATA_DIR=str(tmp_path), DATABASE_URL="postgresql://x@/none"
            ),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr
    assert "in use" in done.stderr
    assert "serving" not in done.stdout
    assert "password" not in done.stdout
