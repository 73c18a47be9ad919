"""Slowing down guesses (限制尝试): failed sign-ins and query-code look-ups.

Every throttle of the app counts *failures* only, in a moving window, with the
``limits`` library; the counts live in the storage named by
``BANGBAN_RATELIMIT_STORAGE_URI`` (default ``memory://``: per process, forgotten
on restart; ``redis://host:6379`` shares them between workers).

The figures:

- a client (its address, as ProxyFix gives it behind a proxy) that failed
  ``CLIENT_LIMIT`` sign-ins within ten minutes waits until the oldest of those
  failures is ten minutes old;
- query codes: ``CLIENT_LIMIT`` failures on one appeal number, or ``SCAN_LIMIT``
  on any numbers, from one client within ten minutes, the same way;
- an account name (staff username or credit code) that failed ``ACCOUNT_LIMIT``
  times within five minutes, from anywhere, is refused for at most five minutes.
  The short window limits how long someone else's guesses can lock the real owner
  out, and still allows at most 2,880 guesses a day at one account, against
  passwords of at least eight characters hashed with argon2.

While blocked, every attempt is refused, a correct password too, and the refusal
is not counted again (so waiting always ends the block).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, current_app, request
from limits import RateLimitItemPerMinute, storage
from limits.strategies import MovingWindowRateLimiter

from engine.appeals import service
from engine.appeals.models import Appeal
from engine.errors import EngineError, NotFound
from webapp.extensions import session

logger = logging.getLogger(__name__)

CLIENT_LIMIT = 5
CLIENT_WINDOW_MINUTES = 10
ACCOUNT_LIMIT = 10
# Failed look-ups from one client across appeal numbers (see QUERY_CODE_BY_CLIENT).
SCAN_LIMIT = 20
ACCOUNT_WINDOW_MINUTES = 5

_EXTENSION = "bangban_throttle"

T = TypeVar("T")


class TooManyAttempts(EngineError):
    """Refused for too many recent failures; ``retry_after`` in seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Throttle:
    """Failures of one kind counted per key, e.g. failed sign-ins per client."""

    name: str
    limit: int
    minutes: int

    def _item(self) -> RateLimitItemPerMinute:
        return RateLimitItemPerMinute(self.limit, self.minutes, namespace=self.name)

    def wait(self, key: str) -> int:
        """Seconds ``key`` must still wait before trying again; 0 when it may."""
        limiter = _limiter()
        item = self._item()
        if limiter.test(item, _safe(key)):
            return 0
        reset_at = limiter.get_window_stats(item, _safe(key)).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def record_failure(self, key: str) -> None:
        """Count one failure by ``key``; say so in the log when it blocks ``key``."""
        limiter, item = _limiter(), self._item()
        limiter.hit(item, _safe(key))
        if not limiter.test(item, _safe(key)):
            logger.warning(
                "%s: %s failed %d times in %d minutes and is blocked",
                self.name,
                key,
                self.limit,
                self.minutes,
            )


# Query codes, for the portal's pages and the API alike: failures on one appeal
# number per client, so one person's typos lock only that appeal, and a wider
# count per client across numbers, against scanning many numbers. Offices and
# industrial parks put many people behind one address: the per-client cap is
# what they share.
QUERY_CODE_BY_APPEAL = Throttle(
    "query-code-appeal", CLIENT_LIMIT, CLIENT_WINDOW_MINUTES
)
QUERY_CODE_BY_CLIENT = Throttle("query-code-client", SCAN_LIMIT, CLIENT_WINDOW_MINUTES)

# Sign-ins of staff (pages and API tokens) and of enterprises, per client and per
# account name; the two kinds of account share the per-client count.
SIGN_IN_BY_CLIENT = Throttle("sign-in-client", CLIENT_LIMIT, CLIENT_WINDOW_MINUTES)
SIGN_IN_BY_ACCOUNT = Throttle("sign-in-account", ACCOUNT_LIMIT, ACCOUNT_WINDOW_MINUTES)


def client_address() -> str:
    """The client's address (the proxy's forwarded one under ProxyFix)."""
    return request.remote_addr or "unknown"


def _safe(key: str) -> str:
    # Account names come from the form: keep keys short and of one alphabet.
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]


def _limiter() -> MovingWindowRateLimiter:
    limiter: MovingWindowRateLimiter = current_app.extensions[_EXTENSION]
    return limiter


def minutes_of(seconds: int) -> int:
    """Whole minutes to tell people, rounded up (at least one)."""
    return max(1, math.ceil(seconds / 60))


def attempt_sign_in(kind: str, account: str, check: Callable[[], T | None]) -> T | None:
    """Run ``check`` (the password check) unless the client or account is blocked.

    ``kind`` (``staff``, ``enterprise``) keeps usernames and credit codes apart in
    the account count; ``account`` is the name as typed (spaces and case do not
    make a new name). Raises TooManyAttempts while blocked, without checking the
    password; a ``None`` from ``check`` counts against the client and the name.
    """
    client = client_address()
    name = f"{kind}:{''.join(account.split()).casefold()}"
    wait = max(SIGN_IN_BY_CLIENT.wait(client), SIGN_IN_BY_ACCOUNT.wait(name))
    if wait:
        logger.info("sign-in as %s from %s refused for %ss", name, client, wait)
        raise TooManyAttempts(
            f"登录失败次数过多，为保护账号安全，请 {minutes_of(wait)} 分钟后再试。",
            wait,
        )

    signed_in = check()
    if signed_in is None:
        SIGN_IN_BY_CLIENT.record_failure(client)
        SIGN_IN_BY_ACCOUNT.record_failure(name)
    return signed_in


def find_with_query_code(number: str, query_code: str) -> Appeal:
    """The appeal with this number and query code, for every place that checks one.

    A client that failed too often on this number, or on numbers in all, gets
    TooManyAttempts before any check; a wrong code or number (NotFound) counts
    as one failure of both.
    """
    client = client_address()
    on_appeal = f"{client}|{number.strip().upper()}"
    wait = max(QUERY_CODE_BY_APPEAL.wait(on_appeal), QUERY_CODE_BY_CLIENT.wait(client))
    if wait:
        logger.info("query-code look-up from %s refused for %ss", client, wait)
        raise TooManyAttempts(
            f"查询失败次数过多，为保护诉求信息，请 {minutes_of(wait)} 分钟后再试。",
            wait,
        )

    try:
        return service.find_public(session(), number, query_code)
    except NotFound:
        QUERY_CODE_BY_APPEAL.record_failure(on_appeal)
        QUERY_CODE_BY_CLIENT.record_failure(client)
        raise


def init_app(app: Flask) -> None:
    """Open the storage named by ``BANGBAN_RATELIMIT_STORAGE_URI``."""
    uri = app.config["BANGBAN_RATELIMIT_STORAGE_URI"]
    app.extensions[_EXTENSION] = MovingWindowRateLimiter(
        storage.storage_from_string(uri)
    )


def reset(app: Flask) -> None:
    """Forget every count (tests, or an operator lifting every block)."""
    limiter: MovingWindowRateLimiter = app.extensions[_EXTENSION]
    limiter.storage.reset()
