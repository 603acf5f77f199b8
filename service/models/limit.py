"""Rate-limit counters, shared by every web process (service/limits.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base


class RateLimitCounter(Base):
    """One fixed window of one limit for one client: how many requests it has counted and when
    it ends. UNLOGGED: counters are worth nothing after a crash, and skipping the WAL keeps a
    counted write to one cheap statement. Rows past their window are deleted as they are met."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = {"prefixes": ["UNLOGGED"]}

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int]
    expires_at: Mapped[datetime] = mapped_column(index=True)
