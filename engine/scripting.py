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
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from types import CodeType, FrameType
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


# Longest range a script may build: a step's data is small, and a range of 10**18
# passed to sum() or max() would run for ever in one C call the line budget
# cannot interrupt.
MAX_RANGE = 100_000


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise ScriptFailed(f"流程脚本中的 range 不能超过 {MAX_RANGE} 个数。")
    return numbers


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


# Builtins that exist in Python but not here: named in a clear message at deploy
# time instead of a NameError when the step runs.
_FORBIDDEN_NAMES = {
    "open", "getattr", "setattr", "delattr", "globals", "locals", "vars", "type",
    "compile", "exec", "eval", "input", "breakpoint", "help", "object", "super",
    "memoryview", "classmethod", "staticmethod", "property", "exit", "quit",
}  # fmt: skip

# Largest literal exponent allowed: ``10 ** 10 ** 9`` would occupy the server.
_MAX_EXPONENT = 64

# Lines a script or condition may run before it is stopped as a runaway loop.
MAX_LINES = 100_000


def _refusal(node: ast.AST) -> str | None:
    """Why this syntax node is not allowed in a BPMN script, or None."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return "流程脚本不允许导入模块（import）。"
    if isinstance(node, ast.While):
        return "流程脚本不允许使用 while 循环，请改用 for 循环遍历数据。"
    if isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES:
        return f"流程脚本不允许使用 {node.id}。"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exponent = node.right
        value = exponent.value if isinstance(exponent, ast.Constant) else None
        if not isinstance(value, int) or abs(value) > _MAX_EXPONENT:
            return f"乘方（**）的指数必须是不超过 {_MAX_EXPONENT} 的整数常量。"
    return None


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
        reason = _refusal(node)
        if reason:
            raise ScriptFailed(reason)

    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source)
    if result.errors:
        raise ScriptFailed("流程脚本不被允许：" + "；".join(result.errors))
    code: CodeType | None = result.code
    assert code is not None
    return code


@contextmanager
def _line_budget() -> Iterator[None]:
    """Stop code that runs more than ``MAX_LINES`` lines (a runaway loop).

    A trace function counts the lines of the restricted code only while it
    runs; whatever tracer was installed before (a debugger, coverage) is put
    back afterwards. A single huge C-level operation (``"x" * 10**8``) is not
    counted line by line: the compile-time limits on ``**`` keep the obvious
    ones out, but a script can still ask for a large string or list, and the
    step then takes as long as Python needs to build it.
    """
    counted = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal counted
        if frame.f_code.co_filename != "<string>":
            return None
        if event == "line":
            counted += 1
            if counted > MAX_LINES:
                raise ScriptFailed(
                    f"流程脚本运行超过 {MAX_LINES} 行仍未结束，已中止；请检查循环。"
                )
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs code under RestrictedPython."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None):
        self.helpers = dict(helpers or {})
        safe = {name: getattr(builtins, name) for name in _ALLOWED_BUILTINS}
        safe["range"] = _range
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
        with _line_budget():
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
        with _line_budget():
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
