"""The platform's clock: every deadline and date shown is in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current time, timezone-aware (UTC), whatever the server's zone."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai, for display and working-day arithmetic."""
    return moment.astimezone(SHANGHAI)


def local_iso(moment: datetime | None) -> str | None:
    """ISO 8601 text in Asia/Shanghai (``+08:00``), or None."""
    if moment is None:
        return None
    return local(moment).isoformat(timespec="seconds")
