"""Functions BPMN expressions may call: deadlines from the working-day calendar.

Process owners write them in conditions, scripts and timer expressions, e.g. a
boundary timer ``timeDate`` of ``handling_due`` after a script set
``handling_due = deadline(dispatched_at, 3)``. Times travel through task data as
ISO 8601 text with the ``+08:00`` offset, which timers read without regard to the
server's own zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from engine.calendar import WorkingCalendar, default_calendar
from engine.clock import local, now


def _parse(moment: str) -> datetime:
    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is None:
        raise ValueError(f"time without a UTC offset: {moment!r}")
    return parsed


def make_helpers(
    calendar: WorkingCalendar | None = None,
) -> dict[str, Callable[..., Any]]:
    """The helper functions, bound to ``calendar`` (the default one if None)."""

    def cal() -> WorkingCalendar:
        return calendar or default_calendar()

    def now_iso() -> str:
        """The current time in Asia/Shanghai, as ISO text."""
        return local(now()).isoformat(timespec="seconds")

    def deadline(start: str, days: int) -> str:
        """24:00 of the ``days``-th working day after the day of ``start``."""
        return cal().deadline(_parse(start), int(days)).isoformat()

    def warning(due: str) -> str:
        """The start of the last working day before ``due`` (预警 time)."""
        return (_parse(due) - timedelta(days=1)).isoformat()

    def extend(due: str, days: int) -> str:
        """``due`` moved back by ``days`` more working days (an approved 延期)."""
        return cal().add_working_days(_parse(due), int(days)).isoformat()

    return {
        "now_iso": now_iso,
        "deadline": deadline,
        "warning": warning,
        "extend": extend,
    }
