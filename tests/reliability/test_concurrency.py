"""Many clients writing the same things at once: no lost update, one event per acknowledged
write, no 5xx.

16 clients (threads, each its own test client, all on one live app with a real connection
pool) edit and decide one claim with If-Match, then race to confirm or reject the same links.
A lost update would show as an acknowledged write missing from the history, two writes
claiming the same version, or an event whose `before` is not what the previous one left."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Claim, Event
from tests.reliability.conftest import Live, report, size

CLIENTS = 16
WRITES = size(20, 200)  # per client
STATUSES = ["verified", "disputed", "unverifiable"]


def _run(clients: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            work(n)
        except BaseException as exc:  # a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]


def _events(live: Live, entity_type: str, entity_id: int, actions: set[str]) -> list[Event]:
    with Session(live.engine) as session:
        return list(
            session.scalars(
                select(Event)
                .where(
                    Event.entity_type == entity_type,
                    Event.entity_id == entity_id,
                    Event.action.in_(actions),
                )
                .order_by(Event.id)
            )
        )


def test_if_match_edits_and_decisions_on_one_claim_lose_nothing(live: Live) -> None:
    setup = live.app.test_client()
    claim_id = setup.get("/api/v1/claims?limit=1").json[0]["id"]
    acknowledged: list[tuple[str, str]] = []  # (kind, the value this write set)
    versions: list[str] = []  # the ETag each acknowledged write was sent with
    seen: dict[str, str] = {}  # decision rationale -> the status its client read
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        http, rng = live.app.test_client(), random.Random(n)
        headers = live.keys["editor"]
        for i in range(WRITES):
            got = http.get(f"/api/v1/claims/{claim_id}")
            etag, claim = got.headers["ETag"], got.json
            if rng.random() < 0.5:
                value = f"c{n}-{i}"
                kind = "edit"
                response = http.patch(
                    f"/api/v1/claims/{claim_id}",
                    json={"cue": value, "reason": f"client {n} write {i}"},
                    headers=headers | {"If-Match": etag},
                )
            else:
                value = rng.choice([s for s in STATUSES if s != claim["status"]])
                kind = "decision"
                with lock:
                    seen[f"client {n} decision {i}"] = claim["status"]
                response = http.put(
                    f"/api/v1/claims/{claim_id}/status",
                    json={
                        "status": value,
                        "rationale": f"client {n} decision {i}",
                        "evidence": [{"url": f"https://example.org/{n}/{i}"}],
                    },
                    headers=headers | {"If-Match": etag},
                )
            with lock:
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    acknowledged.append((kind, value))
                    versions.append(etag)

    with Session(live.engine) as session:
        version_before = session.get_one(Claim, claim_id).version
    _run(CLIENTS, client)

    edits = _events(live, "claims", claim_id, {"claim.edited"})
    decisions = _events(live, "claims", claim_id, {"claim.status_changed"})
    with Session(live.engine) as session:
        version_after = session.get_one(Claim, claim_id).version
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 412}, statuses
    # The clients did contend (some writes were refused), and no version was written twice:
    # had If-Match been ignored, two clients holding one ETag would both have been answered 200.
    assert statuses[412] > 0, statuses
    assert len(set(versions)) == len(versions), "two acknowledged writes from one version"
    # Each decision replaced the status its client had read, not one written since.
    misread = [
        e.id
        for e in decisions
        if e.reason in seen and (e.before or {}).get("status") != seen[e.reason]
    ]
    assert misread == [], misread
    assert {e.reason for e in decisions} <= set(seen), "each decision's event has its rationale"
    # Exactly one event per acknowledged write, and each write's value is in its event.
    assert len(edits) == sum(1 for kind, _ in acknowledged if kind == "edit")
    assert len(decisions) == sum(1 for kind, _ in acknowledged if kind == "decision")
    assert sorted((e.after or {}).get("cue") for e in edits) == sorted(
        v for k, v in acknowledged if k == "edit"
    )
    # Each write started from what the previous one left: no write was computed on a stale
    # claim and then applied (the lost update If-Match exists to prevent).
    chain = sorted(edits + decisions, key=lambda e: e.id)
    lost = 0
    last_status: str | None = None
    for event in chain:
        if event.action == "claim.status_changed":
            before = (event.before or {}).get("status")
            if last_status is not None and before != last_status:
                lost += 1
            last_status = (event.after or {}).get("status")
    assert lost == 0
    assert version_after - version_before == len(acknowledged)
    report(
        "concurrency",
        f"claim edits and decisions: {CLIENTS} clients x {WRITES} If-Match writes = "
        f"{sum(statuses.values())}; acknowledged {len(acknowledged)}, refused 412 "
        f"{statuses[412]}; events {len(chain)}; lost updates {lost}; 5xx 0",
    )


def test_links_confirmed_and_rejected_at_once_get_one_decision_each(live: Live) -> None:
    setup = live.app.test_client()
    headers = live.keys["editor"]
    claims = setup.get("/api/v1/claims?limit=200").json
    by_doc: dict[int, list[int]] = {}
    for claim in claims:
        by_doc.setdefault(claim["document_id"], []).append(claim["id"])
    docs = sorted(by_doc)
    links: list[int] = []
    for a, b in zip(by_doc[docs[0]], by_doc[docs[1]], strict=False):
        created = setup.post(
            "/api/v1/links",
            json={"claim_a_id": a, "claim_b_id": b, "relation": "corroborates"},
            headers=headers,
        )
        if created.status_code == 201:
            links.append(created.json["id"])
    assert links, "the seeds give two documents with claims to link"
    rounds = size(3, 25)
    statuses: Counter[int] = Counter()
    acknowledged: Counter[int] = Counter()
    versions: list[tuple[int, str]] = []  # (link, the ETag an acknowledged write was sent with)
    lock = threading.Lock()

    def client(n: int) -> None:
        http, rng = live.app.test_client(), random.Random(1000 + n)
        for _ in range(rounds):
            for link_id in links:
                got = http.get(f"/api/v1/links/{link_id}")
                state = rng.choice(["confirmed", "rejected"])
                response = http.patch(
                    f"/api/v1/links/{link_id}",
                    json={"state": state, "rationale": f"client {n}"},
                    headers=headers | {"If-Match": got.headers["ETag"]},
                )
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code == 200:
                        acknowledged[link_id] += 1
                        versions.append((link_id, got.headers["ETag"]))

    _run(CLIENTS, client)
    assert not [s for s in statuses if s >= 500], statuses
    # 409: the link already had that state when the write got its turn.
    assert set(statuses) <= {200, 409, 412}, statuses
    assert statuses[412] > 0, statuses  # the clients did contend
    assert len(set(versions)) == len(versions), "two acknowledged writes from one version"
    events = 0
    final_mismatch = 0
    for link_id in links:
        history = _events(live, "claim_links", link_id, {"link.confirmed", "link.rejected"})
        assert len(history) == acknowledged[link_id], (link_id, len(history))
        events += len(history)
        state = setup.get(f"/api/v1/links/{link_id}").json["state"]
        if history and (history[-1].after or {}).get("state") != state:
            final_mismatch += 1
    assert final_mismatch == 0
    report(
        "concurrency",
        f"link reviews: {CLIENTS} clients x {rounds} rounds x {len(links)} links = "
        f"{sum(statuses.values())} If-Match writes; acknowledged {sum(acknowledged.values())}; "
        f"events {events}; final state differs from last event: {final_mismatch}; "
        f"statuses {dict(sorted(statuses.items()))}",
    )
