"""Attachments (附件): files staff upload with a task form, e.g. extension material.

A file is checked before it is kept: its size, and its real content (read by the
``filetype`` library from the first bytes, never trusted from the name or the
browser's content type) must be one of the allowed kinds. Kept files live in
Bangban's own folder, named by the SHA-256 of their content, so a user-given name
never reaches the file system and the same file uploaded twice is stored once.
Each upload is one ``attachment`` row: which appeal, instance, step and task it
belongs to, the original name, type, size, checksum, who uploaded it and when.

The row is written in the caller's transaction; the file is written first, so a
row never points at a missing file. A transaction that rolls back leaves its file
behind unreferenced: harmless, but the folder is never pruned of such files.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import IO

import filetype
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.clock import now
from engine.db import Base, UTCDateTime

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The most files one form field takes at once.
MAX_FILES_PER_FIELD = 5

# What may be uploaded: the MIME type the content is recognised as, with the
# file name endings that go with it and a label for error messages.
ALLOWED_KINDS = {
    "application/pdf": ({".pdf"}, "PDF"),
    "image/jpeg": ({".jpg", ".jpeg"}, "JPG 图片"),
    "image/png": ({".png"}, "PNG 图片"),
    "application/msword": ({".doc"}, "Word 文档"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        {".docx"},
        "Word 文档",
    ),
    "application/ofd": ({".ofd"}, "OFD 版式文档"),
}
ACCEPTED_ENDINGS = sorted({end for ends, _ in ALLOWED_KINDS.values() for end in ends})
ALLOWED_LABELS = "、".join(dict.fromkeys(label for _, label in ALLOWED_KINDS.values()))

# How much of the head of a file the type check reads.
_HEAD_BYTES = 8192


class UploadRejected(ValueError):
    """An upload that is refused; the message says why, in Chinese."""


class Attachment(Base):
    """One uploaded file, as a row; the bytes are in the attachment store."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id"), index=True
    )
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    step_id: Mapped[str | None] = mapped_column(String(100))
    field_id: Mapped[str | None] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


@dataclass(frozen=True)
class Where:
    """What an upload belongs to: the task of a form and its instance."""

    business_key: str | None
    instance_id: int
    task_id: str
    step_id: str
    field_id: str


class AttachmentStore:
    """Bangban's folder of uploaded files, each named by its SHA-256."""

    def __init__(self, root: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path_of(self, sha256: str) -> Path:
        """Where the file with this checksum is kept (two-letter subfolders)."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def save(
        self,
        session: Session,
        stream: IO[bytes],
        filename: str,
        where: Where,
        uploaded_by: str,
    ) -> Attachment:
        """Check and keep one upload; add its row to the caller's transaction.

        Raises ``UploadRejected`` (a Chinese message) for a file that is too
        big, empty, or not an allowed kind.
        """
        data = stream.read(self.max_bytes + 1)
        name = clean_filename(filename)
        if len(data) > self.max_bytes:
            limit = self.max_bytes / 1024 / 1024
            raise UploadRejected(
                f"文件“{name}”超过 {limit:g} MB 上限，请压缩后重新上传"
            )
        if not data:
            raise UploadRejected(f"文件“{name}”是空文件，请重新选择")
        content_type = detect_kind(data, name)

        digest = hashlib.sha256(data).hexdigest()
        self._write(digest, data)
        attachment = Attachment(
            business_key=where.business_key,
            instance_id=where.instance_id,
            task_id=where.task_id,
            step_id=where.step_id,
            field_id=where.field_id,
            filename=name,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=uploaded_by,
            uploaded_at=now(),
        )
        session.add(attachment)
        session.flush()
        logger.info(
            "attachment %s (%s, %s bytes) uploaded by %s for %s step %s",
            attachment.id,
            content_type,
            len(data),
            uploaded_by,
            where.business_key or where.instance_id,
            where.step_id,
            extra={"instance_id": where.instance_id, "task_id": where.task_id},
        )
        return attachment

    def _write(self, digest: str, data: bytes) -> None:
        target = self.path_of(digest)
        if target.exists():
            return  # the same content is already kept
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside, then rename: a reader never sees half a file.
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.chmod(0o640)
        partial.replace(target)


def clean_filename(filename: str) -> str:
    """The last part of a browser-given name, without control characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if char.isprintable()).strip()
    return base[-200:] or "附件"


def detect_kind(data: bytes, filename: str) -> str:
    """The MIME type of ``data`` if it is an allowed kind matching its name.

    Raises ``UploadRejected`` when the content is of no allowed kind, or when
    the name's ending says another kind than the content (a renamed file).
    """
    ending = Path(filename).suffix.lower()
    guess = filetype.guess(data[:_HEAD_BYTES])
    mime = guess.mime if guess is not None else None
    if mime == "application/zip" and ending == ".ofd" and _is_ofd(data):
        mime = "application/ofd"
    if mime not in ALLOWED_KINDS:
        raise UploadRejected(
            f"文件“{filename}”的类型不允许上传，请上传 {ALLOWED_LABELS}"
        )
    endings, label = ALLOWED_KINDS[mime]
    if ending not in endings:
        raise UploadRejected(
            f"文件“{filename}”的内容是{label}，与文件扩展名不符，请核对后重新上传"
        )
    return mime


def _is_ofd(data: bytes) -> bool:
    """Whether a ZIP archive is an OFD document (GB/T 33190: ``OFD.xml`` at root)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "OFD.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def of_task(session: Session, task_id: str) -> set[int]:
    """Ids of the attachments uploaded with the form of one task."""
    query = select(Attachment.id).where(Attachment.task_id == task_id)
    return set(session.scalars(query))


def of_appeal(session: Session, business_key: str) -> list[Attachment]:
    """Every attachment of an appeal, oldest first."""
    query = (
        select(Attachment)
        .where(Attachment.business_key == business_key)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    return list(session.scalars(query))


def of_instance(session: Session, instance_id: int) -> list[Attachment]:
    """Every attachment uploaded in one process instance, oldest first.

    For flows whose instances carry no appeal number (an organisation's
    admission, a service request).
    """
    query = (
        select(Attachment)
        .where(Attachment.instance_id == instance_id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    return list(session.scalars(query))


def by_ids(session: Session, ids: Collection[int]) -> list[Attachment]:
    """The attachments with these ids, in id order."""
    if not ids:
        return []
    query = select(Attachment).where(Attachment.id.in_(ids)).order_by(Attachment.id)
    return list(session.scalars(query))
