from datetime import datetime, timezone

import pytest

from processes.calendar import WorkingCalendar
from processes.clock import SettableClock
from processes.sandbox import SandboxRefused
from processes.scripting import ExpressionRefused, RestrictedEnvironment, check_restricted


@pytest.fixture
def env():
    return RestrictedEnvironment(SettableClock(datetime(2026, 12, 23, 10, tzinfo=timezone.utc)), WorkingCalendar())


def test_expressions_see_case_data_now_and_working_days(env):
    assert env.evaluate("working_days_after(received_at, 3)", {"received_at": "2026-12-23T10:00:00+00:00"}) \
        == "2026-12-30T23:59:59+00:00"
    assert env.evaluate("now()", {}) == "2026-12-23T10:00:00+00:00"
    assert env.evaluate("len(items) + 1", {"items": [1, 2]}) == 3


@pytest.mark.parametrize("source", [
    "__import__('os').system('true')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('/etc/passwd').read()",
    "eval('1')",
    "getattr(x, 'y')",
    "globals()",
])
def test_expressions_cannot_reach_outside_the_sandbox(env, source):
    with pytest.raises(ExpressionRefused):
        env.evaluate(source, {"x": 1})


@pytest.mark.parametrize("script", ["import os", "from os import path", "class A: pass", "global x"])
def test_scripts_cannot_import_or_define_classes(script):
    with pytest.raises(SandboxRefused):
        check_restricted(script)


def test_scripts_can_set_case_data(env):
    data = {"a": 1}
    env.execute("b = a + 1\nwhen = now()", data)
    assert data["b"] == 2 and data["when"].startswith("2026-12-23")
    assert "now" not in data and "__builtins__" not in data
