"""The platform's clock: every deadline and date shown is in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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


def deadline_text(due: datetime | None) -> str:
    """A deadline as people read it, e.g. ``2026-12-04 24:00``; empty for None.

    Deadlines end at 24:00 of a working day and are kept as 00:00 of the next
    day; that day is not part of the time granted, so 00:00 is shown as 24:00 of
    the day before. Every page and notice shows deadlines this one way.
    """
    if due is None:
        return ""
    moment = local(due)
    if (moment.hour, moment.minute) == (0, 0):
        return f"{moment - timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{moment:%Y-%m-%d %H:%M}"
