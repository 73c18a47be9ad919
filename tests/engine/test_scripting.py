"""The restricted environment that runs BPMN conditions and scripts."""

from __future__ import annotations

import pytest

from engine.errors import ScriptFailed
from engine.scripting import RestrictedEnvironment, check_expression


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment({"double": lambda x: x * 2})


def test_conditions_see_task_data_and_helpers(env: RestrictedEnvironment) -> None:
    data = {"decision": "dispatch", "items": [{"d": "a"}, {"d": "b"}], "n": 4}
    assert env.evaluate("decision == 'dispatch'", data) is True
    assert env.evaluate("any(i['d'] == 'b' for i in items)", data) is True
    assert env.evaluate("double(n) + len(items)", data) == 10


def test_scripts_write_plain_data_only(env: RestrictedEnvironment) -> None:
    data = {"co": ["a", "b", "a"], "lead": "a"}
    env.execute("others = [c for c in co if c != lead]\ncount = len(others)", data)
    assert data["others"] == ["b"]
    assert data["count"] == 1
    assert "double" not in data and "__builtins__" not in data


@pytest.mark.parametrize(
    ("source", "mode", "reason"),
    [
        ("import os", "exec", "流程脚本不允许导入模块（import）。"),
        ("from os import path", "exec", "流程脚本不允许导入模块（import）。"),
        ("__import__('os')", "eval", "__import__"),
        ("().__class__.__bases__", "eval", "__class__"),
        ("x = (", "exec", "表达式语法错误"),
        ("eval('1')", "eval", "流程脚本不允许使用 eval。"),
        ("open('/etc/passwd').read()", "eval", "流程脚本不允许使用 open。"),
        ("getattr(decision, 'upper')()", "eval", "流程脚本不允许使用 getattr。"),
        ("while True:\n    pass", "exec", "不允许使用 while 循环"),
        ("x = 10 ** 10 ** 9", "exec", "指数必须是不超过 64 的整数常量"),
    ],
)
def test_escapes_are_refused_before_running(
    source: str, mode: str, reason: str
) -> None:
    message = check_expression(source, mode)
    assert message is not None and reason in message


def test_unknown_names_fail_when_run(env: RestrictedEnvironment) -> None:
    with pytest.raises(NameError):
        env.evaluate("no_such_variable + 1", {"decision": "x"})


def test_runaway_loops_are_stopped(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptFailed) as raised:
        script = (
            "total = 0\nfor i in range(1000):\n    for j in range(1000):\n"
            "        total += j"
        )
        env.execute(script, {})
    assert (
        raised.value.message
        == "流程脚本运行超过 100000 行仍未结束，已中止；请检查循环。"
    )


def test_refused_code_raises_script_failed(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptFailed) as raised:
        env.execute("import subprocess", {})
    assert raised.value.code == "script_failed"


def test_huge_ranges_are_refused(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptFailed) as raised:
        env.evaluate("max(range(10 ** 18))", {})
    assert raised.value.message == "流程脚本中的 range 不能超过 100000 个数。"
    assert env.evaluate("sum(range(5))", {}) == 10
