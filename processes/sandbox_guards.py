"""The guarded operations sandboxed diagram code runs with: size checks before C-level work, and allowlists."""
from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from .sandbox_budget import CONTAINERS, BudgetExceeded, Meter, SandboxRefused, describe, text_size, weight

TEXT = (str, bytes)
SEQUENCES = (str, bytes, list, tuple)
# Methods of the data types that can neither reflect nor reach outside; anything else is refused.
STR_METHODS = frozenset((
    "capitalize casefold center count endswith find index isalnum isalpha isascii isdecimal isdigit "
    "isidentifier islower isnumeric isspace istitle isupper join ljust lower lstrip partition removeprefix "
    "removesuffix replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip "
    "swapcase title upper zfill").split())
LIST_METHODS = frozenset("append clear copy count extend index insert pop remove reverse sort".split())
DICT_METHODS = frozenset("clear copy get items keys pop popitem setdefault update values".split())
SET_METHODS = frozenset(("add clear copy difference discard intersection isdisjoint issubset issuperset pop "
                         "remove symmetric_difference union update").split())
TUPLE_METHODS = frozenset("count index".split())
ALLOWED_METHODS = {str: STR_METHODS, list: LIST_METHODS, dict: DICT_METHODS, set: SET_METHODS,
                   tuple: TUPLE_METHODS, int: frozenset({"bit_length"}), bool: frozenset(),
                   float: frozenset({"is_integer"})}
ALLOWED_ATTRIBUTES = frozenset().union(*ALLOWED_METHODS.values())
GROWING: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "*": operator.mul, "**": operator.pow,
                                                 "<<": operator.lshift, "%": operator.mod}
INPLACE: dict[str, str | Callable[[Any, Any], Any]] = {"+=": "+", "*=": "*", "**=": "**", "<<=": "<<", "%=": "%",
           "-=": operator.sub, "/=": operator.truediv,
           "//=": operator.floordiv, ">>=": operator.rshift, "&=": operator.and_, "|=": operator.or_,
           "^=": operator.xor, "@=": operator.matmul}
PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")
SPEC_NUMBERS = re.compile(r"\d+")
CONVERSIONS: dict[int, Callable[[Any], str]] = {ord("s"): str, ord("r"): repr, ord("a"): ascii}


