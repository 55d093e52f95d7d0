"""API keys (created by `tidings keys create`, stored as SHA-256) and a per-key rate limit."""

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.keys import SCOPE_RANK, ApiKey, KeyScope

KEY_PREFIX = "tdg_"


def hash_key(key: str) -> str:
    """The stored form of a key (keys are 256-bit random, so a plain SHA-256 suffices)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(engine: Engine, scope: KeyScope, name: str = "") -> tuple[ApiKey, str]:
    """A new key: the stored row and the key itself (shown once, never stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(prefix=key[:10], key_hash=hash_key(key), scope=scope, name=name)
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
    return row, key


def list_keys(engine: Engine) -> list[ApiKey]:
    """Every key, by id."""
    with Session(engine) as session:
        return list(session.exec(select(ApiKey).order_by(col(ApiKey.id))).all())


def revoke_key(engine: Engine, key_id: int) -> bool:
    """Revoke a key by id; False when there is none."""
    with Session(engine) as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            return False
        row.revoked = True
        session.add(row)
        session.commit()
    return True


def find_key(engine: Engine, key: str) -> ApiKey | None:
    """The live key row for `key`, or None."""
    with Session(engine) as session:
        row = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).first()
    return row if row is not None and not row.revoked else None


def allows(scope: KeyScope, needed: KeyScope) -> bool:
    """Whether a key of `scope` may do what needs `needed` (admin > write > read)."""
    return SCOPE_RANK[scope] >= SCOPE_RANK[needed]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """0.0 when allowed, else the seconds until the next request is allowed."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(caller, _Bucket(self.capacity, now))
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate
