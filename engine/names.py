"""Display names (显示名称) of the ids that flows and the audit trail keep.

Tasks, audit entries and notices name people and groups by id: a staff username
(``handler-zjj``), a department code (``zjj``), a role (``dispatcher``), a
personal group (``user:org-qihang``), a registered enterprise
(``enterprise:1``) or an actor without an account (``public``, ``system``).
People read names: a ``NameBook`` turns any of these ids into one, looking each
up once and keeping the answer for the life of the book (one request).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.appeals.notices import recipient_of
from engine.directory import GROUP_LABELS, PERSONAL_GROUP, User, department_names

logger = logging.getLogger(__name__)

# Actors without an account, as the audit trail and the tasks name them.
SPECIAL_ACTORS = {
    "public": "服务对象",
    "system": "系统",
    "cli": "系统管理员（命令行）",
    "import": "历史数据导入",
}
# The appellant acting with number and query code: ``appellant:<number>``.
APPELLANT_ACTOR = "appellant:"
ENTERPRISE_PREFIX = recipient_of(0).removesuffix("0")


class NameBook:
    """Display names of people, departments, roles and enterprises by id.

    A username may equal a role code (the demo's ``dispatcher`` account has the
    role ``dispatcher``): ``person`` reads an id as someone who acts, ``group``
    as a task's candidate group.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._departments: dict[str, str] | None = None
        self._people: dict[str, str] = {}

    def person(self, code: str | None) -> str:
        """Who acted or holds a task (username, enterprise, ``public``...)."""
        if not code:
            return ""
        if code not in self._people:
            self._people[code] = self._look_up_person(code)
        return self._people[code]

    def group(self, code: str | None) -> str:
        """A candidate group: role, department or one person's own group."""
        if not code:
            return ""
        if code in GROUP_LABELS:
            return GROUP_LABELS[code]
        if code.startswith(PERSONAL_GROUP):
            return self.person(code.removeprefix(PERSONAL_GROUP))
        return self.department(code)

    def department(self, code: str | None) -> str:
        """A department's name; the code itself if there is no such department."""
        if not code:
            return ""
        if self._departments is None:
            self._departments = department_names(self.session)
        return self._departments.get(code, code)

    def _look_up_person(self, code: str) -> str:
        if code in SPECIAL_ACTORS:
            return SPECIAL_ACTORS[code]
        if code.startswith(APPELLANT_ACTOR):
            return GROUP_LABELS["appellant"]
        if code.startswith(ENTERPRISE_PREFIX):
            return self._enterprise(code.removeprefix(ENTERPRISE_PREFIX)) or code
        query = select(User.display_name).where(User.username == code)
        return self.session.scalar(query) or code

    def _enterprise(self, enterprise_id: str) -> str | None:
        # Imported here: engine.enterprises imports the appeal services, which
        # import the runtime, which names people through this module.
        from engine.enterprises import Enterprise

        if not enterprise_id.isdigit():
            return None
        found = self.session.get(Enterprise, int(enterprise_id))
        return found.name if found else None
