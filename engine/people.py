"""Managing staff accounts and departments (人员与部门管理), for admins.

Each change is flushed, logged and written to the audit trail under
``user:<username>`` or ``department:<code>``; the caller commits. Passwords are
never logged or audited.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.directory import ROLES, Department, UnknownRole, User, create_user
from engine.errors import Conflict, EngineError, NotFound

logger = logging.getLogger(__name__)

MIN_PASSWORD = 8
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,49}$")
DEPARTMENT_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


class InvalidInput(EngineError):
    """A value typed into an admin form is not acceptable; the message says why."""

    code = "invalid_input"


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD} 位。")


def _department(session: Session, code: str | None) -> str | None:
    if not code:
        return None
    if session.get(Department, code) is None:
        raise InvalidInput(f"部门 {code} 不存在。")
    return code


def _check_roles(roles: list[str]) -> None:
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise UnknownRole(f"未知角色：{'、'.join(unknown)}")


def add_user(
    session: Session,
    admin: str,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: list[str],
    department_code: str | None,
) -> User:
    """Create an account; the username must be new."""
    if not USERNAME.match(username):
        raise InvalidInput("用户名应为 2–50 位小写字母、数字、点、横线或下划线。")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"用户名 {username} 已存在。")
    if not display_name.strip():
        raise InvalidInput("请填写姓名。")
    _check_password(password)
    _check_roles(roles)
    user = create_user(
        session,
        username,
        password,
        display_name=display_name.strip(),
        roles=roles,
        department_code=_department(session, department_code),
    )
    audit.record(
        session,
        "user_create",
        admin,
        business_key=f"user:{username}",
        values={"roles": roles, "department": user.department_code},
    )
    return user


def update_user(
    session: Session,
    admin: str,
    user_id: int,
    *,
    display_name: str,
    roles: list[str],
    department_code: str | None,
    active: bool,
) -> User:
    """Change an account's name, roles, department and whether it may sign in."""
    user = _user(session, user_id)
    if not display_name.strip():
        raise InvalidInput("请填写姓名。")
    _check_roles(roles)
    if user.username == admin and (not active or "admin" not in roles):
        raise Conflict("不能停用自己的账号或取消自己的技术支持角色。")

    user.display_name = display_name.strip()
    user.roles = ",".join(roles)
    user.department_code = _department(session, department_code)
    user.active = active
    session.flush()
    audit.record(
        session,
        "user_update",
        admin,
        business_key=f"user:{user.username}",
        values={"roles": roles, "department": user.department_code, "active": active},
    )
    logger.info("user %s updated by %s", user.username, admin)
    return user


def reset_password(session: Session, admin: str, user_id: int, password: str) -> User:
    """Give an account a new password (the person changes it after signing in)."""
    user = _user(session, user_id)
    _check_password(password)
    user.set_password(password)
    session.flush()
    audit.record(session, "password_reset", admin, business_key=f"user:{user.username}")
    logger.info("password of %s reset by %s", user.username, admin)
    return user


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在。")
    return user


def save_department(
    session: Session, admin: str, *, code: str, name: str, active: bool
) -> Department:
    """Create a department or change its name and whether it takes appeals."""
    code = code.strip().lower()
    if not DEPARTMENT_CODE.match(code):
        raise InvalidInput("部门代码应为 1–50 位小写字母、数字、横线或下划线。")
    if not name.strip():
        raise InvalidInput("请填写部门名称。")
    department = session.get(Department, code)
    if department is None:
        department = Department(code=code, name=name.strip(), active=active)
        session.add(department)
    else:
        department.name, department.active = name.strip(), active
    session.flush()
    audit.record(
        session,
        "department_save",
        admin,
        business_key=f"department:{code}",
        values={"name": department.name, "active": active},
    )
    logger.info("department %s saved by %s", code, admin)
    return department
