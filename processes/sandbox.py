"""The expression sandbox: every condition, timer, script and decision expression of a diagram runs here.

Code is compiled by RestrictedPython under `sandbox_policy`, runs with `sandbox_guards` in place of Python's
attribute, item, iteration and growing operators, sees only the case data, the diagram functions and the
builtins below, and stops at the budget of `sandbox_budget.Limits`. docs/sandbox.md says why.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from .sandbox_budget import (
    DEFAULT_LIMITS,
    RUN_LIMITS,
    BudgetExceeded,
    Limits,
    Meter,
    SandboxRefused,
    check_data,
    text_size,
    weight,
)
from .sandbox_guards import Guards, sort_items
from .sandbox_policy import compile_source

GUARD_NAMES = ("_getattr_", "_getitem_", "_getiter_", "_write_", "_iter_unpack_sequence_", "_unpack_sequence_",
               "_inplacevar_", "_apply_", "_binop_", "_compared_", "_tuple_", "_format_", "_tick_", "__builtins__")


class Sandbox:
    """Runs diagram code for one case run or one bundle validation, within one shared time budget."""

    def __init__(self, functions: Mapping[str, Callable], limits: Limits = DEFAULT_LIMITS):
        self.functions = dict(functions)
        self.limits = limits
        self.spent = 0.0

    @staticmethod
    def check(source: str, mode: str) -> None:
        """Refuse code the policy does not allow (SandboxRefused) or that is not Python (SyntaxError)."""
        compile_source(_prepared(source, mode), mode)

    def evaluate(self, source: str, names: Mapping, sample: Mapping | None = None):
        """The value of an expression over `names` (and `sample`, a stand-in for case data, at validation)."""
        code = compile_source(_prepared(source, "eval"), "eval")
        scope = {**names, **self.functions}
        with self._metered(scope) as _:
            result = eval(code, scope, sample) if sample is not None else eval(code, scope)  # noqa: S307
        check_data(result, self.limits, "the expression's result")
        return result

    def execute(self, source: str, context: dict, extra: Mapping | None = None, sample: Mapping | None = None) -> None:
        """Run a script whose assignments land in `context` (or in `sample`, at validation).

        `extra` names (a workflow's data objects) are visible to the script but are not left in `context`.
        """
        code = compile_source(_prepared(source, "exec"), "exec")
        if sample is not None:
            scope = dict(self.functions)
            with self._metered(scope):
                exec(code, scope, sample)  # noqa: S102
            return
        before = dict(context)
        context.update(extra or {})
        context.update(self.functions)
        try:
            with self._metered(context):
                exec(code, context)  # noqa: S102
            _tidy(context, extra)
            check_data(context, self.limits)
        except BaseException:
            _tidy(context, extra)
            _restore(context, before, self.limits)
            raise

    def _metered(self, scope: dict) -> "_Run":
        total = self.limits.total_seconds
        remaining = float("inf") if total is None else total - self.spent
        if remaining <= 0:
            raise BudgetExceeded(f"the diagram's expressions ran longer than {self.limits.total_seconds:g} s in all")
        meter = Meter(self.limits, time.monotonic() + min(self.limits.seconds, remaining))
        scope.update(guard_scope(meter))
        return _Run(self)


class _Run:
    """Adds an evaluation's wall time to its sandbox's total, whatever way the evaluation ends."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.sandbox.spent += time.monotonic() - self.started
        return False


def _tidy(context: dict, extra: Mapping | None) -> None:
    for name in (*GUARD_NAMES, *(extra or {})):
        context.pop(name, None)
    for name in [k for k, v in context.items() if callable(v)]:
        context.pop(name)  # as SpiffWorkflow does: the diagram functions and a script's helpers are not case data


def _restore(context: dict, before: dict, limits: Limits) -> None:
    """Put task data back as it was before a failed script, so nothing unstorable is left to be saved."""
    context.clear()
    context.update(before)
    for name, value in before.items():
        try:
            check_data(value, limits)
        except SandboxRefused:
            del context[name]  # changed in place into something case data cannot keep


def _prepared(source: str, mode: str) -> str:
    # eval() has always ignored the spaces around an expression written on its own XML line.
    return (source or "").strip() if mode == "eval" else (source or "")


def guard_scope(meter: Meter) -> dict:
    """The guard functions and builtins of one evaluation, all bound to its meter."""
    guards = Guards(meter)
    return {"_getattr_": guards.getattr_, "_getitem_": guards.getitem, "_getiter_": iter, "_write_": guards.write,
            "_iter_unpack_sequence_": guards.iter_unpack, "_unpack_sequence_": guards.unpack,
            "_inplacevar_": guards.inplace, "_apply_": guards.apply, "_binop_": guards.binop,
            "_compared_": guards.compared, "_tuple_": guards.tuple_, "_format_": guards.format_value,
            "_tick_": meter.tick, "__builtins__": safe_builtins(guards)}


def safe_builtins(guards: Guards) -> dict:
    """The small set of builtins diagram code may call, each bounded by the meter."""
    m = guards.meter

    def str_(*args, **kwargs):
        if len(args) == 1 and not kwargs:
            m.require_text(text_size(m, args[0]))
        return m.account(str(*args, **kwargs))

    def list_(iterable=()):
        return m.account(list(iterable))

    def tuple_(iterable=()):
        return guards.tuple_(m.account(tuple(iterable)))

    def set_(iterable=()):
        return m.account(set(iterable))

    def dict_(*args, **kwargs):
        return m.account(dict(*args, **kwargs))

    def range_(*args):
        bounded = range(*args)
        try:
            count = len(bounded)
        except OverflowError:  # more numbers than an index can hold
            count = m.limits.items + 1
        if count > m.limits.items:
            raise BudgetExceeded(f"its range would count more than {m.limits.items:,} numbers")
        return bounded

    def int_(*args, **kwargs):
        # int('f' * 10**6, 16) is linear to build but quadratic to divide: bound it like any computed integer
        number = int(*args, **kwargs)
        m.require_bits(number.bit_length())
        return number

    def sorted_(iterable, *, key=None, reverse=False):
        return sort_items(guards, list(iterable), key, reverse)

    def extreme(pick):
        def chosen(*args, key=None, **default):
            items = list(args[0]) if len(args) == 1 else list(args)
            if not items and "default" in default:
                return default["default"]
            keys = items if key is None else [m.tick(key(item)) for item in items]
            weight(m, keys)
            return items[pick(range(len(items)), key=keys.__getitem__)]
        return chosen

    def sum_(iterable, start=0):
        if not isinstance(start, (int, float)):
            raise SandboxRefused("sum adds numbers only")
        return sum(iterable, start)

    def round_(number, ndigits=None):
        if ndigits is not None and abs(int(ndigits)) > 1000:
            raise BudgetExceeded("round takes at most 1,000 digits")
        return round(number, ndigits)

    def enumerate_(iterable, start=0):
        for pair in enumerate(iterable, start):
            yield guards.tuple_(pair)

    def zip_(*iterables):
        for group in zip(*iterables, strict=False):  # scripts get the builtin's shortest-wins meaning
            yield guards.tuple_(group)

    types = {str_: str, list_: list, tuple_: tuple, set_: set, dict_: dict, range_: range, int_: int}

    def isinstance_(value, kinds):
        if isinstance(kinds, tuple):
            kinds = tuple(types.get(kind, kind) for kind in kinds)
        return isinstance(value, types.get(kinds, kinds))

    return {"abs": abs, "all": all, "any": any, "bool": bool, "dict": dict_, "divmod": divmod,
            "enumerate": enumerate_, "filter": filter, "float": float, "int": int_, "isinstance": isinstance_,
            "len": len, "list": list_, "map": map, "max": extreme(max), "min": extreme(min), "range": range_,
            "reversed": reversed, "round": round_, "set": set_, "sorted": sorted_, "str": str_, "sum": sum_,
            "tuple": tuple_, "zip": zip_, "True": True, "False": False, "None": None}


__all__ = ["Sandbox", "SandboxRefused", "BudgetExceeded", "Limits", "DEFAULT_LIMITS", "RUN_LIMITS"]
