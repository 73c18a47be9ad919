"""Slowing down guesses of query codes: failed look-ups counted per client.

The counter lives in this process's memory (per-process): with several worker
processes each keeps its own count, so a client spread over N workers may fail up
to N times the limit before every worker refuses it, and a restart forgets all
counts. That is enough to make guessing an 8-character code hopeless; a shared
store (e.g. Redis) would be needed for an exact limit across workers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

logger = logging.getLogger(__name__)

# Five failures within ten minutes, then the client has to wait.
MAX_FAILURES = 5
WINDOW_SECONDS = 600.0

# Beyond this many clients tracked, forget those whose failures have all expired.
_PRUNE_ABOVE = 10_000


class FailureLimiter:
    """Counts recent failures per key (a remote address) in a sliding window."""

    def __init__(
        self,
        limit: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        """Whether ``key`` has used up its failures and must wait."""
        with self._lock:
            recent = self._recent(key)
            return len(recent) >= self.limit

    def record_failure(self, key: str) -> None:
        """Count one failed attempt by ``key``."""
        with self._lock:
            if len(self._failures) > _PRUNE_ABOVE:
                self._prune()

            recent = self._recent(key)
            recent.append(self._clock())
            self._failures[key] = recent
            if len(recent) >= self.limit:
                logger.warning("%s failed %d look-ups: slowed down", key, len(recent))

    def clear(self) -> None:
        """Forget every count (for tests and operators)."""
        with self._lock:
            self._failures.clear()

    def _recent(self, key: str) -> deque[float]:
        # The caller holds the lock.
        horizon = self._clock() - self.window
        recent = self._failures.get(key, deque())
        while recent and recent[0] <= horizon:
            recent.popleft()
        if not recent:
            self._failures.pop(key, None)
        return recent

    def _prune(self) -> None:
        # The caller holds the lock.
        horizon = self._clock() - self.window
        stale = [key for key, times in self._failures.items() if times[-1] <= horizon]
        for key in stale:
            del self._failures[key]


# The portal's look-up and rating pages share this one.
lookup_failures = FailureLimiter()
