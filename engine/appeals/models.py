"""The appeal record (诉求) and its statuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.clock import now
from engine.db import Base, UTCDateTime

# Stable status codes for programs, Chinese labels for people.
STATUS_LABELS = {
    "submitted": "待研判",
    "returned": "已退回",
    "handling": "办理中",
    "reviewing": "审核中",
    "published": "已答复",
    "closed": "已办结",
    "terminated": "已终止",
}

CHANNELS = {
    "pc": "电脑端",
    "mobile": "移动端",
    "hotline": "热线电话",
    "import": "历史导入",
}

RATINGS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
}

# The process every new appeal runs on.
PROCESS_KEY = "appeal"


class Appeal(Base):
    """One appeal from an enterprise, with its contact data and current status."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    query_code_hash: Mapped[str] = mapped_column(String(200))
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    result: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(30))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id"), index=True
    )
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    legacy_id: Mapped[str | None] = mapped_column(String(50), unique=True)
    # The registered enterprise (注册企业) that submitted it while signed in.
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise_account.id"), index=True
    )

    @property
    def status_label(self) -> str:
        """The status in Chinese, e.g. 办理中."""
        return STATUS_LABELS.get(self.status, self.status)
