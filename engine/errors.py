"""Errors the engine raises for people and programs.

Each error carries a stable ``code`` for programs and a Chinese ``message`` for the
person who caused it, saying what went wrong and what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class EngineError(Exception):
    """Base class of every error the engine reports to a caller."""

    code = "engine_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(EngineError):
    """The thing asked for does not exist (or the caller may not know it does)."""

    code = "not_found"


class NotDeployed(EngineError):
    """The process needed has no deployed version: the service is unavailable."""

    code = "not_deployed"


class PermissionDenied(EngineError):
    """The caller is known but may not do this."""

    code = "forbidden"


class Conflict(EngineError):
    """The request was based on a state that has changed meanwhile.

    Raised for a stale or repeated completion (two people on one task, a double
    click): nothing was changed and the caller should reload.
    """

    code = "conflict"


@dataclass(frozen=True)
class FieldError:
    """One problem with one submitted form field."""

    field: str
    message: str


class FormInvalid(EngineError):
    """Submitted values do not fit the step's form; lists every field error."""

    code = "invalid_form"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("提交的内容有误，请按提示修改后重新提交。")
        self.errors = errors


@dataclass(frozen=True)
class Problem:
    """One problem found in a BPMN file, located for the person who deploys it."""

    file: str
    message: str
    element: str = ""
    line: int | None = None
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """A one-line description: file, line, element and what is wrong."""
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.element:
            where += f" <{self.element}>"
        text = f"{where}: {self.message}"
        if self.notes:
            text += " (" + "; ".join(self.notes) + ")"
        return text


class DefinitionInvalid(EngineError):
    """A process definition failed validation; nothing was deployed."""

    code = "invalid_definition"

    def __init__(self, problems: list[Problem]) -> None:
        lines = "\n".join(problem.describe() for problem in problems)
        super().__init__(f"流程定义有误，未部署：\n{lines}")
        self.problems = problems


class ScriptFailed(EngineError):
    """A BPMN condition or script failed or broke the restricted environment."""

    code = "script_failed"
