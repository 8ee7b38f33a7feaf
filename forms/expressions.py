"""Safe formulas for low-code forms: calculations (``total_assets - total_liabilities``) and
constraints (``total_assets == total_liabilities + total_equity``).

A formula is written in Python expression syntax. :func:`compile_expression` parses it with
:func:`ast.parse`, checks every node against a short whitelist and turns the tree into plain
closures; nothing is ever handed to ``eval``, ``exec`` or ``compile``. Anything not on the
whitelist is refused with an :class:`ExpressionError` whose ``code`` says why.

Evaluation rules, chosen for village treasurers rather than programmers:

* Every number is a :class:`~decimal.Decimal` (``0.1 + 0.2 == 0.3``), computed in a private
  context with 28 significant digits that rounds halves up; ``int`` and ``float`` values are
  converted, NaN and infinity count as empty.
* An empty field (missing or ``None``) counts as 0 in ``+``, ``-`` and ``sum``, but makes ``*``,
  ``/`` and unary ``-`` empty. Division by zero is empty too.
* ``==`` and ``!=`` compare anything (``True`` never equals ``1``). ``<``, ``<=``, ``>`` and ``>=``
  are False unless both sides are numbers, both text, or both dates (or times) of the same kind.
* Comparisons, ``in``, ``and``, ``or``, ``not`` and ``filled`` give ``True`` or ``False``.
* A value of the wrong kind (text in a sum, a list in a product) makes the result ``None``
  rather than raising: a bad answer shows as an empty calculation and cannot break the form.
  :meth:`Expression.evaluate` never raises.
"""

import ast
import datetime
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_SOURCE_LENGTH = 1_000
MAX_NODES = 200
MAX_DEPTH = 30
# Stated in full so that nothing set on the thread's or the default context leaks in.
DECIMAL_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_UP,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

_FIELD_CODE = re.compile(r"[a-z_][a-z0-9_]*")
_ZERO = Decimal(0)
_ONE = Decimal(1)


class ExpressionErrorCode(StrEnum):
    TOO_LONG = "too_long"
    SYNTAX = "syntax"
    TOO_COMPLEX = "too_complex"  # more than MAX_NODES parts
    TOO_DEEP = "too_deep"  # more than MAX_DEPTH levels inside one another
    NOT_ALLOWED = "not_allowed"  # a construct outside the whitelist: x[0], lambda, f"…"
    OPERATOR = "operator"  # **, //, %, bit operators, unary +, is
    NAME = "name"  # not a field code, or a dunder
    ATTRIBUTE = "attribute"  # anything after a dot except group.column
    UNKNOWN_FUNCTION = "unknown_function"
    ARGUMENTS = "arguments"
    IN_NEEDS_LIST = "in_needs_list"


_Code = ExpressionErrorCode
_MESSAGES: dict[ExpressionErrorCode, str | Promise] = {
    _Code.TOO_LONG: _("The formula is too long. Use at most %(limit)d characters."),
    _Code.SYNTAX: _("The formula cannot be read. Check the brackets, commas and quotation marks."),
    _Code.TOO_COMPLEX: _(
        "The formula has too many parts. Use at most %(limit)d, or split it into several calculations."
    ),
    _Code.TOO_DEEP: _("The formula has too many levels inside one another. Use at most %(limit)d."),
    _Code.NOT_ALLOWED: _("“%(text)s” cannot be used in a formula."),
    _Code.OPERATOR: _("The operator “%(text)s” cannot be used in a formula."),
    _Code.NAME: _(
        "“%(text)s” is not a field code. Field codes use small letters, digits and underscores."
    ),
    _Code.ATTRIBUTE: _(
        "“%(text)s” cannot be used. After a dot, write only a column of a repeating group, as in “founders.capital”."
    ),
    _Code.UNKNOWN_FUNCTION: _("Unknown function “%(text)s”. You can use: %(available)s."),
    _Code.ARGUMENTS: _("The function “%(text)s” was given the wrong arguments."),
    _Code.IN_NEEDS_LIST: _("After “in”, write a list in square brackets, such as [1, 2, 3]."),
}


