"""Bulk import of policy information (政策导入) from JSON Lines or a folder of texts.

- A ``.jsonl`` file: one object a line with ``id``, ``title``, ``issuing_body``,
  ``date`` and ``body``, optionally ``level``, ``region``, ``doc_type``, ``url``,
  ``document_number``, ``kind``, ``industries``, ``enterprise_sizes``,
  ``apply_from``, ``apply_until`` (the shape of ``shared/data/policies.jsonl``).
- A folder of ``.txt`` / ``.md`` files: the first line is the title, then lines
  such as ``发文机关：…``, ``文号：…``, ``发布日期：2024-05-01``, then the body.

Each item is checked like a maintainer's form; an item already imported (same
``id``, or same file name) is skipped, so an import can be run again safely.
Imported items are published unless asked to stay drafts.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from engine.errors import EngineError, FormInvalid
from engine.policies import service
from engine.policies.form import LABELS
from engine.policies.models import KINDS, LEVELS, Policy
from engine.runtime import Actor

logger = logging.getLogger(__name__)

IMPORTER = Actor("import", frozenset({service.MAINTAINER}))
TEXT_SUFFIXES = (".txt", ".md")

# Header lines of a text file, by their Chinese name.
_HEADERS = {LABELS[name]: name for name in LABELS} | {"类型": "kind", "日期": "date"}
_HEADER_LINE = re.compile(r"^\s*([\u4e00-\u9fff]{2,8})\s*[:：]\s*(.+?)\s*$")
_CHINESE_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# The four municipalities directly under the central government are provinces.
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
_NATIONAL_PREFIXES = ("国务院", "全国", "国家", "中华人民共和国", "中共中央")
# Words with 市, 区 or 县 in them that are not place names.
_NOT_PLACES = re.compile("市场|城市|区域|地区|社区|园区|县域|市级|区级|县级|省级")
# Administrative words; at the same place the earlier one wins.
_LEVEL_MARKERS = (
    ("自治区", "provincial"),
    ("省", "provincial"),
    ("自治州", "municipal"),
    ("市", "municipal"),
    ("区", "district"),
    ("县", "district"),
)


@dataclass
class ImportReport:
    """What an import did; every skipped item with its reason."""

    imported: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the operator."""
        return f"imported {self.imported} policies, skipped {len(self.skipped)}"


class ImportFailed(EngineError):
    """The path as a whole cannot be imported; nothing was."""

    code = "import_failed"


@dataclass(frozen=True)
class Record:
    """One item read from the source, before it is checked."""

    label: str
    key: str | None
    values: dict[str, Any]
    problem: str | None = None


def import_path(
    session: Session, path: Path, *, publish: bool = True, progress: bool = False
) -> ImportReport:
    """Import every valid item of ``path``; the caller commits."""
    records = list(_records(path))
    known = set(
        session.scalars(select(Policy.source_key).where(Policy.source_key.isnot(None)))
    )
    report = ImportReport()

    for record in tqdm(records, disable=not progress, unit="item", desc="importing"):
        if record.problem or not record.key:
            report.skipped.append(f"{record.label}: {record.problem or '缺少 id'}")
            continue
        if record.key in known:
            report.skipped.append(f"{record.label}: 已导入过")
            continue
        savepoint = session.begin_nested()
        try:
            policy = service.create(
                session, record.values, IMPORTER, source_key=record.key
            )
            if publish:
                service.publish(session, policy.id, IMPORTER)
            savepoint.commit()
        except EngineError as exc:
            savepoint.rollback()
            report.skipped.append(f"{record.label}: {_reason(exc)}")
            continue
        known.add(record.key)
        report.imported += 1

    logger.info("policy import of %s: %s", path.name, report.summary())
    return report


def _reason(exc: EngineError) -> str:
    if isinstance(exc, FormInvalid):
        return "；".join(
            f"{LABELS.get(e.field, e.field)}: {e.message}" for e in exc.errors
        )
    return exc.message


def _records(path: Path) -> Iterator[Record]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES)
        if not files:
            raise ImportFailed(f"文件夹 {path} 中没有 .txt 或 .md 文件。")
        for file in files:
            yield _text_record(file, file.relative_to(path).as_posix())
        return
    if path.suffix.lower() in TEXT_SUFFIXES:
        yield _text_record(path, path.name)
        return
    yield from _json_records(path)


