"""Declarative base and column types shared by every table of the engine.

The engine defines its tables with plain SQLAlchemy so that it does not depend on
Flask; the web app hands this base to Flask-SQLAlchemy as its ``model_class``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

# Stable constraint names, so that Alembic migrations can rename and drop them on
# SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every Bangban table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always returned timezone-aware.

    SQLite keeps no time zone, so every value is normalised to UTC on the way in;
    callers convert to Asia/Shanghai only when they show a time to a person.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"expected a timezone-aware datetime, got {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def configure_sqlite(engine: Engine) -> None:
    """Make a SQLite engine safe for concurrent requests.

    pysqlite opens transactions lazily, so two requests can both read and then both
    try to write: SQLite answers one of them "database is locked" at once instead of
    letting it wait. Starting every transaction with ``BEGIN IMMEDIATE`` takes the
    write lock up front, so a second writer waits (``busy_timeout``) and then sees
    the first one's changes: a stale completion becomes a clean conflict. WAL keeps
    readers outside transactions unblocked. The cost is that SQLite runs one
    transaction at a time, which is the pilot scale it is meant for; PostgreSQL is
    the production database.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL keeps every commit across an application crash and
        # skips the fsync per commit; only a power cut can lose the last ones.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def refresh_statistics(engine: Engine) -> None:
    """Refresh SQLite's query-planner statistics (PostgreSQL's autovacuum does this).

    Without statistics SQLite reads a long report period through the
    ``submitted_at`` index row by row, a third slower than scanning. The
    analysis limit keeps the run short on a big database: sampled statistics
    are all the planner needs.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
        connection.exec_driver_sql("ANALYZE")
    logger.info("SQLite planner statistics refreshed")