class Guards:
    """The guard functions of one evaluation, all charging the same meter."""

    def __init__(self, meter: Meter):
        self.meter = meter

    # -- operators -------------------------------------------------------------------------------------------
    def binop(self, op: str, a, b):
        """`a op b` for the operators that can grow their result, estimated before it is computed."""
        m = self.meter
        if op == "**" and _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1:
            m.require_bits(a.bit_length() * b)
        elif op == "<<" and _is_int(a) and _is_int(b) and a:
            m.require_bits(a.bit_length() + b)
        elif op == "*":
            self._check_product(a, b)
        elif op == "+" and isinstance(a, SEQUENCES) and type(a) is type(b):
            (m.require_text if isinstance(a, TEXT) else m.require_items)(len(a) + len(b))
            if isinstance(a, tuple):
                weight(m, a), weight(m, b)
        elif op == "%" and isinstance(a, TEXT):
            self._check_percent(a, b)
        return m.account(GROWING[op](a, b))

    def _check_product(self, a, b) -> None:
        m = self.meter
        if _is_int(a) and _is_int(b):
            m.require_bits(a.bit_length() + b.bit_length())
            return
        seq, n = (a, b) if _is_int(b) else (b, a) if _is_int(a) else (None, 0)
        if isinstance(seq, SEQUENCES) and n > 0:
            (m.require_text if isinstance(seq, TEXT) else m.require_items)(len(seq) * n)
            if isinstance(seq, tuple):
                m.charge(weight(m, seq) * n)

    def _check_percent(self, template, args) -> None:
        m, size = self.meter, len(template)
        for match in PERCENT_SPEC.finditer(template if isinstance(template, str) else template.decode("latin-1")):
            for number in match.group(1, 2):
                if number == "*":
                    raise BudgetExceeded("'*' widths in % formatting cannot be checked in advance")
                if number:
                    m.require_text(int(number))
                    size += int(number)
        m.require_text(size + text_size(m, args))

    def inplace(self, op: str, a, b):
        """`a op= b` for names, through the same checks as the plain operators."""
        target = INPLACE[op]
        if isinstance(target, str):
            return self.binop(target, a, b)
        return target(a, b)

    def compared(self, value):
        """A comparison operand, walked first so that C never compares something too big to finish."""
        if isinstance(value, CONTAINERS):
            weight(self.meter, value)
        elif isinstance(value, TEXT) and len(value) > 4096:
            self.meter.charge(len(value) // 256)
        return value

    def tuple_(self, value: tuple) -> tuple:
        """A new tuple, bounded when it is built because tuples are hashed and compared in C."""
        weight(self.meter, value)
        return value

    def format_value(self, value, conversion: int, spec: str):
        """One `{value!c:spec}` of an f-string: no reflection, no width beyond the text budget."""
        m = self.meter
        if conversion != -1:
            m.require_text(text_size(m, value, quoted=conversion != ord("s")))
            value = CONVERSIONS[conversion](value)
        else:
            m.require_text(text_size(m, value))
        for number in SPEC_NUMBERS.findall(spec or ""):
            m.require_text(int(number))
        return m.account(format(value, spec))

    # -- attribute, item and iteration access ----------------------------------------------------------------
    def getattr_(self, obj, name):
        """Only allowlisted methods of plain data; never an attribute that starts with `_`."""
        if not isinstance(name, str) or name.startswith("_"):
            raise SandboxRefused(f"attribute {name!r} is not allowed")
        allowed = ALLOWED_METHODS.get(type(obj))
        if allowed is None or name not in allowed:
            raise SandboxRefused(f"a {describe(obj)} has no attribute {name!r} that diagram code may use")
        return _Method(self, obj, name)

    def getitem(self, obj, key):
        """Indexing and slicing of plain data only."""
        if not isinstance(obj, (dict, list, tuple, str, bytes, range)):
            raise SandboxRefused(f"a {describe(obj)} cannot be indexed")
        if isinstance(key, slice):
            return self.meter.account(obj[key])
        return obj[key]

    def write(self, obj):
        """Item assignment on lists and dicts, sized like any other growth; nothing else can be written to."""
        if type(obj) in (dict, list):
            return _Writable(self.meter, obj)
        raise SandboxRefused(f"a {describe(obj)} cannot be changed")

    def iter_unpack(self, it, spec, _getiter_):
        return guarded_iter_unpack_sequence(it, spec, _getiter_)

    @staticmethod
    def unpack(it, spec, _getiter_):
        return guarded_unpack_sequence(it, spec, _getiter_)

    @staticmethod
    def apply(function, *args, **kwargs):
        return function(*args, **kwargs)


class _Writable:
    """`data[key] = value` on a list or dict; a slice assignment cannot grow a list past the budget."""

    __slots__ = ("meter", "obj")

    def __init__(self, meter: Meter, obj):
        self.meter, self.obj = meter, obj

    def __setitem__(self, key, value):
        if isinstance(key, slice) and hasattr(value, "__len__"):
            self.meter.require_items(len(self.obj) + len(value))
        self.obj[key] = value
        self.meter.require_items(len(self.obj))


class _Method:
    """A bound method of plain data, with its size checked before (and its result counted after) the call."""

    __slots__ = ("guards", "obj", "name")

    def __init__(self, guards: Guards, obj, name: str):
        self.guards, self.obj, self.name = guards, obj, name

    def __call__(self, *args, **kwargs):
        m, obj, name = self.guards.meter, self.obj, self.name
        check = getattr(self, f"_check_{name}", None)
        if check is not None:
            replaced = check(*args, **kwargs)
            if replaced is not None:
                return replaced[0]
        result = getattr(obj, name)(*args, **kwargs)
        if isinstance(obj, (list, dict, set)):
            m.require_items(len(obj))
        if isinstance(result, (str, bytes, list, tuple, dict, set)) and result is not obj:
            m.account(result)
        return result

    # str methods whose result can be far longer than their input
    def _check_replace(self, old, new, count=-1):
        occurrences = self.obj.count(old) if old else len(self.obj) + 1
        if count >= 0:
            occurrences = min(occurrences, count)
        self.guards.meter.require_text(len(self.obj) + occurrences * max(len(new) - len(old), 0))

    def _check_join(self, iterable):
        parts = list(iterable)
        self.guards.meter.require_items(len(parts))
        size = sum(len(p) if isinstance(p, TEXT) else 0 for p in parts) + len(self.obj) * max(len(parts) - 1, 0)
        self.guards.meter.require_text(size)
        return (self.guards.meter.account(self.obj.join(parts)),)

    def _check_width(self, width, *fill):
        if _is_int(width):
            self.guards.meter.require_text(width)

    _check_ljust = _check_rjust = _check_center = _check_zfill = _check_width

    # list methods that compare elements in C, or grow the list at once
    def _check_extend(self, other):
        if hasattr(other, "__len__"):
            self.guards.meter.require_items(len(self.obj) + len(other))

    def _walk(self, *args, **kwargs):
        weight(self.guards.meter, self.obj)
        for arg in args:
            self.guards.compared(arg)

    _check_index = _check_count = _check_remove = _walk

    def _check_sort(self, *, key=None, reverse=False):
        self.obj[:] = sort_items(self.guards, list(self.obj), key, reverse)
        return (None,)

    def _check_items(self):
        return (self.guards.meter.account([self.guards.tuple_(pair) for pair in self.obj.items()]),)

    def _check_popitem(self):
        return (self.guards.tuple_(self.obj.popitem()),)


def sort_items(guards: Guards, items: list, key, reverse: bool) -> list:
    """`sorted` with its keys computed first and walked, so the sort's comparisons are bounded."""
    guards.meter.require_items(len(items))
    keys = items if key is None else [guards.meter.tick(key(item)) for item in items]
    weight(guards.meter, keys)
    order = sorted(range(len(items)), key=keys.__getitem__, reverse=reverse)
    return guards.meter.account([items[i] for i in order])


def _is_int(value) -> bool:
    return isinstance(value, int)


__all__ = ["Guards", "ALLOWED_ATTRIBUTES", "GROWING", "sort_items"]
