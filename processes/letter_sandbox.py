"""The Jinja sandbox bundle letter templates render in: no reach past the letter's data, and a bounded cost.

Jinja's immutable sandbox refuses private attributes and changes to the data. On top of it this one refuses, when a
template compiles, the constructs that reach for Python internals or switch escaping off, and bounds what a template
can spend: loop turns and text built per letter part, the size of powers and repeats, and numeric arguments.
"""
from __future__ import annotations

import functools
import math
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator

from jinja2 import BaseLoader, ChainableUndefined, StrictUndefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_TURNS = 100_000  # loop turns one letter part may take, all its loops together
MAX_TEXT = 2_000_000  # characters one letter part may build, all its joins together
MAX_SEQUENCE = 100_000  # longest text or list one `*` may build, and largest number a filter or call may take
MAX_POWER_BITS = 4_096  # largest number `**` may build
# Python's introspection names: a template that names one is after the interpreter, not the letter.
INTROSPECTION = frozenset({
    "mro", "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame", "ag_code",
    "ag_await", "f_back", "f_builtins", "f_globals", "f_locals", "f_code", "tb_frame", "tb_next", "func_globals",
    "func_code", "func_closure", "im_func", "im_self", "im_class"})
# `safe` and `{% autoescape false %}` would let what a complainant typed into an HTML letter as markup;
# `attr` looks an attribute up by a computed name, which the checks below could not see.
REFUSED_FILTERS = {"safe": "it would switch off HTML escaping", "attr": "write name.attribute instead"}
LOOP_GUARD, TEXT_GUARD = "letter_loop_guard", "letter_text_guard"
_WIDE_FORMAT = re.compile(r"%[-#0 +]*\d{7,}|\{[^{}]*:[^{}]*\d{7,}[^{}]*\}")


def unsafe_constructs(template: nodes.Template) -> list[str]:
    """What in a parsed template reaches past the letter's data, each as a sentence naming its line."""
    found = []
    for node in template.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Test,
                                   nodes.EvalContextModifier, nodes.For)):
        where = f"line {node.lineno}"
        if isinstance(node, nodes.Getattr) and _internal(node.attr):
            found.append(f"{where} reaches for {node.attr!r}, which is internal to Python")
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and _internal(node.arg.value):
            found.append(f"{where} reaches for [{node.arg.value!r}], which is internal to Python")
        elif isinstance(node, nodes.EvalContextModifier):
            found.append(f"{where} uses an autoescape block; bundle templates are always escaped in HTML")
        elif isinstance(node, nodes.For) and node.recursive:
            found.append(f"{where} uses a recursive loop, which letters do not need")
        elif isinstance(node, (nodes.Filter, nodes.Test)):
            if isinstance(node, nodes.Filter) and node.name in REFUSED_FILTERS:
                found.append(f"{where} uses the {node.name!r} filter, which is not allowed: "
                             f"{REFUSED_FILTERS[node.name]}")
            for argument in list(node.args) + [k.value for k in node.kwargs]:
                if isinstance(argument, nodes.Const) and _internal(argument.value):
                    found.append(f"{where} passes {argument.value!r} to {node.name!r}, which is internal to Python")
    return found


def _internal(name: Any) -> bool:
    return isinstance(name, str) and (name.startswith("_") or name in INTROSPECTION)


@dataclass
class _Budget:
    turns: int = MAX_TURNS
    text: int = MAX_TEXT


_budget: ContextVar[_Budget | None] = ContextVar("letter_budget", default=None)


@contextmanager
def letter_budget() -> Iterator[None]:
    """A fresh cost budget for rendering one letter part (loop turns and text built)."""
    token = _budget.set(_Budget())
    try:
        yield
    finally:
        _budget.reset(token)


def _current_budget() -> _Budget:
    # Outside letter_budget() each loop and each join is still bounded, by a budget of its own.
    return _budget.get() or _Budget()


def _guard_loop(iterable: Any) -> Iterator[Any]:
    budget = _current_budget()
    for item in iterable:
        budget.turns -= 1
        if budget.turns < 0:
            raise SecurityError(f"a letter template may take at most {MAX_TURNS} loop turns")
        yield item


def _guard_text(value: Any) -> Any:
    if isinstance(value, str):
        budget = _current_budget()
        budget.text -= len(value)
        if budget.text < 0:
            raise SecurityError(f"a letter template may build at most {MAX_TEXT} characters")
    return value


def _guard_arguments(args: tuple, kwargs: dict) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_SEQUENCE:
            raise SecurityError(f"a letter template may not pass a number above {MAX_SEQUENCE} to a filter or call")
        if isinstance(value, str) and _WIDE_FORMAT.search(value):
            raise SecurityError("a letter template may not format text that wide")


def _guarded_filter(name: str, function):
    # Arguments after the filtered value are checked; the value itself only when it is the format being applied.
    first = 2 if getattr(function, "jinja_pass_arg", None) else 1

    @functools.wraps(function)  # keeps Jinja's pass_context / pass_eval_context marks
    def wrapped(*args, **kwargs):
        _guard_arguments(args[first - 1:] if name == "format" else args[first:], kwargs)
        return function(*args, **kwargs)
    return wrapped


class _CostGuards(NodeTransformer):
    """Routes every loop's iterable and every `~` join through the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, LOOP_GUARD, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return nodes.Filter(node, TEXT_GUARD, [], [], None, None, lineno=node.lineno)


class LetterSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, strict about it: unsafe access raises, and templates that try it do not compile."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, loader: BaseLoader | None = None, *, html: bool, strict: bool = False,
                 filters: dict | None = None):
        super().__init__(loader=loader, autoescape=html, undefined=StrictUndefined if strict else ChainableUndefined,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
        self.filters.update(filters or {})
        self.filters = {name: _guarded_filter(name, f) for name, f in self.filters.items()}
        self.filters.update({LOOP_GUARD: _guard_loop, TEXT_GUARD: _guard_text})
        join = self.concat
        self.concat = lambda parts: _guard_text(join(parts))  # macro bodies, {% set %} blocks, whole templates

    def unsafe_undefined(self, obj: Any, attribute: str):
        # The base class returns an Undefined that fails only when used, and ChainableUndefined would print
        # nothing; raising makes every attempt a clear failure.
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__!r} object is not allowed")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return attr not in INTROSPECTION and super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any):
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _guard_arguments((value.__self__,), {})
        return wrapped

    def call(__self, __context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        _guard_arguments(args, kwargs)
        return _guard_text(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _too_big_power(left, right):
            raise SecurityError("a letter template may not compute such a large power")
        if operator == "*" and _too_long_repeat(left, right):
            raise SecurityError(f"a letter template may not build text or lists longer than {MAX_SEQUENCE} items")
        if operator == "%" and isinstance(left, str):
            _guard_arguments((left,), {})
        return _guard_text(super().call_binop(context, operator, left, right))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Every template this environment compiles passes through here, so a refused construct never runs.
        template = super()._parse(source, name, filename)
        found = unsafe_constructs(template)
        if found:
            raise SecurityError(f"template {name or '<string>'} is refused: {'; '.join(found)}")
        return _CostGuards().visit(template)


def _too_big_power(base: Any, exponent: Any) -> bool:
    if not isinstance(base, (int, float)) or not isinstance(exponent, (int, float)):
        return False
    if abs(base) <= 1 or exponent <= 0:
        return False
    return math.log2(abs(base)) * exponent > MAX_POWER_BITS


def _too_long_repeat(left: Any, right: Any) -> bool:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) and not isinstance(count, bool):
            return len(sequence) * count > MAX_SEQUENCE
    return False
