"""What diagram code may say: RestrictedPython's policy, narrowed to expressions and short assignment scripts.

On top of RestrictedPython (no names or attributes that start with `_`, no frame, code or generator
internals, guarded attribute, item and iteration access) the policy refuses imports, function and class
definitions, try/with/raise/del, every attribute outside the data types' allowlist (so `format` and
`format_map` too), and the builtins that reflect. It rewrites what C would run without a budget check
(growing operators, comparisons, tuple displays, f-string fields) into guard calls, and counts every loop
turn, comprehension item and lambda call.
"""
from __future__ import annotations

import ast
import builtins
from functools import lru_cache
from types import CodeType
from typing import Any, cast

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from .sandbox_budget import SandboxRefused
from .sandbox_guards import ALLOWED_ATTRIBUTES, GROWING

OFFERED_BUILTINS = frozenset(("abs all any bool dict divmod enumerate filter float int isinstance len list map max "
                              "min range reversed round set sorted str sum tuple zip True False None").split())
DIAGRAM_FUNCTIONS = frozenset({"now", "working_days_after"})
# Names that reflect, reach outside or make code: refused wherever they appear, called or not.
REFUSED_NAMES = frozenset(("getattr setattr delattr hasattr globals locals vars dir eval exec compile open input "
                           "breakpoint memoryview super object classmethod staticmethod property type help exit "
                           "quit print printed builtins id hash iter next format copyright credits license "
                           "bytearray callable issubclass").split())
CALL_REFUSED = frozenset(name for name in dir(builtins) if not name.startswith("_")) - OFFERED_BUILTINS
FORBIDDEN = {ast.Import: "import", ast.ImportFrom: "import", ast.Global: "global", ast.Nonlocal: "nonlocal",
             ast.ClassDef: "class definitions", ast.FunctionDef: "function definitions (use an expression)",
             ast.AsyncFunctionDef: "async functions", ast.Await: "await", ast.Yield: "yield",
             ast.YieldFrom: "yield", ast.With: "with", ast.AsyncWith: "with", ast.Try: "try",
             ast.Raise: "raise", ast.Delete: "del", ast.AsyncFor: "async for"}
if hasattr(ast, "TryStar"):
    FORBIDDEN[ast.TryStar] = "try"
# Methods that change data in place: scripts may call them, expressions (conditions, timers, parameters) may not.
MUTATORS = frozenset("append extend insert pop remove reverse sort clear popitem setdefault update add discard".split())
BINOPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}


def _call(name: str, *args: ast.expr, like: Any) -> ast.Call:
    node = ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])
    copy_locations(node, like)
    return node


class DiagramPolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with the product's extra refusals and budget rewrites."""

    reads_only = False

    def visit(self, node):
        kind = FORBIDDEN.get(type(node))
        if kind is not None:
            self.error(node, f"{kind} is not allowed in diagram code")
            return node
        return super().visit(node)

    def visit_Name(self, node: ast.Name):
        if node.id in REFUSED_NAMES:
            self.error(node, f'"{node.id}" is not available to diagram code')
            return node
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute):
        if not isinstance(node.ctx, ast.Load):
            self.error(node, "attributes cannot be assigned in diagram code")
        elif node.attr in ("format", "format_map"):
            self.error(node, f'"{node.attr}" is not allowed: use an f-string or + to build text')
        elif not node.attr.startswith("_") and node.attr not in ALLOWED_ATTRIBUTES:
            self.error(node, f'attribute "{node.attr}" is not one that diagram code may use')
        elif self.reads_only and node.attr in MUTATORS:
            self.error(node, f'an expression cannot change data with "{node.attr}"; use a script')
        return super().visit_Attribute(node)

    def visit_Call(self, node: ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in CALL_REFUSED:
            self.error(node, f'"{node.func.id}" is not available to diagram code')
        return super().visit_Call(node)

    def visit_BinOp(self, node: ast.BinOp):
        node = self.node_contents_visit(node)
        op = BINOPS.get(type(node.op))
        if op is None:
            return node
        return _call("_binop_", ast.Constant(op), node.left, node.right, like=node)

    def visit_Compare(self, node: ast.Compare):
        node = self.node_contents_visit(node)
        node.left = self._compared(node.left)
        node.comparators = [self._compared(c) for c in node.comparators]
        return node

    @staticmethod
    def _compared(operand: ast.expr) -> ast.expr:
        return operand if isinstance(operand, ast.Constant) else _call("_compared_", operand, like=operand)

    def visit_Tuple(self, node: ast.Tuple):
        self._no_unpacking(node)
        node = cast(ast.Tuple, super().visit_Tuple(node))
        if isinstance(node.ctx, ast.Load) and not all(isinstance(e, ast.Constant) for e in node.elts):
            return _call("_tuple_", node, like=node)
        return node

    def visit_List(self, node: ast.List):
        self._no_unpacking(node)
        return super().visit_List(node)

    def visit_Set(self, node: ast.Set):
        self._no_unpacking(node)
        return super().visit_Set(node)

    def visit_Dict(self, node: ast.Dict):
        if any(key is None for key in node.keys):
            self.error(node, "** unpacking in a dict display is not allowed")
        return super().visit_Dict(node)

    def _no_unpacking(self, node) -> None:
        if isinstance(getattr(node, "ctx", None), ast.Load) and any(isinstance(e, ast.Starred) for e in node.elts):
            self.error(node, "* unpacking in a display is not allowed")

    def visit_FormattedValue(self, node: ast.FormattedValue):
        node = self.node_contents_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        node.value = _call("_format_", node.value, ast.Constant(node.conversion), spec, like=node)
        node.conversion, node.format_spec = -1, None
        return node

    def visit_comprehension(self, node: ast.comprehension):
        node = cast(ast.comprehension, super().visit_comprehension(node))
        node.ifs.insert(0, _call("_tick_", like=node.iter))
        return node

    def visit_For(self, node: ast.For):
        node = cast(ast.For, super().visit_For(node))
        node.body.insert(0, ast.Expr(_call("_tick_", like=node)))
        copy_locations(node.body[0], node)
        return node

    def visit_While(self, node: ast.While):
        node = cast(ast.While, super().visit_While(node))
        node.body.insert(0, ast.Expr(_call("_tick_", like=node)))
        copy_locations(node.body[0], node)
        return node

    def visit_Lambda(self, node: ast.Lambda):
        if node.args.vararg or node.args.kwarg:
            self.error(node, "*args and **kwargs are not allowed in a lambda")
        node = cast(ast.Lambda, super().visit_Lambda(node))
        node.body = _call("_tick_", node.body, like=node.body)
        return node


class ExpressionPolicy(DiagramPolicy):
    """The policy for expressions, which read case data and never change it."""

    reads_only = True


@lru_cache(maxsize=4096)
def compile_source(source: str, mode: str) -> CodeType:
    """Compile diagram code under the policy; SyntaxError if it is not Python, SandboxRefused if not allowed."""
    tree = ast.parse(source, "<diagram>", mode)
    errors = _bare_functions(tree)
    compile_ = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_(cast(Any, tree), "<diagram>", policy=ExpressionPolicy if mode == "eval" else DiagramPolicy)
    errors += list(result.errors)
    if errors:
        raise SandboxRefused("; ".join(dict.fromkeys(_plain(e) for e in errors)))
    return cast(CodeType, result.code)


def _bare_functions(tree: ast.AST) -> list[str]:
    # `now` and `working_days_after` may only be called: passed around, they could be printed or inspected.
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return [f'"{n.id}" must be called, as {n.id}(...)' for n in ast.walk(tree)
            if isinstance(n, ast.Name) and n.id in DIAGRAM_FUNCTIONS and id(n) not in called]


def _plain(error: str) -> str:
    # RestrictedPython says 'Line 1: "x" is ...'; one-line expressions read better without the line number.
    error = error.split(": ", 1)[1] if error.startswith("Line 1: ") else error
    return error.rstrip(".")


__all__ = ["compile_source", "DiagramPolicy", "GROWING", "OFFERED_BUILTINS", "DIAGRAM_FUNCTIONS"]