class ExpressionError(ValueError):
    """A formula that cannot be compiled. ``message`` is a lazily translated text whose
    ``%(…)s`` placeholders are filled from ``params``; a form shows it with
    ``ValidationError(error.message, code=error.code, params=error.params)``."""

    def __init__(
        self, message: str | Promise, code: str, params: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message, code)
        self.message = message
        self.code = code
        self.params = dict(params or {})

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


def _fail(code: ExpressionErrorCode, **params: object) -> ExpressionError:
    return ExpressionError(_MESSAGES[code], code, params)


# --- Values and operations: each takes cleaned values and never raises ----------------------

_Eval = Callable[[Mapping[str, object]], object]


def _clean(value: object, nested: int = 0) -> object:
    """Bring a caller's value into the kinds formulas know: a scalar, a list of scalars (a
    multiple choice answer) or a list of dicts of scalars (a repeating group's rows). Anything
    else, or nested deeper, counts as empty."""
    if value is None or isinstance(value, bool | str | datetime.date | datetime.time):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        return number if number.is_finite() else None
    if nested < 2 and isinstance(value, list | tuple):
        return [_clean(item, nested + 1) for item in value]
    if nested < 2 and isinstance(value, Mapping):
        return {key: _clean(item, nested + 1) for key, item in value.items()}
    return None


def _column(rows: object, column: str) -> list[object]:
    if not isinstance(rows, list | tuple):
        return []
    return [_clean(row.get(column), 1) if isinstance(row, Mapping) else None for row in rows]


def _decimal(operation: Callable[..., Decimal], *operands: object) -> Decimal | None:
    if not all(isinstance(operand, Decimal) for operand in operands):
        return None
    try:
        return operation(*operands)
    except ArithmeticError:  # overflow past Emax, or a quantize longer than 28 digits
        return None


def _empty_is_zero(value: object) -> object:
    return _ZERO if value is None else value


_ARITHMETIC: dict[type[ast.operator], Callable[[object, object], object]] = {
    ast.Add: lambda a, b: _decimal(operator.add, _empty_is_zero(a), _empty_is_zero(b)),
    ast.Sub: lambda a, b: _decimal(operator.sub, _empty_is_zero(a), _empty_is_zero(b)),
    ast.Mult: lambda a, b: _decimal(operator.mul, a, b),
    ast.Div: lambda a, b: None if b == _ZERO else _decimal(operator.truediv, a, b),
}


def _truthy(value: object) -> bool:
    return bool(value)  # cleaned values only: None, 0, "" and [] are false


def _equal(left: object, right: object) -> bool:
    return isinstance(left, bool) == isinstance(right, bool) and left == right


def _comparable(left: object, right: object) -> bool:
    kinds = Decimal | str | datetime.date | datetime.time
    return type(left) is type(right) and isinstance(left, kinds)


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[object, object], bool]:
    def run(left: object, right: object) -> bool:
        try:
            return _comparable(left, right) and compare(left, right)
        except TypeError:  # a naive against an aware datetime
            return False

    return run


def _member(value: object, items: object) -> bool:
    return isinstance(items, list) and any(_equal(value, item) for item in items)


_COMPARISONS: dict[type[ast.cmpop], Callable[[object, object], bool]] = {
    ast.Eq: _equal,
    ast.NotEq: lambda a, b: not _equal(a, b),
    ast.Lt: _ordered(operator.lt),
    ast.LtE: _ordered(operator.le),
    ast.Gt: _ordered(operator.gt),
    ast.GtE: _ordered(operator.ge),
    ast.In: lambda value, items: _member(value, items),
    ast.NotIn: lambda value, items: not _member(value, items),
}


def _items(value: object) -> list[object]:
    """Functions over a list also take a single value, as a list of one."""
    return value if isinstance(value, list) else [value]


def _sum(values: object) -> Decimal | None:
    total: Decimal | None = _ZERO
    for item in _items(values):
        total = _decimal(operator.add, total, _empty_is_zero(item))
        if total is None:
            return None
    return total


def _filled(value: object) -> bool:
    return value is not None and value != "" and value != []


def _count(values: object) -> Decimal:
    return Decimal(sum(1 for item in _items(values) if _filled(item)))