def _read(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(f"{path.name} 的编码无法识别：请另存为 UTF-8 或 GBK 编码。")


def _json_records(path: Path) -> Iterator[Record]:
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        label = f"line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            yield Record(label, None, {}, "不是有效的 JSON")
            continue
        if not isinstance(item, dict):
            yield Record(label, None, {}, "应为一个 JSON 对象")
            continue
        key = str(item.get("id") or "").strip() or None
        if key:
            label += f" ({key})"
        yield _record(label, key, item)


def _record(label: str, key: str | None, item: dict[str, Any]) -> Record:
    """A record from a JSON object or a text file's headers, in the form's names."""
    values: dict[str, Any] = {
        name: item.get(name) for name in LABELS if item.get(name) is not None
    }
    kinds = {label: code for code, label in KINDS.items()}
    kind = str(values.get("kind") or "policy").strip()
    values["kind"] = kinds.get(kind, kind)
    values["title"] = item.get("title")
    values["issuing_body"] = item.get("issuing_body")
    values["body"] = item.get("body")
    values["source_url"] = item.get("url") or item.get("source_url")
    try:
        values["published_on"] = _date(item.get("date") or item.get("published_on"))
        values["level"], values["doc_type"] = _level(item)
    except ValueError as exc:
        return Record(label, key, values, str(exc))
    return Record(label, key, values)


def _date(raw: Any) -> date | None:
    """``2021-07-29``, ``2023-07-27 09:46`` or ``2021年7月29日`` as a date."""
    text = str(raw or "").strip()
    if not text:
        return None
    chinese = _CHINESE_DATE.match(text)
    if chinese:
        return date(*(int(part) for part in chinese.groups()))
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"发布日期无法识别：{text!r}") from None


def _level(item: dict[str, Any]) -> tuple[str | None, str | None]:
    """The level code and the document type.

    ``level`` may be a level code or its Chinese name; in the shared data it is
    the kind of legal document (法律, 地方性法规...), kept as the document type,
    and the level is read from the issuing body.
    """
    raw = str(item.get("level") or "").strip()
    doc_type = item.get("doc_type")
    by_label = {label: code for code, label in LEVELS.items()}
    if raw in LEVELS:
        return raw, doc_type
    if raw in by_label:
        return by_label[raw], doc_type
    issuer = str(item.get("issuing_body") or "").strip()
    if not issuer:
        # The form then says the issuing body is missing, which is the cause.
        return None, raw or doc_type
    return level_of(issuer, item.get("region")), raw or doc_type


def level_of(issuing_body: str, region: Any = None) -> str:
    """The level of government an issuing body belongs to, read from its name.

    The last place word decides (镇江市京口区财政局 is a district's); words such
    as 市场 or 园区 are not places. A guess from the name only: a body named
    otherwise must come with its level.
    """
    body = issuing_body.strip()
    if region == "全国" or body.startswith(_NATIONAL_PREFIXES):
        return "national"
    if body.startswith(_MUNICIPALITIES) and not re.search("区|县", body[3:]):
        return "provincial"
    places = _NOT_PLACES.sub("", body)
    found = [
        (places.rfind(marker) + len(marker), -order, level)
        for order, (marker, level) in enumerate(_LEVEL_MARKERS)
        if marker in places
    ]
    if not found:
        raise ValueError(
            "无法从发文机关判断层级，请写明 level（national、provincial、"
            "municipal 或 district）"
        )
    return max(found)[2]


def _text_record(path: Path, name: str) -> Record:
    """A text or Markdown document: title line, header lines, then the body."""
    label = name
    try:
        lines = _read(path).splitlines()
    except ImportFailed as exc:
        return Record(label, None, {}, exc.message)
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return Record(label, f"file:{name}", {}, "文件是空的")

    item: dict[str, Any] = {"title": lines.pop(0).strip().lstrip("#").strip()}
    while lines:
        header = _HEADER_LINE.match(lines[0])
        if header is None or header.group(1) not in _HEADERS:
            break
        lines.pop(0)
        item[_header_name(header.group(1))] = header.group(2)
    item["body"] = "\n".join(lines).strip()
    for many in ("industries", "enterprise_sizes"):
        if isinstance(item.get(many), str):
            item[many] = re.split(r"[、,，\s]+", item[many])
    return _record(label, f"file:{name}", item)


def _header_name(label: str) -> str:
    name = _HEADERS[label]
    # The form's names for the columns the JSON shape names differently.
    return {"published_on": "date", "source_url": "url"}.get(name, name)
