"""Business records (业务记录): data a process keeps beyond one instance.

A process sometimes has to remember things other instances read: the organisations
the platform admitted, the services they publish. Rather than a table per process,
every such document lives in one table, in a named *collection*, under a *key* unique
in that collection, with a *status* and the JSON data the BPMN scripts gave it, and
the id of the instance that last wrote it.

BPMN scripts and conditions reach them through functions of the restricted script
environment (``script_functions``): ``save_record``, ``set_record_status``,
``get_record``, ``record_status`` and ``find_records``. They work only while the
runtime runs an instance or checks a form, inside its transaction: a step that
fails or is refused writes no record. Pages and the API read them with ``query``
and ``get``; a form field of type ``records`` shows those matching a value of the
task (``for_field``), e.g. an organisation's history beside its vetting.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.clock import local, local_iso, now
from engine.db import Base, UTCDateTime
from engine.errors import NotFound, ScriptFailed
from engine.forms import FormField

logger = logging.getLogger(__name__)

MAX_PAGE = 200

# Letters and digits of generated keys, without the look-alikes 0/O and 1/I.
_KEY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class BusinessRecord(Base):
    """One document of a collection, e.g. ``("service", "S-3")``."""

    __tablename__ = "business_record"
    __table_args__ = (
        UniqueConstraint("collection", "key"),
        Index("ix_business_record_collection_status", "collection", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collection: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    def as_dict(self) -> dict[str, Any]:
        """The data with ``key``, ``status`` and the times (Asia/Shanghai) beside."""
        return {
            **self.data,
            "key": self.key,
            "status": self.status,
            "created_at": local_iso(self.created_at),
            "updated_at": local_iso(self.updated_at),
        }


# Lookups ---------------------------------------------------------------------


def find(session: Session, collection: str, key: str) -> BusinessRecord | None:
    """The record under ``key`` in ``collection``, or None."""
    return session.scalar(
        select(BusinessRecord).where(
            BusinessRecord.collection == collection, BusinessRecord.key == str(key)
        )
    )


def get(session: Session, collection: str, key: str) -> BusinessRecord:
    """The record, or ``NotFound`` with a Chinese message."""
    record = find(session, collection, key)
    if record is None:
        raise NotFound("未找到该记录。")
    return record


@dataclass(frozen=True)
class RecordPage:
    """One page of a query and how many records match in all."""

    records: list[BusinessRecord]
    total: int


def matches(data: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    """Whether every field equals the wanted value (or, for a list, contains it)."""
    for name, wanted in fields.items():
        value = data.get(name)
        if isinstance(value, list) and not isinstance(wanted, list):
            if wanted not in value:
                return False
        elif value != wanted:
            return False
    return True


def _contains_text(record: BusinessRecord, text: str) -> bool:
    needle = text.casefold()
    return any(
        isinstance(value, str) and needle in value.casefold()
        for value in record.data.values()
    )


def query(
    session: Session,
    collection: str,
    *,
    statuses: set[str] | None = None,
    fields: Mapping[str, Any] | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RecordPage:
    """Records of ``collection``, newest first, filtered by status, fields and text.

    Status is filtered in SQL; fields (equality, or membership for list values)
    and text (a case-insensitive substring of any text value) are filtered here,
    over the collection's rows of those statuses, because JSON cannot be searched
    the same way on SQLite and PostgreSQL. That is fine for catalogues of a few
    thousand records; a larger collection would need a search index.
    """
    statement = select(BusinessRecord).where(BusinessRecord.collection == collection)
    if statuses is not None:
        statement = statement.where(BusinessRecord.status.in_(statuses))
    statement = statement.order_by(
        BusinessRecord.updated_at.desc(), BusinessRecord.id.desc()
    )

    found = [
        record
        for record in session.scalars(statement)
        if matches(record.data, fields or {})
        and (not text or _contains_text(record, text))
    ]
    start = max(0, offset)
    return RecordPage(found[start : start + max(1, min(limit, MAX_PAGE))], len(found))


# Most records a ``records`` form field lists: the newest ones.
FIELD_ROWS = 50


def for_field(
    session: Session, form_field: FormField, data: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The records a ``records`` form field shows, newest first.

    Those of the field's ``collection`` whose ``match`` field equals the task
    data's ``variable`` (by default the variable named like ``match``); none
    while the task data has no such value.
    """
    match = form_field.properties.get("match", "")
    wanted = data.get(form_field.properties.get("variable") or match)
    if not match or wanted in (None, "", []):
        return []
    page = query(
        session,
        form_field.properties.get("collection", ""),
        fields={match: wanted},
        limit=FIELD_ROWS,
    )
    return [record.as_dict() for record in page.records]


