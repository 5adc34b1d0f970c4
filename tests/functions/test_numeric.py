"""Numeric functions against go-cty's and Packer's behaviour (docs examples, edge cases, errors)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bake.compiler.cty import types as T
from bake.compiler.cty.numbers import Num
from bake.compiler.cty.values import (
    SENSITIVE,
    Value,
    from_python,
    list_of,
    null,
    number,
    set_of,
    string,
    tuple_of,
    unknown,
)
from bake.compiler.functions.base import ArityError, FunctionError
from bake.compiler.functions.numeric import FUNCTIONS, go_pow


class Err:
    """An expected error message (and argument index, when given)."""

    def __init__(self, message: str, arg: int | None = -1) -> None:
        self.message = message
        self.arg = arg


def v(x: Any) -> Value:
    return x if isinstance(x, Value) else from_python(x)


def num(text: str) -> Value:
    return number(Num.parse(text))


INT_ERR = "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
NAN = "panic in function implementation: Float.SetFloat64(NaN)"
POS_INF = number(Num.infinity(1))
NEG_INF = number(Num.infinity(-1))

CASES: list[tuple[str, list[Any], Any]] = [
    # abs
    ("abs", [23], number(23)),
    ("abs", [0], number(0)),
    ("abs", [num("-12.4")], num("12.4")),
    ("abs", [NEG_INF], POS_INF),
    ("abs", ["-5"], number(5)),
    ("abs", [unknown(T.NUMBER)], unknown(T.NUMBER)),
    ("abs", [number(-3).with_marks({SENSITIVE})], number(3).with_marks({SENSITIVE})),
    ("abs", ["x"], Err("a number is required", 0)),
    ("abs", [null(T.NUMBER)], Err("argument must not be null", 0)),
    # ceil / floor
    ("ceil", [num("5")], num("5")),
    ("ceil", [num("5.1")], num("6")),
    ("ceil", [num("-5.1")], num("-5")),
    ("ceil", [POS_INF], POS_INF),
    ("floor", [num("5")], num("5")),
    ("floor", [num("4.9")], num("4")),
    ("floor", [num("-4.1")], num("-5")),
    ("floor", [NEG_INF], NEG_INF),
    ("floor", [unknown(T.DYNAMIC)], unknown(T.NUMBER)),
    # log
    ("log", [50, 10], number(1.6989700043360185)),
    ("log", [16, 2], number(4.0)),
    ("log", [1, 10], number(0.0)),
    ("log", [0, 10], NEG_INF),
    ("log", [-1, 10], Err(NAN, None)),
    ("log", [num("1e400"), 10], Err("value must be between -" + f"{1.7976931348623157e308:f} and "
                                    f"{1.7976931348623157e308:f} inclusive", None)),
    # pow
    ("pow", [3, 2], number(9.0)),
    ("pow", [4, 0], number(1.0)),
    ("pow", [2, -1], number(0.5)),
    ("pow", [2, num("0.5")], number(math.sqrt(2))),
    ("pow", [0, -1], POS_INF),
    ("pow", [-8, num("0.5")], Err(NAN, None)),
    ("pow", [10, 400], POS_INF),
    # signum
    ("signum", [-13], number(-1)),
    ("signum", [0], number(0)),
    ("signum", [344], number(1)),
    ("signum", [num("1.5")], Err(INT_ERR, None)),
    ("signum", [POS_INF], Err(INT_ERR, None)),
    ("signum", [num("1e30")], Err(INT_ERR, None)),
    # max / min
    ("max", [12, 54, 3], number(54)),
    ("max", [num("1.5"), num("1.25")], num("1.5")),
    ("max", [-1, NEG_INF], number(-1)),
    ("max", [], Err("must pass at least one number", None)),
    ("min", [12, 54, 3], number(3)),
    ("min", [POS_INF], POS_INF),
    ("min", ["7", 8], number(7)),
    ("min", [1, unknown(T.NUMBER)], unknown(T.NUMBER)),
    ("min", [1, "a"], Err("a number is required", 1)),
    ("max", [number(1).with_marks({SENSITIVE}), 2], number(2).with_marks({SENSITIVE})),
    # parseint
    ("parseint", ["100", 10], number(100)),
    ("parseint", ["FF", 16], number(255)),
    ("parseint", ["ff", 16], number(255)),
    ("parseint", ["-10", 16], number(-16)),
    ("parseint", ["+7", 8], number(7)),
    ("parseint", ["1011111011101111", 2], number(48879)),
    ("parseint", ["aA", 62], number(10 * 62 + 36)),
    ("parseint", ["zz", 36], number(35 * 36 + 35)),
    ("parseint", ["12", 2], Err('cannot parse "12" as a base 2 integer', 0)),
    ("parseint", ["0x10", 16], Err('cannot parse "0x10" as a base 16 integer', 0)),
    ("parseint", ["1_000", 10], Err('cannot parse "1_000" as a base 10 integer', 0)),
    ("parseint", ["", 10], Err('cannot parse "" as a base 10 integer', 0)),
    ("parseint", ["1", 1], Err("base must be a whole number between 2 and 62 inclusive", 1)),
    ("parseint", ["1", 63], Err("base must be a whole number between 2 and 62 inclusive", 1)),
    ("parseint", ["1", num("2.5")], Err(INT_ERR, 1)),
    ("parseint", [1, 10], Err("first argument must be a string, not number", 0)),
    ("parseint", [["1"], 10], Err("first argument must be a string, not tuple", 0)),
    ("parseint", [unknown(T.STRING), 10], unknown(T.NUMBER)),
    ("parseint", ["10", unknown(T.NUMBER)], unknown(T.NUMBER)),
    ("parseint", [unknown(T.DYNAMIC), 10], unknown(T.DYNAMIC)),
    ("parseint", [unknown(T.NUMBER), 10], Err("first argument must be a string, not number", 0)),
    ("parseint", [null(T.STRING), 10], Err("argument must not be null", 0)),
    ("parseint", ["123456789012345678901234567890", 10], number(123456789012345678901234567890)),
    # sum
    ("sum", [[10, 13, 6, 4.5]], number(33.5)),
    ("sum", [list_of([number(1), number(2)])], number(3)),
    ("sum", [set_of([number(2), number(2), number(5)])], number(7)),
    ("sum", [["1", 2]], number(3)),
    ("sum", [[num("0.1"), num("0.2")]], num("0.1").as_num().add(num("0.2").as_num())),
    ("sum", [[]], Err("cannot sum an empty list", 0)),
    ("sum", ["x"], Err("cannot sum noniterable", 0)),
    ("sum", [{"a": 1}], Err("argument must be list, set, or tuple. Received object", 0)),
    ("sum", [[1, "a"]], Err("argument must be list, set, or tuple of number values", 0)),
    ("sum", [[1, None]], Err("argument must be list, set, or tuple of number values", 0)),
    ("sum", [[POS_INF, NEG_INF]], Err("can't compute sum of opposing infinities", None)),
    ("sum", [tuple_of([number(1), unknown(T.NUMBER)])], unknown(T.NUMBER)),
    ("sum", [unknown(T.List(T.NUMBER))], unknown(T.NUMBER)),
    ("sum", [tuple_of([number(1), number(2).with_marks({SENSITIVE})])], number(3).with_marks({SENSITIVE})),
    ("sum", [null(T.List(T.NUMBER))], Err("argument must not be null", 0)),
]


def _expected(raw: Any) -> Any:
    if isinstance(raw, Num):
        return number(raw)
    return raw


@pytest.mark.parametrize(("name", "args", "want"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_numeric(name: str, args: list[Any], want: Any) -> None:
    fn = FUNCTIONS[name]
    values = [v(a) for a in args]
    want = _expected(want)
    if isinstance(want, Err):
        with pytest.raises(FunctionError) as info:
            fn.call(values)
        assert info.value.message == want.message
        if want.arg != -1:
            assert info.value.arg == want.arg
    else:
        got = fn.call(values)
        assert got == want, (got, want)


@pytest.mark.parametrize(
    ("name", "count", "message"),
    [
        ("abs", 0, 'Function "abs" expects 1 argument. Missing value for "num".'),
        ("abs", 2, 'Function "abs" expects only 1 argument.'),
        ("pow", 1, 'Function "pow" expects 2 arguments. Missing value for "power".'),
        ("sum", 2, 'Function "sum" expects only 1 argument.'),
    ],
)
def test_arity(name: str, count: int, message: str) -> None:
    with pytest.raises(ArityError) as info:
        FUNCTIONS[name].call([number(1)] * count)
    assert info.value.message == message


def test_float_results_format_as_float64() -> None:
    got = FUNCTIONS["log"].call([number(10), number(3)])
    assert got.as_num().prec == 53
    assert got == number(math.log(10) / math.log(3))


@given(st.integers(min_value=-1000, max_value=1000), st.integers(min_value=0, max_value=30))
def test_pow_integer_powers_match_exact_when_representable(x: int, y: int) -> None:
    exact = x**y
    if abs(exact) < 2**53:
        assert go_pow(float(x), float(y)) == float(exact)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_ceil_floor_bracket(x: float) -> None:
    c = FUNCTIONS["ceil"].call([number(x)]).as_num().q
    f = FUNCTIONS["floor"].call([number(x)]).as_num().q
    assert f <= x <= c and c - f in (0, 1)


@given(st.lists(st.integers(min_value=-10**6, max_value=10**6), min_size=1, max_size=8))
def test_min_max_sum_agree_with_python(xs: list[int]) -> None:
    args = [number(x) for x in xs]
    assert FUNCTIONS["min"].call(args) == number(min(xs))
    assert FUNCTIONS["max"].call(args) == number(max(xs))
    assert FUNCTIONS["sum"].call([tuple_of(args)]).as_num().q == sum(xs)


@given(st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from([2, 8, 10, 16, 36]))
def test_parseint_round_trips(n: int, base: int) -> None:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text, m = "", abs(n)
    while True:
        text = digits[m % base] + text
        m //= base
        if m == 0:
            break
    got = FUNCTIONS["parseint"].call([string(("-" if n < 0 else "") + text), number(base)])
    assert got.as_num().q == n
