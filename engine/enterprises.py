"""Registered enterprises (注册企业): accounts that sign in to follow their appeals.

An enterprise signs up with its name, unified social credit code (统一社会信用代码,
also its sign-in name), a contact person, a mobile phone and a password. Appeals it
submits while signed in are linked to the account, so that "my appeals" (我的诉求,
clause 5.2.2.4) lists them without query codes, and status changes of those appeals
leave in-app notices (站内通知) addressed to the account.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import forms
from engine.appeals import service
from engine.appeals.models import Appeal
from engine.appeals.notices import recipient_of
from engine.clock import now
from engine.db import Base, UTCDateTime
from engine.directory import hash_password, verify_password
from engine.errors import FieldError, FormInvalid, NotFound

logger = logging.getLogger(__name__)

PASSWORD_MIN = 8
PASSWORD_MAX = 128

# Sign-up fields checked like the appeal form's fields of another name.
_APPEAL_FIELDS = {"name": "enterprise_name"}
_LABELS = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "contact_name": "联系人",
    "phone": "手机号码",
    "password": "密码",
    "password_confirm": "确认密码",
}


class Enterprise(Base):
    """A registered enterprise's account; its credit code is its sign-in name."""

    __tablename__ = "enterprise_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def recipient(self) -> str:
        """The name its notices are addressed to in the notification outbox."""
        return recipient_of(self.id)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored argon2 hash."""
        return verify_password(self.password_hash, password)


def clean_mobile(value: str) -> str:
    """A valid mainland mobile number (11 digits), or ValueError in Chinese."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise ValueError("手机号码格式不正确，请填写 11 位手机号") from None
    mobile = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    valid = phonenumbers.is_valid_number(number)
    if not valid or phonenumbers.number_type(number) not in mobile:
        raise ValueError("手机号码无效，请填写 11 位手机号（不接受固定电话）")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def clean_registration(values: Mapping[str, Any]) -> dict[str, str]:
    """Check a sign-up form; return cleaned values or raise every field error."""
    errors: list[FieldError] = []
    cleaned: dict[str, str] = {}
    for name, label in _LABELS.items():
        raw = values.get(name)
        text = raw if isinstance(raw, str) else ""
        if name not in {"password", "password_confirm"}:
            text = forms.visible_text(text)
        if not text:
            errors.append(FieldError(name, f"请填写“{label}”"))
            continue
        try:
            cleaned[name] = _clean_one(name, text)
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))

    password = cleaned.get("password")
    if password and cleaned.get("password_confirm", password) != password:
        errors.append(FieldError("password_confirm", "两次输入的密码不一致"))
    if errors:
        raise FormInvalid(errors)
    return cleaned


def _clean_one(name: str, text: str) -> str:
    if name == "password_confirm":
        return text
    if name == "password":
        if not PASSWORD_MIN <= len(text) <= PASSWORD_MAX:
            length = f"{PASSWORD_MIN} 至 {PASSWORD_MAX} 个字符"
            raise ValueError(f"密码应为 {length}（现有 {len(text)} 个）")
        if text.isdigit():
            raise ValueError("密码不能全是数字，请加入字母或符号")
        return text
    if name == "phone":
        forms.check_characters(text)
        return clean_mobile(text)
    # Name, credit code and contact are checked as on the appeal form.
    return service.clean_field(_APPEAL_FIELDS.get(name, name), text)


def register(session: Session, values: Mapping[str, Any]) -> Enterprise:
    """Sign an enterprise up from a form: every field checked, codes kept unique."""
    cleaned = clean_registration(values)
    return create(
        session,
        name=cleaned["name"],
        credit_code=cleaned["credit_code"],
        contact_name=cleaned["contact_name"],
        phone=cleaned["phone"],
        password=cleaned["password"],
    )


def create(
    session: Session,
    *,
    name: str,
    credit_code: str,
    contact_name: str,
    phone: str,
    password: str,
) -> Enterprise:
    """Add an account for trusted callers (sign-up after its checks, demo data)."""
    account = Enterprise(
        name=name,
        credit_code=credit_code,
        contact_name=contact_name,
        phone=phone,
        password_hash=hash_password(password),
        created_at=now(),
    )
    # Two sign-ups with one code racing each other: the unique index decides.
    savepoint = session.begin_nested()
    session.add(account)
    try:
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        message = "该统一社会信用代码已注册，请直接登录"
        raise FormInvalid([FieldError("credit_code", message)]) from None
    logger.info("enterprise account %s created for %s", account.id, credit_code)
    return account


def authenticate(
    session: Session, credit_code: str, password: str
) -> Enterprise | None:
    """The active account with these credentials, or None."""
    code = "".join(credit_code.split()).upper()
    account = session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if account is None or not account.active:
        verify_password(None, password)  # as long as a real check
        return None
    return account if account.check_password(password) else None


def find(session: Session, enterprise_id: int) -> Enterprise | None:
    """The active account with this id, or None."""
    account = session.get(Enterprise, enterprise_id)
    return account if account is not None and account.active else None


def appeals_of(
    session: Session, enterprise: Enterprise, limit: int = 100
) -> list[Appeal]:
    """The enterprise's appeals, newest first."""
    query = (
        select(Appeal)
        .where(Appeal.enterprise_id == enterprise.id)
        .order_by(Appeal.submitted_at.desc(), Appeal.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def appeal_of(session: Session, enterprise: Enterprise, number: str) -> Appeal:
    """One of the enterprise's appeals; another's answers like an unknown number."""
    appeal = session.scalar(
        select(Appeal).where(
            Appeal.number == number.strip(), Appeal.enterprise_id == enterprise.id
        )
    )
    if appeal is None:
        raise NotFound("未找到该诉求，请核对诉求编号。")
    return appeal
