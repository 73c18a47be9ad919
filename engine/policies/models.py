"""The policy record: a policy, a project notice (申报通知) or an interpretation (解读).

All three share one table, so that publishing, withdrawing, the audit trail,
stable URLs and search work the same for each; an interpretation names the
policy it explains in ``parent_id``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.clock import local, now
from engine.db import Base, UTCDateTime

KINDS = {
    "policy": "政策文件",
    "notice": "申报通知",
    "interpretation": "政策解读",
}

LEVELS = {
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "district": "区县级",
}

STATUSES = {
    "draft": "草稿",
    "published": "已发布",
    "withdrawn": "已撤回",
}

# Sections of the national industry classification (GB/T 4754—2017) that
# enterprise policies name most often.
INDUSTRIES = (
    "农林牧渔业",
    "制造业",
    "建筑业",
    "批发和零售业",
    "交通运输、仓储和邮政业",
    "住宿和餐饮业",
    "信息传输、软件和信息技术服务业",
    "金融业",
    "房地产业",
    "租赁和商务服务业",
    "科学研究和技术服务业",
    "居民服务、修理和其他服务业",
    "教育",
    "卫生和社会工作",
    "文化、体育和娱乐业",
)

# Enterprise sizes as the statistical standard names them (大中小微).
SIZES = ("大型", "中型", "小型", "微型")

# Industries and sizes are stored as one text each, joined by this separator,
# which no name above contains.
SEPARATOR = "|"


class Policy(Base):
    """One published (or draft, or withdrawn) piece of policy information."""

    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    issuing_body: Mapped[str] = mapped_column(String(200), index=True)
    document_number: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20), index=True)
    doc_type: Mapped[str | None] = mapped_column(String(50))
    region: Mapped[str | None] = mapped_column(String(50))
    published_on: Mapped[date] = mapped_column(Date, index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    industries: Mapped[str] = mapped_column(String(500), default="")
    enterprise_sizes: Mapped[str] = mapped_column(String(100), default="")
    body: Mapped[str] = mapped_column(Text)
    # [{"name": ..., "url": ...}]. Bangban stores no files: an attachment is a link
    # to the issuer's copy, so a maintainer cannot upload a file the issuer has
    # not published, and a link breaks when the issuer moves its files.
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    source_url: Mapped[str | None] = mapped_column(String(500))
    apply_from: Mapped[date | None] = mapped_column(Date)
    apply_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    # Where an imported item came from (its id in the file, or the file name):
    # importing the same source again finds it and adds nothing.
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Words of the title and body as segmented by jieba, separated by spaces: the
    # database's full-text index is built on these (see engine.policies.search).
    title_tokens: Mapped[str] = mapped_column(Text, default="")
    body_tokens: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def kind_label(self) -> str:
        """The kind in Chinese, e.g. 申报通知."""
        return KINDS.get(self.kind, self.kind)

    @property
    def level_label(self) -> str:
        """The level in Chinese, e.g. 省级."""
        return LEVELS.get(self.level, self.level)

    @property
    def status_label(self) -> str:
        """The status in Chinese, e.g. 已发布."""
        return STATUSES.get(self.status, self.status)

    @property
    def industry_list(self) -> list[str]:
        """Target industries; empty means every industry."""
        return split_names(self.industries)

    @property
    def size_list(self) -> list[str]:
        """Target enterprise sizes; empty means every size."""
        return split_names(self.enterprise_sizes)

    @property
    def business_key(self) -> str:
        """The key of this item's entries in the audit trail."""
        return f"policy:{self.id}"

    def window_open(self, today: date | None = None) -> bool:
        """Whether this is a project notice whose application window is open today
        (Asia/Shanghai)."""
        if self.kind != "notice" or self.apply_from is None:
            return False
        today = today or local(now()).date()
        ends = self.apply_until or today
        return self.apply_from <= today <= ends


def split_names(text: str | None) -> list[str]:
    """Names stored joined by ``SEPARATOR``, as a list."""
    return [name for name in (text or "").split(SEPARATOR) if name]


def join_names(names: list[str]) -> str:
    """Names joined for storage: ``|制造业|建筑业|`` (empty list: empty text).

    The separators at both ends let a filter match one whole name with LIKE.
    """
    return f"{SEPARATOR}{SEPARATOR.join(names)}{SEPARATOR}" if names else ""
