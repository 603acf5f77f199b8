"""Settings read from the environment once, then passed around explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from service.linking.scoring import SUGGEST_MIN

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else int(raw)


def _env_limit(name: str, default: str | None) -> str | None:
    """A flask-limiter limit ("600/minute"), or "off" for none."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return None if raw.strip().lower() in {"off", "none", "0"} else raw.strip()


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to know about its surroundings."""

    #: SQLAlchemy URL; None means "use the embedded Postgres under data_dir".
    database_url: str | None = None
    #: A read replica for reports and exports (DATABASE_READ_URL); None reads the primary.
    #: Replicas lag: a report may trail a write by the replica's delay.
    database_read_url: str | None = None
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / ".data")
    #: Reading may be open (newsroom dashboards) or keyed; writes always need a key.
    read_requires_key: bool = False
    max_body_bytes: int = 5 * 1024 * 1024
    statement_timeout_ms: int = 15_000
    pool_size: int = 5
    #: Who publishes the reviews (ClaimReview author) and where the service is reached.
    organisation_name: str = "Claimdesk newsroom"
    organisation_url: str = "http://127.0.0.1:8000/"  # from_env: public_url's
    public_url: str = "http://127.0.0.1:8000"
    #: Stored link suggestions need at least this confidence (a probability that the link is
    #: real); lower pairs are shown only on demand. No threshold ever confirms a link.
    suggest_min: float = SUGGEST_MIN
    #: Signs the workspace's session cookies. None: a random key per process (tests, one
    #: worker); `claimdesk serve` keeps one in data_dir so every worker shares it.
    secret_key: str | None = None
    #: Session cookies only over HTTPS (set CLAIMDESK_SECURE_COOKIES=1 behind TLS).
    secure_cookies: bool = False
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none,
    #: the peer address is the client). Behind one TLS proxy set 1: otherwise every client
    #: has the proxy's address, and one address's sign-in limit locks everyone out.
    proxy_hops: int = 0
    #: Writes allowed per API key (or person, or address) in flask-limiter's notation
    #: ("600/minute"); None turns the write limit off. Reads are never limited.
    write_rate_limit: str | None = "600/minute"
    #: Sign-in attempts allowed per client address, beside the per-account lock-out.
    sign_in_rate_limit: str | None = "10/minute"
    #: Where the counters live: "database" (the service's Postgres, shared by every process),
    #: memory:// (per process) or another `limits` storage URI (see service/limits.py).
    rate_limit_storage: str = "database"

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from CLAIMDESK_* and DATABASE_URL environment variables."""
        data_dir = os.environ.get("CLAIMDESK_DATA_DIR")
        public_url = os.environ.get("CLAIMDESK_PUBLIC_URL") or cls.public_url
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            database_read_url=os.environ.get("DATABASE_READ_URL") or None,
            data_dir=Path(data_dir) if data_dir else PROJECT_ROOT / ".data",
            read_requires_key=_env_bool("CLAIMDESK_READ_REQUIRES_KEY", False),
            max_body_bytes=_env_int("CLAIMDESK_MAX_BODY_BYTES", 5 * 1024 * 1024),
            statement_timeout_ms=_env_int("CLAIMDESK_STATEMENT_TIMEOUT_MS", 15_000),
            pool_size=_env_int("CLAIMDESK_POOL_SIZE", 5),
            organisation_name=os.environ.get("CLAIMDESK_ORG_NAME") or cls.organisation_name,
            # Unless told otherwise, the organisation is where the service is reached (its
            # reviews' own address), not a fixed default that `serve --port` leaves behind.
            organisation_url=os.environ.get("CLAIMDESK_ORG_URL") or public_url.rstrip("/") + "/",
            public_url=public_url,
            suggest_min=float(os.environ.get("CLAIMDESK_SUGGEST_MIN") or SUGGEST_MIN),
            secret_key=os.environ.get("CLAIMDESK_SECRET_KEY") or None,
            secure_cookies=_env_bool("CLAIMDESK_SECURE_COOKIES", False),
            proxy_hops=_env_int("CLAIMDESK_PROXY_HOPS", 0),
            write_rate_limit=_env_limit("CLAIMDESK_WRITE_RATE_LIMIT", cls.write_rate_limit),
            sign_in_rate_limit=_env_limit("CLAIMDESK_SIGN_IN_RATE_LIMIT", cls.sign_in_rate_limit),
            rate_limit_storage=os.environ.get("CLAIMDESK_RATE_LIMIT_STORAGE")
            or cls.rate_limit_storage,
        )
