"""BPMN conditions and scripts in a restricted environment (受限脚本环境).

SpiffWorkflow's default script engine runs ``eval``/``exec`` with the full
interpreter, so a BPMN file could read files or import modules. Bangban compiles every
expression and script with RestrictedPython instead: code sees the task data, a
small set of builtins and the helpers the engine registers, and cannot import, open
files or reach underscore attributes (the way into the interpreter's internals).
"""

from __future__ import annotations

import ast
import builtins
import logging
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from engine.errors import ScriptFailed

logger = logging.getLogger(__name__)

# Builtins a process owner may need in a condition or a short script. Anything that
# reaches objects' internals (getattr, type, vars, open, __import__, ...) is left out.
_ALLOWED_BUILTINS = (
    *("abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter"),
    *("float", "int", "isinstance", "len", "list", "map", "max", "min", "range"),
    *("reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip"),
    *("True", "False", "None", "ValueError", "KeyError", "TypeError"),
)

# Names the guards of RestrictedPython call behind the scenes.
_GUARDS: dict[str, Any] = {
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
}


def _inplace(op: str, x: Any, y: Any) -> Any:
    """Augmented assignment (``x += y``) for the plain types scripts use."""
    operations: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": lambda a, b: a * b,
    }
    if op not in operations:
        raise ScriptFailed(f"脚本中不支持运算符 {op}")
    return operations[op](x, y)


@lru_cache(maxsize=2048)
def compile_code(source: str, mode: str) -> CodeType:
    """Compile an expression (``mode="eval"``) or a script (``"exec"``) once.

    Raises ``ScriptFailed`` with the reason when the code is not allowed: imports,
    underscore names, syntax errors.
    """
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise ScriptFailed(f"表达式语法错误（第 {exc.lineno} 行）：{exc.msg}") from exc

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise ScriptFailed("流程脚本不允许导入模块（import）。")

    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source)
    if result.errors:
        raise ScriptFailed("流程脚本不被允许：" + "；".join(result.errors))
    code: CodeType | None = result.code
    assert code is not None
    return code


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs code under RestrictedPython."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None):
        self.helpers = dict(helpers or {})
        safe = {name: getattr(builtins, name) for name in _ALLOWED_BUILTINS}
        self._base: dict[str, Any] = {"__builtins__": safe, **_GUARDS}
        self._base["_inplacevar_"] = _inplace
        super().__init__(self._base)

    def _globals(
        self, context: Mapping[str, Any], extra: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        scope = dict(self._base)
        scope.update(self.helpers)
        scope.update(extra or {})
        scope.update(context)
        return scope

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> Any:
        """Evaluate ``expression`` against the task data ``context``."""
        code = compile_code(expression.strip(), "eval")
        return eval(code, self._globals(context, external_context))

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> bool:
        """Run ``script``; the names it assigns become task data."""
        code = compile_code(script, "exec")
        scope = self._globals(context, external_context)
        exec(code, scope)

        # Copy back only plain data: helpers, guards and functions stay out of the
        # task data so that it remains serializable.
        hidden = set(self._base) | set(self.helpers) | set(external_context or {})
        for name, value in scope.items():
            if name in hidden or name.startswith("_") or callable(value):
                continue
            context[name] = value
        return True


def make_script_engine(
    helpers: Mapping[str, Callable[..., Any]] | None = None,
) -> PythonScriptEngine:
    """A SpiffWorkflow script engine bound to the restricted environment."""
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers))


def check_expression(source: str, mode: str = "eval") -> str | None:
    """The reason ``source`` cannot run here, or None when it compiles."""
    try:
        compile_code(source.strip() if mode == "eval" else source, mode)
    except ScriptFailed as exc:
        return exc.message
    return None
