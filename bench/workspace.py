"""The workspace's pages against the bench database, each through the app (signed in) and
compared with its SQL alone in this process; rolled back at the end.

- the document page of a 300-claim document with 1,000 links, a claim selected;
- the review queue with 5,000 more pending claims and 5,000 more links (half suggested) on
  top of what the bench database holds."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import Client

from bench.reports import _arrange, _time
from service.app import create_app
from service.config import Settings
from service.db import create_db_engine
from service.domain.enums import ClaimStatus, LinkState, Role
from service.extraction import CHECKWORTHY
from service.models import Claim, ClaimLink
from service.operations.actors import SYSTEM
from service.operations.events import entity_history
from service.operations.inbox import document_workspace
from service.operations.people import create_person
from service.operations.queue import queued_claims, queued_links

N_CLAIMS, N_LINKS = 300, 1000
N_QUEUE = 5000
PASSWORD = "bench password 1"


def main(url: str) -> float:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        doc = _arrange(session, N_CLAIMS, N_LINKS)
        create_person(session, SYSTEM, name="bench editor", role=Role.EDITOR, password=PASSWORD)
        session.flush()
        _, _, claims, _ = document_workspace(session, doc)
        selected = claims[0].id

        def bare() -> None:
            document_workspace(session, doc)
            entity_history(session, "claims", selected)

        client = Client(create_app(Settings(database_url=url), bind=connection))
        form = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        signed = client.post(
            "/sign-in",
            data={"name": "bench editor", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert signed.status_code == 302

        def page() -> None:
            assert client.get(f"/documents/{doc}?claim={selected}").status_code == 200

        base, full = _time(bare), _time(page)

        _arrange(session, N_QUEUE, N_QUEUE)
        session.flush()
        pending = session.scalar(
            select(func.count()).where(
                Claim.status == ClaimStatus.UNREVIEWED, Claim.checkworthiness >= CHECKWORTHY
            )
        )
        suggested = session.scalar(
            select(func.count()).where(ClaimLink.state == LinkState.SUGGESTED)
        )

        def queue_sql() -> None:
            queued_claims(session)
            queued_links(session)

        def queue_page() -> None:
            assert client.get("/queue").status_code == 200

        queue_base, queue_full = _time(queue_sql), _time(queue_page)
        session.close()
        transaction.rollback()
    engine.dispose()
    print(f"Workspace page of a {N_CLAIMS}-claim document with {N_LINKS} links (median)")
    print(f"  its SQL alone (baseline)                 {base * 1000:6.1f} ms")
    print(f"  GET /documents/{{id}}?claim=…            {full * 1000:6.1f} ms  (target < 150 ms)")
    print(f"  speed relative to SQL alone = {base / full:.2f}")
    print(
        f"Review queue with {pending:,} unreviewed check-worthy claims and {suggested:,} "
        "suggested links pending (median; a page of 100 of each)"
    )
    print(f"  its SQL alone (baseline)                 {queue_base * 1000:6.1f} ms")
    print(
        f"  GET /queue                               {queue_full * 1000:6.1f} ms  (target < 150 ms)"
    )
    print(f"  speed relative to SQL alone = {queue_base / queue_full:.2f}")
    return base / full
