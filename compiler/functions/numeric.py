"""Numeric functions: abs ceil floor log max min parseint pow signum sum, as go-cty and Packer define them."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction

from ..cty import types as T
from ..cty.convert import ConversionError, convert
from ..cty.numbers import Num, NumberError, _round
from ..cty.values import Value, number, unknown
from ._goutil import go_quote
from .base import CallContext, Function, FunctionError, Param, register
from .gomath import go_divide as go_div
from .gomath import go_log, go_pow

FUNCTIONS: dict[str, Function] = {}

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
_INT_RANGE_ERROR = f"value must be a whole number, between {INT64_MIN} and {INT64_MAX}"
_FLOAT_RANGE_ERROR = f"value must be between {-sys.float_info.max:f} and {sys.float_info.max:f} inclusive"
NAN_PANIC = "panic in function implementation: Float.SetFloat64(NaN)"


# ---------------------------------------------------------------- conversions as gocty does them


def to_go_int(v: Value) -> int:
    """A number as a Go int (int64), or gocty's error when it is not a whole number in range."""
    n = v.as_num()
    if not n.is_int() or not INT64_MIN <= n.to_int() <= INT64_MAX:
        raise FunctionError(_INT_RANGE_ERROR)
    return n.to_int()


def to_go_float(v: Value) -> float:
    """A number as a Go float64 (nearest, infinities kept), or gocty's error when a finite value overflows."""
    n = v.as_num()
    if n.inf:
        return math.inf * n.inf
    try:
        return float(n.q)
    except OverflowError:
        raise FunctionError(_FLOAT_RANGE_ERROR) from None


def float_result(f: float) -> Value:
    """cty.NumberFloatVal: infinities become cty infinities; NaN panics inside go-cty, reported as such."""
    if math.isnan(f):
        raise FunctionError(NAN_PANIC)
    return number(Num.infinity(1 if f > 0 else -1) if math.isinf(f) else Num.of(f))


# ---------------------------------------------------------------- Go's float64 math (special cases included)


def _abs(args: Sequence[Value], ctx: CallContext) -> Value:
    n = args[0].as_num()
    return number(Num(abs(n.q), n.prec, abs(n.inf)))


def _ceil_floor(up: bool) -> Callable[[Sequence[Value], CallContext], Value]:
    def impl(args: Sequence[Value], ctx: CallContext) -> Value:
        n = args[0].as_num()
        if n.inf:
            return args[0]
        i = math.ceil(n.q) if up else math.floor(n.q)
        # big.Float.SetInt keeps the receiver's precision (the argument's)
        return number(Num(_round(Fraction(i), max(n.prec, 1)), n.prec))

    return impl


def _log(args: Sequence[Value], ctx: CallContext) -> Value:
    num = to_go_float(args[0])
    base = to_go_float(args[1])
    return float_result(go_div(go_log(num), go_log(base)))


def _pow(args: Sequence[Value], ctx: CallContext) -> Value:
    return float_result(go_pow(to_go_float(args[0]), to_go_float(args[1])))


def _signum(args: Sequence[Value], ctx: CallContext) -> Value:
    n = to_go_int(args[0])
    return number((n > 0) - (n < 0))


def _extreme(want: int) -> Callable[[Sequence[Value], CallContext], Value]:
    def impl(args: Sequence[Value], ctx: CallContext) -> Value:
        if not args:
            raise FunctionError("must pass at least one number")
        best = number(Num.infinity(-want))
        for v in args:
            if v.as_num().cmp(best.as_num()) == want:
                best = v
        return best

    return impl


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _digit_value(c: str, base: int) -> int:
    """A digit's value as big.Int.SetString reads it (letters case-insensitive up to base 36)."""
    if "0" <= c <= "9":
        return ord(c) - ord("0")
    if "a" <= c <= "z":
        return ord(c) - ord("a") + 10
    if "A" <= c <= "Z":
        return ord(c) - ord("A") + (10 if base <= 36 else 36)
    return base  # invalid


def go_parse_big_int(s: str, base: int) -> int | None:
    """big.Int.SetString(s, base) for 2 <= base <= 62: optional sign, digits only, no prefix or underscores."""
    neg = False
    if s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    if not s:
        return None
    value = 0
    for c in s:
        d = _digit_value(c, base)
        if d >= base:
            return None
        value = value * base + d
    return -value if neg else value


