"""The database dies under load: kill -9 Postgres while 8 clients write, start it again.

A private embedded Postgres (pgserver, in a temporary folder: the shared test server is never
touched, so this runs the same under CI's PostgreSQL 15) serves a live app. Eight writers
create speakers as fast as they can; the postmaster and every backend are killed with
SIGKILL, the server is started again (crash recovery), and the writers keep going.

Held: every write acknowledged (201) is in the database afterwards; during the outage the
API answers 503 problem+json with Retry-After, never 500, and never hangs past its timeout;
it serves again after the database accepts connections, without a restart (within 5 s, held
by `make soak`; the bounded run reports the figure). The writers keep writing until the service
has served again, so a slow crash recovery cannot end the run before recovery is seen."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.app import create_app
from service.db import create_db_engine, sqlalchemy_url
from service.domain.enums import Role
from service.migrate import upgrade
from service.models import Event, Speaker
from service.operations.actors import SYSTEM
from service.operations.auth import create_api_key
from tests.reliability.conftest import SOAK, live_settings, report, size

WRITERS = 8
OUTAGE_S = 2.0
REQUEST_BUDGET_S = 10.0
RECOVERY_BUDGET_S = 5.0


class Server:
    """An embedded Postgres of our own, which we may kill."""

    def __init__(self, folder: Path) -> None:
        os.environ.setdefault("XDG_RUNTIME_DIR", str(folder / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
        import pgserver

        self.pgdata = folder / "pg"
        self.server = pgserver.get_server(self.pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]

    def url(self) -> str:
        return str(self.server.get_uri("postgres"))

    def kill(self) -> None:
        """SIGKILL to the postmaster and all its children, as a crashed host would."""
        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        victims = [postmaster, *_children(postmaster)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in victims) and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def stop(self) -> None:
        self.server.cleanup()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # A short path: the server's Unix socket lives under it (108-byte limit).
    folder = Path(tmp_path_factory.mktemp("pgkill"))
    server = Server(folder)
    yield server
    server.stop()


def test_kill_9_postgres_under_writers_loses_no_acknowledged_write(server: Server) -> None:
    url = sqlalchemy_url(server.url())
    engine = create_db_engine(url, pool_size=WRITERS, statement_timeout_ms=5_000)
    with engine.begin() as conn:
        upgrade(conn)
    with Session(engine) as session:
        _, secret = create_api_key(session, SYSTEM, name="writer", role=Role.REVIEWER)
        session.commit()
    app = create_app(live_settings(url), bind=engine)
    headers = {"Authorization": f"Bearer {secret}"}
    # Seconds of writing in all; the kill comes a third of the way in. The writers keep going
    # past this until the service has served again after the restart (or plainly failed to:
    # the recovery budget and one request's budget after it), so a slow crash recovery on a
    # loaded machine cannot end the run before recovery could be seen.
    seconds = size(6, 30)

    acknowledged: list[str] = []
    statuses: Counter[int] = Counter()
    worst = 0.0
    outage: dict[str, float] = {}
    problems: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    done = threading.Event()

    def writer(n: int) -> None:
        nonlocal worst
        client, i = app.test_client(), 0
        while not done.is_set():
            name = f"Writer {n} number {i}"
            i += 1
            started = time.monotonic()
            response = client.post("/api/v1/speakers", json={"name": name}, headers=headers)
            elapsed = time.monotonic() - started
            with lock:
                worst = max(worst, elapsed)
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    acknowledged.append(name)
                    if "restarted" in outage and "recovered" not in outage:
                        outage["recovered"] = time.monotonic()
                elif response.status_code == 503:
                    if response.mimetype != "application/problem+json":
                        problems.append(f"503 as {response.mimetype}")
                    if "Retry-After" not in response.headers:
                        problems.append("503 without Retry-After")
            if response.status_code == 503:
                time.sleep(0.05)  # a client honouring Retry-After, shortened

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 3)
    server.kill()
    outage["killed"] = time.monotonic()
    time.sleep(OUTAGE_S)
    health = app.test_client().get("/healthz")
    server.start()
    outage["restarted"] = time.monotonic()
    give_up = outage["restarted"] + RECOVERY_BUDGET_S + REQUEST_BUDGET_S
    while time.monotonic() < give_up and (time.monotonic() < stop or "recovered" not in outage):
        time.sleep(0.05)
    done.set()
    for thread in threads:
        thread.join()

    with Session(engine) as session:
        names = select(Speaker.name).where(Speaker.name.like("Writer %"))
        stored = set(session.scalars(names).all())
        # Each stored speaker came with its event, in the same transaction.
        created = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.action == "speaker.created", Event.entity_type == "speakers")
        )
    lost = [name for name in acknowledged if name not in stored]
    recovery = outage.get("recovered", float("inf")) - outage["restarted"]
    engine.dispose()
    report(
        "faults",
        f"kill -9 Postgres under {WRITERS} writers: acknowledged {len(acknowledged)}, lost "
        f"{len(lost)}; statuses {dict(sorted(statuses.items()))}; slowest answer {worst:.2f} s; "
        f"serving again {recovery:.2f} s after the database; /healthz in the outage "
        f"{health.status_code}",
    )
    assert lost == []
    assert created == len(stored)
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[503] > 0, "the outage was not seen: the kill did not happen"
    assert not problems, problems[:3]
    assert health.status_code == 503
    assert worst < REQUEST_BUDGET_S
    assert "recovered" in outage, "the service did not serve again after the database came back"
    if SOAK:
        # The target, held at full size. The bounded run shares CI's two cores with a
        # second suite, so it only holds that service came back without a restart (a timed
        # assertion there tested the machine's load, and once failed on it).
        assert recovery <= RECOVERY_BUDGET_S
