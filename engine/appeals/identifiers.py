"""Appeal numbers, query codes and the check of phone numbers.

Unified social credit codes are checked by ``engine.forms.clean_credit_code``,
shared with the ``credit_code`` form field type.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import phonenumbers
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.appeals.models import Appeal
from engine.clock import local

# No 0/O, 1/I/L: a query code is read out over the phone by hotline staff.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8

# Light argon2 settings: a query code is long and random, so the hash only has to
# make a stolen table useless, not to stretch a weak password.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=8 * 1024, parallelism=1)


# Checked against when a number is unknown, so both answers take as long.
DUMMY_HASH = _code_hasher.hash("NO-SUCH-APPEAL")


def new_query_code() -> str:
    """A fresh random query code (查询码)."""
    return "".join(
        secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH)
    )


def hash_query_code(code: str) -> str:
    """The stored form of a query code (argon2, after normalising)."""
    return _code_hasher.hash(normalise_query_code(code))


def check_query_code(code_hash: str, code: str) -> bool:
    """Whether ``code`` is the query code behind ``code_hash``."""
    try:
        return _code_hasher.verify(code_hash, normalise_query_code(code))
    except (VerificationError, InvalidHashError):
        return False


def normalise_query_code(code: str) -> str:
    """Upper case without spaces, so ``ab3d 9xk2`` matches ``AB3D9XK2``."""
    return "".join(code.split()).upper()


def next_number(session: Session, moment: datetime) -> str:
    """The next appeal number (诉求编号) of the day: ``YYYYMMDD-NNNN``.

    The day is the Asia/Shanghai date of ``moment``. Two submissions racing for
    the same number are separated by the unique index; the caller retries.
    """
    prefix = local(moment).strftime("%Y%m%d") + "-"
    last = session.scalar(
        select(func.max(Appeal.number)).where(Appeal.number.like(prefix + "%"))
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def clean_phone(value: str) -> str:
    """A valid mainland mobile or landline number in E.164-free national form."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise ValueError("电话号码格式不正确") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("电话号码无效，请填写 11 位手机号或带区号的固定电话")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