def _extreme(pick: Callable[[list[Any]], object]) -> Callable[..., object]:
    def run(*arguments: object) -> object:
        chosen = _items(arguments[0]) if len(arguments) == 1 else list(arguments)
        items = [item for item in chosen if item is not None]
        if not items or not all(_comparable(items[0], item) for item in items):
            return None
        try:
            return pick(items)
        except TypeError:  # a naive against an aware datetime
            return None

    return run


def _round(value: object, ndigits: object = _ZERO) -> Decimal | None:
    """Half away from zero, as on paper: 2.5 → 3 and -2.5 → -3; round(x, -3) rounds to thousands."""
    if not isinstance(ndigits, Decimal) or ndigits.copy_abs() > DECIMAL_CONTEXT.prec:
        return None
    if ndigits != ndigits.to_integral_value():
        return None
    places = int(ndigits)
    rounded = _decimal(lambda v: v.quantize(_ONE.scaleb(-places), rounding=ROUND_HALF_UP), value)
    return rounded if rounded is None or places >= 0 else _decimal(Decimal.quantize, rounded, _ONE)


# name: (function, least arguments, most arguments)
_FUNCTIONS: dict[str, tuple[Callable[..., object], int, int]] = {
    "sum": (_sum, 1, 1),
    "min": (_extreme(min), 1, MAX_NODES),
    "max": (_extreme(max), 1, MAX_NODES),
    "abs": (lambda value: _decimal(abs, value), 1, 1),
    "round": (_round, 1, 2),
    "count": (_count, 1, 1),
    "filled": (_filled, 1, 1),
}
_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Pow: "**", ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&",
    ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.UAdd: "+",
    ast.Invert: "~", ast.Is: "is", ast.IsNot: "is not",
}  # fmt: skip


# --- Compiling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A compiled formula. ``names`` are the field codes it reads (a repeating group's code
    for ``group.column``), for ordering calculations; ``group_columns`` are the
    ``(group, column)`` pairs it reads."""

    source: str
    names: frozenset[str]
    group_columns: frozenset[tuple[str, str]]
    _run: _Eval = field(repr=False, compare=False)

    def evaluate(self, values: Mapping[str, object]) -> object:
        """The formula's value for a submission's ``values`` (field code → value; a repeating
        group → list of row dicts). Missing codes are empty. Gives a Decimal, str, bool, date,
        list or None, and never raises: a value of the wrong kind makes the result None."""
        with localcontext(DECIMAL_CONTEXT):
            return self._run(values)


def evaluate_condition(expression: Expression, values: Mapping[str, object]) -> bool:
    """Whether a constraint or relevance rule holds; an empty result (None, 0, "", []) is
    False."""
    return _truthy(expression.evaluate(values))


def compile_expression(source: str) -> Expression:
    """Parse and check a formula. Raises ExpressionError (see ExpressionErrorCode) for anything
    outside the whitelist, above the size limits, or not valid syntax."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise _fail(_Code.TOO_LONG, limit=MAX_SOURCE_LENGTH)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise _fail(_Code.SYNTAX) from error
    if sum(isinstance(node, ast.expr) for node in ast.walk(tree)) > MAX_NODES:
        raise _fail(_Code.TOO_COMPLEX, limit=MAX_NODES)
    compiler = _Compiler(source.strip())
    run = compiler.build(tree.body, depth=1)
    return Expression(source, frozenset(compiler.names), frozenset(compiler.group_columns), run)