def _parseint(args: Sequence[Value], ctx: CallContext) -> Value:
    arg, base_val = args
    if isinstance(arg.ty, T.Dynamic):
        return unknown(T.DYNAMIC)
    if arg.ty != T.STRING:
        raise FunctionError(f"first argument must be a string, not {arg.ty.friendly()}", 0)
    if not arg.known or not base_val.known:
        return unknown(T.NUMBER)
    try:
        base = to_go_int(base_val)
    except FunctionError as exc:
        raise FunctionError(exc.message, 1) from None
    if base < 2 or base > 62:
        raise FunctionError("base must be a whole number between 2 and 62 inclusive", 1)
    text = arg.as_string()
    parsed = go_parse_big_int(text, base)
    if parsed is None:
        raise FunctionError(f"cannot parse {go_quote(text)} as a base {base} integer", 0)
    return number(parsed)


_NUMBERS_REQUIRED = "argument must be list, set, or tuple of number values"


def _sum(args: Sequence[Value], ctx: CallContext) -> Value:
    arg, marks = args[0].unmark_deep()
    if not arg.known:
        # cty: an unknown argument of unknown type gives an unknown of unknown type
        return unknown(T.DYNAMIC if isinstance(arg.ty, T.Dynamic) else T.NUMBER).with_marks(marks)
    ty = arg.ty
    if not isinstance(ty, (T.List, T.Set, T.Map, T.Tuple, T.Object)):
        raise FunctionError("cannot sum noniterable", 0)
    if arg.length() == 0:
        raise FunctionError("cannot sum an empty list", 0)
    if not isinstance(ty, (T.List, T.Set, T.Tuple)):
        raise FunctionError(f"argument must be list, set, or tuple. Received {ty.friendly()}", 0)
    if not arg.is_wholly_known():
        return unknown(T.NUMBER).with_marks(marks)
    total: Num | None = None
    for elem in arg.elements():
        if elem.is_null:
            raise FunctionError(_NUMBERS_REQUIRED, 0)
        try:
            n = convert(elem, T.NUMBER).as_num()
        except ConversionError:
            raise FunctionError(_NUMBERS_REQUIRED, 0) from None
        if total is None:
            total = n
            continue
        try:
            total = total.add(n)
        except NumberError:
            raise FunctionError("can't compute sum of opposing infinities") from None
    assert total is not None
    return number(total).with_marks(marks)


_NUM = Param("num", T.NUMBER)

register(FUNCTIONS, Function("abs", [_NUM], T.NUMBER, _abs, description="Absolute value."))
register(FUNCTIONS, Function("ceil", [_NUM], T.NUMBER, _ceil_floor(True), description="Round up to a whole number."))
register(FUNCTIONS, Function("floor", [_NUM], T.NUMBER, _ceil_floor(False), description="Round down."))
register(FUNCTIONS, Function("log", [_NUM, Param("base", T.NUMBER)], T.NUMBER, _log, description="Logarithm."))
register(FUNCTIONS, Function("pow", [_NUM, Param("power", T.NUMBER)], T.NUMBER, _pow, description="Exponentiation."))
register(FUNCTIONS, Function("signum", [_NUM], T.NUMBER, _signum, description="Sign of a number: -1, 0 or 1."))
register(FUNCTIONS, Function("min", [], T.NUMBER, _extreme(-1), var_param=Param("numbers", T.NUMBER),
                             description="The smallest of the numbers."))
register(FUNCTIONS, Function("max", [], T.NUMBER, _extreme(1), var_param=Param("numbers", T.NUMBER),
                             description="The greatest of the numbers."))
register(FUNCTIONS, Function(
    "parseint",
    [Param("number", T.DYNAMIC, allow_unknown=True, allow_dynamic=False), Param("base", T.NUMBER, allow_unknown=True)],
    T.NUMBER, _parseint, description="Parse a string as an integer in a base from 2 to 62."))
register(FUNCTIONS, Function(
    "sum", [Param("list", T.DYNAMIC, allow_unknown=True, allow_marked=True, allow_dynamic=False)], T.NUMBER, _sum,
    description="Sum of the numbers in a list, set or tuple."))
