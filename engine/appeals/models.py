"""The appeal record (诉求) and its statuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.clock import now
from engine.db import Base, UTCDateTime

# The table ``Appeal.policy_id`` refers to must be known wherever appeals are.
from engine.policies import models as _policy_models  # noqa: F401

# Stable status codes for programs, Chinese labels for people.
STATUS_LABELS = {
    "submitted": "待研判",
    "returned": "已退回",
    "handling": "办理中",
    "reviewing": "审核中",
    "published": "已答复",
    "following_up": "回访中",
    "closed": "已办结",
    "terminated": "已终止",
}

CHANNELS = {
    "pc": "电脑端",
    "mobile": "移动端",
    "hotline": "热线电话",
    "import": "历史导入",
}

# The categories a new appeal may name (诉求类别), on every channel; imported
# appeals keep whatever category the old system gave them.
CATEGORIES = (
    "城乡建设",
    "环境保护",
    "交通运输",
    "教育文体",
    "劳动和社会保障",
    "商贸旅游",
    "卫生计生",
    "工业和信息化",
    "市场监管",
    "政策咨询",
    "其他",
)

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
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id"), index=True
    )
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    legacy_id: Mapped[str | None] = mapped_column(String(50), unique=True)
    # SHA-256 of the one-time token of the form (or the API's Idempotency-Key)
    # it came from: a second post of the same form finds this appeal instead of
    # making another; the unique index decides between concurrent posts.
    submission_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The registered enterprise (注册企业) that submitted it while signed in.
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise_account.id"), index=True
    )

    # Facts of the flow for the evaluation reports (服务评价, clause 6), recorded
    # by ``service.follow_instance`` as they happen; never edited by hand.
    # The lead department (主办) of the latest dispatch and when it was made.
    lead_department: Mapped[str | None] = mapped_column(String(50), index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The acceptance deadline (签收期限) and when the lead department accepted.
    accept_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The handling deadline in force (extensions included) and when the lead
    # department finished: its reply went to review, or it terminated.
    handling_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # From the dispatch to the finish, in working days (工作日时长).
    handling_days: Mapped[float | None] = mapped_column(Float)
    # The follow-up call (回访): when, whether the appellant was reached, rating.
    followup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_outcome: Mapped[str | None] = mapped_column(String(30))
    followup_rating: Mapped[str | None] = mapped_column(String(30))
    # The policy a consultation (政策咨询) asks about; None for other appeals.
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policy.id"), index=True)

    @property
    def status_label(self) -> str:
        """The status in Chinese, e.g. 办理中."""
        return STATUS_LABELS.get(self.status, self.status)