# Writes from BPMN scripts -----------------------------------------------------


@dataclass
class _Binding:
    session: Session
    touched: list[BusinessRecord] = field(default_factory=list)


_current: ContextVar[_Binding | None] = ContextVar("bangban_records", default=None)


@contextmanager
def bound(session: Session) -> Iterator[None]:
    """Let scripts run meanwhile read and write records in ``session``."""
    token = _current.set(_Binding(session))
    try:
        yield
    finally:
        _current.reset(token)


def attach(instance_id: int) -> None:
    """Note ``instance_id`` on the records written since ``bound`` began.

    The runtime calls it once the instance has its id (a new instance gets it
    only when it is first written, after its first scripts ran).
    """
    binding = _current.get()
    for record in binding.touched if binding else []:
        record.instance_id = instance_id


def _binding() -> _Binding:
    binding = _current.get()
    if binding is None:
        raise ScriptFailed("业务记录只能在流程运行时读写。")
    return binding


def _check_name(collection: Any, key: Any) -> tuple[str, str]:
    if not isinstance(collection, str) or not collection or len(collection) > 50:
        raise ScriptFailed("业务记录的集合名应为不超过 50 个字符的文字。")
    if key is None or str(key) == "" or len(str(key)) > 100:
        raise ScriptFailed("业务记录的键应为不超过 100 个字符的非空值。")
    return collection, str(key)


def save_record(
    collection: str,
    key: Any,
    data: Mapping[str, Any] | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """Create the record or merge ``data`` into it; set ``status`` if given."""
    collection, key = _check_name(collection, key)
    binding = _binding()
    record = find(binding.session, collection, key)
    if record is None:
        record = BusinessRecord(collection=collection, key=key, data={})
        binding.session.add(record)
    # A new dict, so that SQLAlchemy sees the JSON column change.
    record.data = {**(record.data or {}), **dict(data or {})}
    if status is not None:
        record.status = status
    record.updated_at = now()
    binding.touched.append(record)
    binding.session.flush()
    logger.info("record %s/%s saved (status %s)", collection, key, record.status)
    return record.as_dict()


def set_record_status(collection: str, key: Any, status: str) -> dict[str, Any]:
    """Change the status of an existing record."""
    collection, key = _check_name(collection, key)
    if find(_binding().session, collection, key) is None:
        raise ScriptFailed(f"业务记录 {collection}/{key} 不存在。")
    return save_record(collection, key, None, status)


def get_record(collection: str, key: Any) -> dict[str, Any] | None:
    """The record as a dict (data, ``key``, ``status``), or None."""
    collection, key = _check_name(collection, key)
    record = find(_binding().session, collection, key)
    return record.as_dict() if record else None


def record_status(collection: str, key: Any) -> str | None:
    """The status of the record, or None when there is no such record.

    For conditions: ``record_status('organisation', credit_code) == 'suspended'``.
    """
    collection, key = _check_name(collection, key)
    record = find(_binding().session, collection, key)
    return record.status if record else None


def find_records(
    collection: str, status: str | None = None, **fields: Any
) -> list[dict[str, Any]]:
    """Records of ``collection`` with ``status`` (if given) and ``fields``.

    At most ``MAX_PAGE`` (200), newest first: a script that must touch more (an
    organisation with more than 200 services being suspended) leaves the older
    ones as they were.
    """
    statuses = {status} if status is not None else None
    page = query(
        _binding().session, collection, statuses=statuses, fields=fields, limit=MAX_PAGE
    )
    return [record.as_dict() for record in page.records]


def new_record_key(prefix: str = "") -> str:
    """A fresh key: ``prefix``, the Beijing date and six random letters/digits."""
    if not isinstance(prefix, str) or len(prefix) > 20:
        raise ScriptFailed("记录键前缀应为不超过 20 个字符的文字。")
    suffix = "".join(secrets.choice(_KEY_ALPHABET) for _ in range(6))
    return f"{prefix}{local(now()):%Y%m%d}{suffix}"


def script_functions() -> dict[str, Callable[..., Any]]:
    """The functions BPMN scripts get for business records."""
    return {
        "save_record": save_record,
        "set_record_status": set_record_status,
        "get_record": get_record,
        "record_status": record_status,
        "find_records": find_records,
        "new_record_key": new_record_key,
    }