class _Compiler:
    def __init__(self, source: str) -> None:
        self.source = source
        self.names: set[str] = set()
        self.group_columns: set[tuple[str, str]] = set()

    def text(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or type(node).__name__
        return text if len(text) <= 60 else text[:59] + "…"

    def field_code(self, name: str) -> str:
        if not _FIELD_CODE.fullmatch(name) or name.startswith("__"):
            raise _fail(_Code.NAME, text=name)
        return name

    def build(self, node: ast.expr, depth: int) -> _Eval:
        if depth > MAX_DEPTH:
            raise _fail(_Code.TOO_DEEP, limit=MAX_DEPTH)
        match node:
            case ast.Constant(value=bool() | str() | None as value):
                return lambda values: value
            case ast.Constant(value=int() | float()):
                # From the source text, so 0.1 is exactly one tenth, not the nearest float.
                text = ast.get_source_segment(self.source, node) or repr(node.value)
                number = Decimal(node.value) if isinstance(node.value, int) else Decimal(text)
                return lambda values: number
            case ast.Name(id=name):
                code = self.field_code(name)
                self.names.add(code)
                return lambda values: _clean(values.get(code))
            case ast.Attribute(value=ast.Name(id=group), attr=column):
                group, column = self.field_code(group), self.field_code(column)
                self.names.add(group)
                self.group_columns.add((group, column))
                return lambda values: _column(values.get(group), column)
            case ast.Attribute():
                raise _fail(_Code.ATTRIBUTE, text=self.text(node))
            case ast.BinOp():
                return self.arithmetic(node, depth)
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                inner = self.build(operand, depth + 1)
                return lambda values: _decimal(operator.neg, inner(values))
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                inner = self.build(operand, depth + 1)
                return lambda values: not _truthy(inner(values))
            case ast.UnaryOp(op=op):
                raise _fail(_Code.OPERATOR, text=_SYMBOLS.get(type(op), self.text(node)))
            case ast.Compare():
                return self.comparison(node, depth)
            case ast.BoolOp(op=op, values=operands):
                parts = [self.build(operand, depth + 1) for operand in operands]
                combine = all if isinstance(op, ast.And) else any
                return lambda values: combine(_truthy(part(values)) for part in parts)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                condition, yes, no = (self.build(n, depth + 1) for n in (test, body, orelse))
                return lambda values: yes(values) if _truthy(condition(values)) else no(values)
            case ast.List(elts=elements) | ast.Tuple(elts=elements):
                parts = [self.build(element, depth + 1) for element in elements]
                return lambda values: [part(values) for part in parts]
            case ast.Call(func=ast.Name(id=name)):
                return self.call(node, name, depth)
        raise _fail(_Code.NOT_ALLOWED, text=self.text(node))

    def arithmetic(self, node: ast.BinOp, depth: int) -> _Eval:
        # a + b - c + … is a tree leaning left; walking its spine keeps a sum of forty
        # balance-sheet lines one level deep instead of forty.
        steps: list[tuple[Callable[[object, object], object], _Eval]] = []
        left: ast.expr = node
        while isinstance(left, ast.BinOp):
            calculate = _ARITHMETIC.get(type(left.op))
            if calculate is None:
                raise _fail(_Code.OPERATOR, text=_SYMBOLS.get(type(left.op), self.text(left)))
            steps.append((calculate, self.build(left.right, depth + 1)))
            left = left.left
        first = self.build(left, depth + 1)
        steps.reverse()

        def run(values: Mapping[str, object]) -> object:
            result = first(values)
            for calculate, operand in steps:
                result = calculate(result, operand(values))
            return result

        return run

    def comparison(self, node: ast.Compare, depth: int) -> _Eval:
        first = self.build(node.left, depth + 1)
        tests: list[tuple[Callable[[object, object], bool], _Eval]] = []
        for op, right in zip(node.ops, node.comparators, strict=True):
            compare = _COMPARISONS.get(type(op))
            if compare is None:
                raise _fail(_Code.OPERATOR, text=_SYMBOLS.get(type(op), self.text(node)))
            if isinstance(op, ast.In | ast.NotIn) and not isinstance(right, ast.List | ast.Tuple):
                raise _fail(_Code.IN_NEEDS_LIST)
            tests.append((compare, self.build(right, depth + 1)))

        def run(values: Mapping[str, object]) -> bool:
            left = first(values)
            for compare, operand in tests:
                right = operand(values)
                if not compare(left, right):
                    return False
                left = right
            return True

        return run

    def call(self, node: ast.Call, name: str, depth: int) -> _Eval:
        if name not in _FUNCTIONS:
            raise _fail(_Code.UNKNOWN_FUNCTION, text=name, available=", ".join(_FUNCTIONS))
        function, least, most = _FUNCTIONS[name]
        arguments = list(node.args)
        for keyword in node.keywords:
            if (name, keyword.arg, len(arguments)) != ("round", "ndigits", 1):
                raise _fail(_Code.ARGUMENTS, text=name)
            arguments.append(keyword.value)
        if not least <= len(arguments) <= most:
            raise _fail(_Code.ARGUMENTS, text=name)
        parts = [self.build(argument, depth + 1) for argument in arguments]
        return lambda values: function(*(part(values) for part in parts))
