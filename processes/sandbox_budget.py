"""What one diagram expression may cost, and the meter that enforces it while the expression runs."""
from __future__ import annotations

import time
from collections.abc import ItemsView, KeysView, ValuesView
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class SandboxRefused(Exception):
    """Diagram code tried something the expression sandbox does not allow."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class BudgetExceeded(SandboxRefused):
    """Diagram code would take more time or memory than one evaluation may use."""


@dataclass(frozen=True)
class Limits:
    """The budget of one evaluation; every number is far above what the shipped diagrams use."""

    steps: int = 200_000          # loop turns, comprehension items, lambda calls and structure walks
    seconds: float = 0.5          # wall time of one evaluation, checked at every step
    text: int = 1_000_000         # the longest string an expression may build
    items: int = 100_000          # the longest list, tuple, dict, set or range
    int_bits: int = 14_000        # the biggest integer (~4,200 digits, below Python's int-to-text limit)
    built: int = 20_000_000       # characters and items built in all during one evaluation (join, not +=, in loops)
    depth: int = 64               # nesting of the data an expression or script leaves behind
    working_days: int = 1_000     # the most working days `working_days_after` counts
    total_seconds: float | None = None  # all evaluations of one sandbox: set for case runs and validations


DEFAULT_LIMITS = Limits()
RUN_LIMITS = Limits(total_seconds=3.0)  # one case run or one bundle validation: its engine is made for it alone


class Meter:
    """Counts the steps, time and memory one evaluation has used, and stops it at its budget."""

    def __init__(self, limits: Limits, deadline: float):
        self.limits = limits
        self.deadline = deadline
        self.steps = 0
        self.built = 0

    def tick(self, value=True):
        """One step of a loop, comprehension or lambda; returns `value` so it can wrap an expression."""
        self.steps += 1
        if self.steps > self.limits.steps:
            raise BudgetExceeded(f"its loops ran more than {self.limits.steps:,} steps")
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"it ran longer than {self.limits.seconds:g} s")
        return value

    def charge(self, steps: int) -> None:
        """Count work done in C on the expression's behalf (walking a structure before comparing it)."""
        self.steps += steps
        if self.steps > self.limits.steps:
            raise BudgetExceeded(f"it would compare or walk more than {self.limits.steps:,} values")

    def account(self, value):
        """Count a newly built string or container against the memory budget; returns it."""
        try:
            size = len(value)
        except TypeError:
            return value
        limit = self.limits.text if isinstance(value, (str, bytes)) else self.limits.items
        if size > limit:
            raise BudgetExceeded(f"it would build a {_kind(value)} of {size:,} {_unit(value)}, more than {limit:,}")
        self.built += size
        if self.built > self.limits.built:
            raise BudgetExceeded(f"it would build more than {self.limits.built:,} characters and items in all")
        return value

    def require_text(self, size: int) -> None:
        """Refuse, before it is built, a string longer than the budget allows."""
        if size > self.limits.text:
            raise BudgetExceeded(f"it would build a text of about {size:,} characters, more than {self.limits.text:,}")

    def require_items(self, size: int) -> None:
        """Refuse, before it is built, a container longer than the budget allows."""
        if size > self.limits.items:
            raise BudgetExceeded(f"it would build a list of {size:,} items, more than {self.limits.items:,}")

    def require_bits(self, bits: int) -> None:
        """Refuse, before it is computed, an integer bigger than the budget allows."""
        if bits > self.limits.int_bits:
            raise BudgetExceeded(f"it would compute an integer of about {bits:,} bits, "
                                 f"more than {self.limits.int_bits:,}")


def _kind(value) -> str:
    return "text" if isinstance(value, (str, bytes)) else type(value).__name__


def _unit(value) -> str:
    return "characters" if isinstance(value, (str, bytes)) else "items"


SCALARS: tuple[type, ...] = (type(None), bool, int, float, str, bytes, complex, range, date, datetime, timedelta)
CONTAINERS = (list, tuple, dict, set, frozenset, KeysView, ValuesView, ItemsView)


def weight(meter: Meter, value) -> int:
    """How much work comparing, hashing or sorting `value` costs (a tree walk, not a graph walk).

    Shared references are counted every time they occur, because that is how C compares them: a list
    that holds the same big list a thousand times costs a thousand times as much. The walk stops,
    refused, as soon as it passes the step budget, so it is itself bounded.
    """
    total, stack = 0, [value]
    cap = meter.limits.steps
    while stack:
        item = stack.pop()
        total += 1
        if isinstance(item, (str, bytes)):
            total += len(item) // 256
        elif isinstance(item, int):
            total += item.bit_length() // 4096
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, CONTAINERS):
            stack.extend(item)
        if total > cap:
            raise BudgetExceeded(f"it would compare or walk more than {cap:,} values")
    meter.charge(total)
    return total


def text_size(meter: Meter, value, quoted: bool = False) -> int:
    """An upper estimate of len(str(value)) (or repr when `quoted`), refusing things that are not data."""
    total, stack, nodes = 0, [(value, quoted)], 0
    while stack:
        item, inner = stack.pop()
        nodes += 1
        if isinstance(item, (str, bytes)):
            total += len(item) * 10 + 3 if inner else len(item)  # escapes such as \U0001f600 in a repr
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            stack.extend((part, True) for pair in item.items() for part in pair)
        elif isinstance(item, CONTAINERS):
            total += 16 + 2 * len(item)
            stack.extend((part, True) for part in item)
        elif isinstance(item, SCALARS):
            total += 64
        else:
            raise SandboxRefused(f"a {describe(item)} cannot be turned into text")
        if nodes > meter.limits.items:
            raise BudgetExceeded(f"it would turn more than {meter.limits.items:,} values into text")
        meter.require_text(total)
    meter.charge(nodes)
    return total


def describe(value) -> str:
    """A plain word for a value's kind, for messages (never its content)."""
    if callable(value):
        return "function"
    return type(value).__name__


DATA_SCALARS: tuple[type, ...] = (type(None), bool, int, float, str, datetime, timedelta)


def check_data(value, limits: Limits, what: str = "case data") -> None:
    """Refuse values that case data cannot keep: functions, generators, sets, huge or too deeply nested."""
    stack, nodes = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > limits.items:
            raise BudgetExceeded(f"it would leave more than {limits.items:,} values in {what}")
        if depth > limits.depth:
            raise BudgetExceeded(f"it would leave {what} nested more than {limits.depth} levels deep")
        if isinstance(item, int) and not isinstance(item, bool) and item.bit_length() > limits.int_bits:
            raise BudgetExceeded(f"it would leave an integer of {item.bit_length():,} bits in {what}")
        if isinstance(item, str) and len(item) > limits.text:
            raise BudgetExceeded(f"it would leave a text of {len(item):,} characters in {what}")
        if isinstance(item, DATA_SCALARS):
            continue
        if isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, (str, int)):
                    raise SandboxRefused(f"{what} keys must be text, not {describe(key)}")
                stack.append((inner, depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((inner, depth + 1) for inner in item)
        else:
            raise SandboxRefused(f"a {describe(item)} cannot be kept in {what}")
