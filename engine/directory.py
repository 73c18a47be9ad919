"""People and departments (人员与部门) and the groups that human steps name.

A human step's candidate group is either a platform role (``dispatcher`` 转派,
``reviewer`` 审核, ``followup`` 回访, ``hotline`` 热线, ``admin`` 技术支持,
``owner`` process owner; ``maintainer`` 信息维护 writes policy information and
works no task) or a department code (帮办部门). A user may work a task
when one of their groups is the task's group.
"""

from __future__ import annotations

import logging
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.clock import now
from engine.db import Base, UTCDateTime
from engine.errors import EngineError

logger = logging.getLogger(__name__)

ROLES = {
    "dispatcher": "转派岗",
    "reviewer": "审核岗",
    "followup": "回访岗",
    "hotline": "热线坐席",
    "admin": "技术支持",
    "owner": "流程负责人",
    "handler": "部门经办人",
    "assessor": "绩效考核",
    "expert": "评议专家",
    "maintainer": "信息维护",
    # Outside accounts of the social-service flow (社会化服务).
    "organisation": "社会化服务机构",
    "enterprise": "企业用户",
}

# A step addressed to one account names ``user:<username>`` as its group.
PERSONAL_GROUP = "user:"

# Names of every candidate group that is not a department, for people to read.
GROUP_LABELS = {**ROLES, "appellant": "服务对象"}

_hasher = PasswordHasher()
# Checked against when there is no account, so that both answers take as long.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("no such account")


class Department(Base):
    """A government department that handles appeals (帮办部门)."""

    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class User(Base):
    """A staff account; its roles and department decide which tasks it sees."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200), default="")
    department_code: Mapped[str | None] = mapped_column(
        ForeignKey("department.code"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def role_list(self) -> list[str]:
        """The platform roles of this account."""
        return [role for role in self.roles.split(",") if role]

    @property
    def groups(self) -> set[str]:
        """The candidate groups whose tasks this user may claim."""
        groups = set(self.role_list)
        groups.add(PERSONAL_GROUP + self.username)
        if self.department_code:
            groups.add(self.department_code)
        return groups

    def set_password(self, password: str) -> None:
        """Store an argon2 hash of ``password``."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return verify_password(self.password_hash, password)


def hash_password(password: str) -> str:
    """An argon2 hash of ``password``, for staff and enterprise accounts alike."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False for a broken hash.

    With no hash (an unknown or disabled account) the password is still checked,
    against a hash of nothing, so that the answer takes as long and its timing
    does not tell which accounts exist.
    """
    try:
        if password_hash is None:
            _hasher.verify(_UNKNOWN_ACCOUNT_HASH, password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class UnknownRole(EngineError):
    code = "unknown_role"


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    display_name: str,
    roles: list[str],
    department_code: str | None = None,
) -> User:
    """Add a staff account; roles must be known ones."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise UnknownRole(f"未知角色：{'、'.join(unknown)}")
    user = User(
        username=username,
        display_name=display_name,
        roles=",".join(roles),
        department_code=department_code,
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    logger.info("user %s created with roles %s", username, user.roles)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        verify_password(None, password)
        return None
    return user if user.check_password(password) else None


def active_department_codes(session: Session) -> set[str]:
    """Codes a form's department fields accept."""
    return set(session.scalars(select(Department.code).where(Department.active)))


def department_names(session: Session) -> dict[str, str]:
    """Department names by code, inactive ones included (old timelines name them)."""
    return {dept.code: dept.name for dept in session.scalars(select(Department))}
