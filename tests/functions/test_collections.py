"""Collection functions against go-cty v1.13.3, go-cty-funcs and Packer: results, unknowns, nulls, marks, errors."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bake.compiler.cty import types as T
from bake.compiler.cty.numbers import Num
from bake.compiler.cty.values import (
    FALSE,
    SENSITIVE,
    TRUE,
    Value,
    boolean,
    map_of,
    null,
    number,
    object_of,
    set_of,
    string,
    tuple_of,
    unknown,
)
from bake.compiler.functions.base import ArityError, CallContext, FunctionError
from bake.compiler.functions.collections import FUNCTIONS, cty_equals, unify_unsafe

WHOLE = "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
STR, NUM, BOOL, DYN = T.STRING, T.NUMBER, T.BOOL, T.DYNAMIC
LS, LN = T.List(STR), T.List(NUM)


def n(x: int | str) -> Value:
    """A number as HCL makes it: ints at 64 bits, decimal literals parsed at 512 bits."""
    return number(Num.parse(x)) if isinstance(x, str) else number(x)


def s(x: str) -> Value:
    return string(x)


def sens(x: object) -> Value:
    return v(x).with_marks({SENSITIVE})


def v(x: object) -> Value:
    """A value from Python data, as HCL literals make it: str, int, bool, tuples for lists, objects for dicts."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool):
        return boolean(x)
    if isinstance(x, int):
        return n(x)
    if isinstance(x, str):
        return s(x)
    if x is None:
        return null()
    if isinstance(x, (list, tuple)):
        return tuple_of(v(e) for e in x)
    if isinstance(x, dict):
        return object_of({k: v(e) for k, e in x.items()})
    raise TypeError(x)


def tup(*xs: object) -> Value:
    return tuple_of(v(x) for x in xs)


def lst(ety: T.Type, *xs: object) -> Value:
    return Value(T.List(ety), tuple(v(x) for x in xs))


def sset(ety: T.Type, *xs: object) -> Value:
    return set_of([v(x) for x in xs], ety)


def mp(ety: T.Type, **kw: object) -> Value:
    return map_of({k: v(x) for k, x in kw.items()}, ety)


def obj(**kw: object) -> Value:
    return object_of({k: v(x) for k, x in kw.items()})


class Err(NamedTuple):
    message: str
    arg: int | None = None
    exact: bool = True


class Case(NamedTuple):
    fn: str
    args: list[Value]
    want: Value | Err


def conv_err(fragment: str, arg: int) -> Err:
    """A conversion error made by the shared converter: checked by fragment and argument index."""
    return Err(fragment, arg, exact=False)


NOT_NULL = "argument must not be null"
OBJ_ABC = obj(a="ay", b="bee")

CASES: list[Case] = [
    # ---------------------------------------------------------------- alltrue (Packer)
    Case("alltrue", [tup(True, True)], TRUE),
    Case("alltrue", [tup(True, False)], FALSE),
    Case("alltrue", [tup()], TRUE),
    Case("alltrue", [tup("true", True)], TRUE),
    Case("alltrue", [tup(True, unknown(BOOL))], unknown(BOOL)),
    Case("alltrue", [tup(False, unknown(BOOL))], FALSE),
    Case("alltrue", [tup(unknown(BOOL), False)], unknown(BOOL)),
    Case("alltrue", [tup(True, null(BOOL))], FALSE),
    Case("alltrue", [unknown(T.List(BOOL))], unknown(BOOL)),
    Case("alltrue", [unknown(DYN)], unknown(BOOL)),
    Case("alltrue", [sens(tup(True))], sens(TRUE)),
    Case("alltrue", [tup(sens(True), True)], sens(TRUE)),
    Case("alltrue", [null()], Err(NOT_NULL, 0)),
    Case("alltrue", [tup("a")], conv_err("a bool is required", 0)),
    Case("alltrue", [s("true")], conv_err("list of bool required", 0)),
    # ---------------------------------------------------------------- anytrue (Packer)
    Case("anytrue", [tup(True, False)], TRUE),
    Case("anytrue", [tup(False, False)], FALSE),
    Case("anytrue", [tup()], FALSE),
    Case("anytrue", [tup(unknown(BOOL), True)], TRUE),
    Case("anytrue", [tup(False, unknown(BOOL))], unknown(BOOL)),
    Case("anytrue", [tup(null(BOOL), False)], FALSE),
    Case("anytrue", [tup(null(BOOL), True)], TRUE),
    Case("anytrue", [tup(sens(False), True)], sens(TRUE)),
    # ---------------------------------------------------------------- chunklist
    Case(
        "chunklist",
        [tup("a", "b", "c", "d", "e"), n(2)],
        Value(T.List(LS), (lst(STR, "a", "b"), lst(STR, "c", "d"), lst(STR, "e"))),
    ),
    Case("chunklist", [tup("a", "b"), n(1)], Value(T.List(LS), (lst(STR, "a"), lst(STR, "b")))),
    Case("chunklist", [tup("a", "b"), n(0)], Value(T.List(LS), (lst(STR, "a", "b"),))),
    Case("chunklist", [tup("a", "b"), n(5)], Value(T.List(LS), (lst(STR, "a", "b"),))),
    Case("chunklist", [tup(), n(3)], Value(T.List(T.List(DYN)), ())),
    Case("chunklist", [tup(1, "a"), n(1)], Value(T.List(LS), (lst(STR, "1"), lst(STR, "a")))),
    Case("chunklist", [tup("a"), n(-1)], Err("the size argument must be positive")),
    Case("chunklist", [tup("a"), n("1.5")], Err(f"invalid size: {WHOLE}")),
    Case(
        "chunklist",
        [tup("a", unknown(STR)), n(1)],
        Value(T.List(LS), (lst(STR, "a"), lst(STR, unknown(STR)))),
    ),
    Case("chunklist", [unknown(LS), n(2)], unknown(T.List(LS))),
    Case("chunklist", [unknown(T.List(NUM)), n(1)], unknown(T.List(LN))),
    Case("chunklist", [tup("a"), unknown(NUM)], unknown(T.List(LS))),
    Case("chunklist", [sens(tup("a", "b")), n(2)], sens(Value(T.List(LS), (lst(STR, "a", "b"),)))),
    Case("chunklist", [tup("a"), sens(n(1))], sens(Value(T.List(LS), (lst(STR, "a"),)))),
    Case("chunklist", [tup("a"), null(NUM)], Err(NOT_NULL, 1)),
    # ---------------------------------------------------------------- coalesce (go-cty-funcs)
    Case("coalesce", [s("a"), s("b")], s("a")),
    Case("coalesce", [s(""), s("b")], s("b")),
    Case("coalesce", [n(1), n(2)], n(1)),
    Case("coalesce", [null(), s("b")], s("b")),
    Case("coalesce", [null(), s(""), s("c")], s("c")),
    Case("coalesce", [n(1), s("a")], s("1")),
    Case("coalesce", [s(""), null()], Err("no non-null, non-empty-string arguments")),
    Case("coalesce", [null(), null()], Err("no non-null, non-empty-string arguments")),
    Case("coalesce", [], Err("all arguments must have the same type")),
    Case("coalesce", [n(1), boolean(True)], Err("all arguments must have the same type")),
    Case("coalesce", [unknown(STR), s("a")], unknown(STR)),
    Case("coalesce", [s("a"), unknown(STR)], s("a")),
    Case("coalesce", [unknown(DYN), s("a")], unknown(STR)),
    Case("coalesce", [sens(s("a")), s("b")], sens(s("a"))),
    Case("coalesce", [s("a"), sens(s("b"))], sens(s("a"))),
    Case("coalesce", [tup("a"), tup("b")], tup("a")),
    Case("coalesce", [tup(), tup("b")], Value(LS, ())),
    # ---------------------------------------------------------------- coalescelist
    Case("coalescelist", [tup("a", "b"), tup("c", "d")], tup("a", "b")),
    Case("coalescelist", [tup(), tup("c", "d")], tup("c", "d")),
    Case("coalescelist", [null(LS), tup("a")], tup("a")),
    Case("coalescelist", [lst(STR, "a"), lst(STR)], lst(STR, "a")),
    Case("coalescelist", [tup("a"), unknown(LS)], tup("a")),
    Case("coalescelist", [unknown(LS), tup("a")], unknown(DYN)),
    Case("coalescelist", [tup(), unknown(LS)], unknown(DYN)),
    Case("coalescelist", [lst(STR), unknown(LS)], unknown(DYN)),
    Case("coalescelist", [null(), tup("a")], Err("coalescelist arguments must be lists or tuples")),
    Case("coalescelist", [s("a")], Err("coalescelist arguments must be lists or tuples")),
    Case("coalescelist", [tup(), tup()], Err("no non-null arguments")),
    Case("coalescelist", [], Err("at least one argument is required")),
    Case("coalescelist", [sens(tup()), tup("a")], sens(tup("a"))),
    # ---------------------------------------------------------------- compact
    Case("compact", [tup("a", "", "b", "c")], lst(STR, "a", "b", "c")),
    Case("compact", [tup()], lst(STR)),
    Case("compact", [tup("", "")], lst(STR)),
    Case("compact", [tup("a", null())], lst(STR, "a")),
    Case("compact", [tup(1, "a")], lst(STR, "1", "a")),
    Case("compact", [tup("a", unknown(STR))], unknown(LS)),
    Case("compact", [unknown(LS)], unknown(LS)),
    Case("compact", [sens(tup("a", ""))], sens(lst(STR, "a"))),
    Case("compact", [tup("a", sens(s("")))], sens(lst(STR, "a"))),
    Case("compact", [tup(tup("a"))], conv_err("string required", 0)),
    # ---------------------------------------------------------------- concat
    Case("concat", [tup("a", ""), tup("b", "c")], tup("a", "", "b", "c")),
    Case("concat", [lst(STR, "a"), lst(STR, "b")], lst(STR, "a", "b")),
    Case("concat", [lst(STR, "a"), lst(NUM, 1)], lst(STR, "a", "1")),
    Case("concat", [lst(STR, "a"), tup("b", 1)], tup("a", "b", 1)),
    Case("concat", [tup(1), lst(STR, "a")], tup(1, "a")),
    Case("concat", [tup(), tup()], tup()),
    Case("concat", [lst(STR)], lst(STR)),
    Case("concat", [], Err("at least one argument is required")),
    Case("concat", [tup("a"), s("b")], Err("all arguments must be lists or tuples; got string", 1)),
    Case("concat", [tup("a"), sset(STR, "b")], Err("all arguments must be lists or tuples; got set of string", 1)),
    Case("concat", [null(LS), tup("a")], Err(NOT_NULL, 0)),
    Case("concat", [unknown(LS), lst(STR, "a")], unknown(LS)),
    Case("concat", [unknown(LS), tup("a")], unknown(DYN)),
    Case("concat", [tup("a"), unknown(T.Tuple((STR,)))], unknown(T.Tuple((STR, STR)))),
    Case("concat", [unknown(DYN), tup("a")], unknown(DYN)),
    Case("concat", [sens(lst(STR, "a")), lst(STR, "b")], sens(lst(STR, "a", "b"))),
    Case("concat", [sens(tup("a")), tup("b")], sens(tup("a", "b"))),
    Case("concat", [tup(sens(s("a"))), tup("b")], tup(sens(s("a")), "b")),
    Case("concat", [tup("a", unknown(STR)), tup("b")], tup("a", unknown(STR), "b")),
    # ---------------------------------------------------------------- contains
    Case("contains", [tup("a", "b", "c"), s("a")], TRUE),
    Case("contains", [tup("a", "b", "c"), s("d")], FALSE),
    Case("contains", [tup(1, 2, 3), n(2)], TRUE),
    Case("contains", [tup(1, 2), n("2.0")], TRUE),
    Case("contains", [tup("1"), n(1)], FALSE),
    Case("contains", [lst(STR, "1"), n(1)], FALSE),
    Case("contains", [tup(), s("a")], FALSE),
    Case("contains", [sset(STR, "a", "b"), s("b")], TRUE),
    Case("contains", [tup("a", unknown(STR)), s("b")], unknown(BOOL)),
    Case("contains", [tup("a", unknown(STR)), s("a")], TRUE),
    Case("contains", [tup(unknown(NUM)), s("a")], FALSE),
    Case("contains", [unknown(LS), s("a")], unknown(BOOL)),
    Case("contains", [tup("a"), unknown(STR)], unknown(BOOL)),
    Case("contains", [unknown(DYN), s("a")], unknown(DYN)),
    Case("contains", [tup(tup(1, 2)), tup(1, 2)], TRUE),
    Case("contains", [tup(obj(a=1)), obj(a=1)], TRUE),
    Case("contains", [tup(obj(a=1)), obj(a=2)], FALSE),
    Case("contains", [tup(null(STR), "a"), s("a")], TRUE),
    Case("contains", [tup(sens(s("a"))), s("a")], sens(TRUE)),
    Case("contains", [obj(a=1), n(1)], Err("argument must be list, tuple, or set")),
    Case("contains", [s("abc"), s("a")], Err("argument must be list, tuple, or set")),
    Case("contains", [null(), s("a")], Err(NOT_NULL, 0)),
    Case("contains", [tup("a"), null()], Err(NOT_NULL, 1)),
    # ---------------------------------------------------------------- distinct
    Case("distinct", [tup("a", "b", "a", "c", "d", "b")], lst(STR, "a", "b", "c", "d")),
    Case("distinct", [tup()], Value(T.List(DYN), ())),
    Case("distinct", [tup(1, "1")], lst(STR, "1")),
    Case("distinct", [tup(tup(1), tup(1), tup(2))], lst(T.Tuple((NUM,)), tup(1), tup(2))),
    Case("distinct", [tup("a", unknown(STR))], unknown(LS)),
    Case("distinct", [unknown(LN)], unknown(LN)),
    Case("distinct", [sens(tup("a", "a"))], sens(lst(STR, "a"))),
    Case("distinct", [tup(sens(s("a")), "a")], sens(lst(STR, "a"))),
    Case("distinct", [s("a")], conv_err("list of dynamic required", 0)),
    # ---------------------------------------------------------------- element
    Case("element", [tup("a", "b", "c"), n(1)], s("b")),
    Case("element", [tup("a", "b", "c"), n(3)], s("a")),
    Case("element", [tup("a", "b", "c"), n(5)], s("c")),
    Case("element", [tup("a", 1), n(1)], n(1)),
    Case("element", [lst(STR, "a", "b"), n(0)], s("a")),
    Case("element", [tup("a"), s("1")], s("a")),
    Case("element", [tup("a"), n(-1)], Err("cannot use element function with a negative index")),
    Case("element", [unknown(LS), n(-1)], Err("cannot use element function with a negative index")),
    Case("element", [tup(), n(0)], Err("cannot use element function with an empty list")),
    Case("element", [lst(STR), n(0)], Err("cannot use element function with an empty list")),
    Case("element", [tup("a"), n("1.5")], Err(f"invalid index: {WHOLE}")),
    Case("element", [lst(STR, "a"), n("1.5")], Err(f"invalid index: {WHOLE}")),
    Case("element", [obj(a="b"), n(0)], Err("cannot read elements from object")),
    Case("element", [sset(STR, "a"), n(0)], Err("cannot read elements from set of string")),
    Case("element", [s("abc"), n(0)], Err("cannot read elements from string")),
    Case("element", [tup("a", 1), unknown(NUM)], unknown(DYN)),
    Case("element", [lst(STR, "a"), unknown(NUM)], unknown(STR)),
    Case("element", [unknown(LS), n(0)], unknown(STR)),
    Case("element", [sens(tup("a", "b")), n(1)], sens(s("b"))),
    Case("element", [tup(sens(s("a")), "b"), n(0)], sens(s("a"))),
    Case("element", [tup("a"), sens(n(0))], sens(s("a"))),
    # ---------------------------------------------------------------- flatten
    Case("flatten", [tup(tup("a", "b"), tup(), tup("c"))], tup("a", "b", "c")),
    Case("flatten", [tup(tup(tup("a", "b"), tup()), tup("c"))], tup("a", "b", "c")),
    Case("flatten", [tup()], tup()),
    Case("flatten", [lst(STR)], tup()),
    Case("flatten", [Value(T.List(LS), (lst(STR, "a"), lst(STR, "b")))], tup("a", "b")),
    Case("flatten", [tup("a", tup("b"))], tup("a", "b")),
    Case("flatten", [set_of([lst(STR, "b", "a")], LS)], tup("b", "a")),
    Case("flatten", [tup(sset(STR, "b", "a"), tup("c"))], tup("a", "b", "c")),
    Case("flatten", [tup(null(LS), tup("a"))], tup(null(LS), "a")),
    Case("flatten", [tup(tup("a", unknown(STR)))], tup("a", unknown(STR))),
    Case("flatten", [tup(unknown(LS))], unknown(DYN)),
    Case("flatten", [unknown(T.List(LS))], unknown(DYN)),
    Case("flatten", [sens(tup(tup("a")))], sens(tup("a"))),
    Case("flatten", [tup(sens(tup("a")), tup("b"))], sens(tup("a", "b"))),
    Case("flatten", [tup(tup(sens(s("a"))))], tup(sens(s("a")))),
    Case("flatten", [s("abc")], Err("can only flatten lists, sets and tuples")),
    Case("flatten", [obj(a=1)], Err("can only flatten lists, sets and tuples")),
    # ---------------------------------------------------------------- index (Packer)
    Case("index", [tup("a", "b", "c"), s("b")], n(1)),
    Case("index", [lst(STR, "a", "b"), s("a")], n(0)),
    Case("index", [tup(1, 2, 3), n(2)], n(1)),
    Case("index", [tup("a", unknown(STR)), s("a")], n(0)),
    Case("index", [tup(unknown(STR), "a"), s("a")], unknown(NUM)),
    Case("index", [unknown(LS), s("a")], unknown(NUM)),
    Case("index", [unknown(DYN), s("a")], unknown(DYN)),
    Case("index", [tup(sens(s("a")), "b"), s("b")], sens(n(1))),
    Case("index", [tup("a"), s("z")], Err("item not found")),
    Case("index", [tup("1"), n(1)], Err("item not found")),
    Case("index", [tup(), s("a")], Err("cannot search an empty list")),
    Case("index", [sset(STR, "a"), s("a")], Err("argument must be a list or tuple")),
    Case("index", [null(), s("a")], Err(NOT_NULL, 0)),
    # ---------------------------------------------------------------- keys
    Case("keys", [obj(a=1, c=2, d=3)], tup("a", "c", "d")),
    Case("keys", [mp(NUM, b=2, a=1)], lst(STR, "a", "b")),
    Case("keys", [obj()], tup()),
    Case("keys", [mp(STR)], lst(STR)),
    Case("keys", [unknown(T.object_of({"b": STR, "a": NUM}))], tup("a", "b")),
    Case("keys", [unknown(T.Map(STR))], unknown(LS)),
    Case("keys", [sens(obj(a=1))], sens(tup("a"))),
    Case("keys", [obj(a=sens(n(1)))], tup("a")),
    Case("keys", [sens(unknown(T.Map(STR)))], sens(unknown(LS))),
    Case("keys", [unknown(DYN)], unknown(DYN)),
    Case("keys", [tup("a")], Err("must have map or object type", 0)),
    Case("keys", [null()], Err(NOT_NULL, 0)),
    # ---------------------------------------------------------------- length (Packer)
    Case("length", [tup()], n(0)),
    Case("length", [tup("a", "b")], n(2)),
    Case("length", [obj(a=1)], n(1)),
    Case("length", [lst(BOOL, unknown(BOOL))], n(1)),
    Case("length", [sset(NUM, 1, 2, 1)], n(2)),
    Case("length", [mp(BOOL, hello=True)], n(1)),
    Case("length", [s("hello")], n(5)),
    Case("length", [s("")], n(0)),
    Case("length", [s("Живой Журнал")], n(12)),
    Case("length", [s("noe\u0308l")], n(4)),
    Case("length", [s("we\u0301\u0301\u0301e\u0301\u0301\u0301e\u0301\u0301\u0301!")], n(5)),
    Case("length", [s("😸😾")], n(2)),
    Case("length", [s("\u0e14\u0e33")], n(1)),
    Case("length", [s("👾🕹️")], n(2)),
    Case("length", [unknown(T.Tuple((STR, STR)))], n(2)),
    Case("length", [unknown(T.object_of({"a": STR}))], n(1)),
    Case("length", [unknown(LS)], unknown(NUM)),
    Case("length", [unknown(DYN)], unknown(NUM)),
    Case("length", [unknown(STR)], unknown(NUM)),
    Case("length", [set_of([unknown(STR), unknown(STR)], STR)], unknown(NUM)),
    Case("length", [set_of([unknown(STR)], STR)], n(1)),
    Case("length", [sens(s("abc"))], sens(n(3))),
    Case("length", [tup("a", sens(s("b")))], sens(n(2))),
    Case("length", [n(1)], Err("argument must be a string, a collection type, or a structural type")),
    Case("length", [boolean(True)], Err("argument must be a string, a collection type, or a structural type")),
    Case("length", [null()], Err(NOT_NULL, 0)),
    # ---------------------------------------------------------------- lookup
    Case("lookup", [OBJ_ABC, s("a"), s("what?")], s("ay")),
    Case("lookup", [OBJ_ABC, s("c"), s("what?")], s("what?")),
    Case("lookup", [obj(a=1, b="x"), s("a"), s("z")], n(1)),
    Case("lookup", [obj(a=1), s("b"), tup("x")], tup("x")),
    Case("lookup", [mp(STR, a="ay"), s("a"), n(1)], s("ay")),
    Case("lookup", [mp(STR, a="ay"), s("c"), n(1)], s("1")),
    Case("lookup", [mp(STR, a="ay"), n(1), s("y")], s("y")),
    Case(
        "lookup",
        [mp(STR, a="ay"), s("c"), tup(1)],
        Err("the default value must have the same type as the map elements", 2),
    ),
    Case("lookup", [s("abc"), s("a"), s("b")], Err("lookup() requires a map as the first argument", 0)),
    Case("lookup", [tup("a"), s("a"), s("b")], Err("lookup() requires a map as the first argument", 0)),
    Case("lookup", [mp(STR, a="x"), s("a"), null()], Err(NOT_NULL, 2)),
    Case("lookup", [mp(STR, a="x"), null(), s("a")], Err(NOT_NULL, 1)),
    Case("lookup", [OBJ_ABC, unknown(STR), s("x")], unknown(DYN)),
    Case("lookup", [mp(STR, a="x"), unknown(STR), s("y")], unknown(STR)),
    Case("lookup", [obj(a=unknown(STR)), s("a"), s("x")], unknown(STR)),
    Case("lookup", [unknown(T.Map(NUM)), s("a"), n(1)], unknown(NUM)),
    Case("lookup", [sens(mp(STR, a="x")), s("a"), s("y")], sens(s("x"))),
    Case("lookup", [mp(STR, a="x"), sens(s("a")), s("y")], sens(s("x"))),
    Case("lookup", [mp(STR, a="x"), s("b"), sens(s("y"))], sens(s("y"))),
    Case("lookup", [mp(STR, a="x"), sens(unknown(STR)), s("y")], unknown(STR)),
    # ---------------------------------------------------------------- merge
    Case("merge", [obj(a="b", c="d"), obj(e="f", c="z")], obj(a="b", c="z", e="f")),
    Case("merge", [mp(STR, a="b"), mp(STR, c="d")], mp(STR, a="b", c="d")),
    Case("merge", [mp(STR, a="b", c="d"), mp(STR, a="x")], mp(STR, a="x", c="d")),
    Case("merge", [mp(STR, a="b"), mp(NUM, c=1)], obj(a="b", c=1)),
    Case("merge", [mp(LS, a=lst(STR, "b")), obj(d=2)], obj(a=lst(STR, "b"), d=2)),
    Case("merge", [obj(a=tup("b"), b="b"), obj(a=obj(e="f"))], obj(a=obj(e="f"), b="b")),
    Case("merge", [], obj()),
    Case("merge", [mp(STR)], mp(STR)),
    Case("merge", [mp(STR), mp(STR)], mp(STR)),
    Case("merge", [null(T.Map(STR)), mp(STR, c="d")], mp(STR, c="d")),
    Case("merge", [null(T.Map(STR)), null(T.object_of({"a": LS}))], obj()),
    Case("merge", [mp(STR, c="d"), null(T.object_of({"a": LS}))], obj(c="d")),
    Case("merge", [null(), obj(a=1)], obj(a=1)),
    Case("merge", [mp(STR, a=unknown(STR)), mp(STR, c="d")], mp(STR, a=unknown(STR), c="d")),
    Case("merge", [mp(STR, c="d"), unknown(T.Map(STR))], unknown(T.Map(STR))),
    Case("merge", [obj(a=1), unknown(T.Map(STR))], unknown(DYN)),
    Case("merge", [unknown(T.object_of({"a": STR})), obj(b=1)], unknown(T.object_of({"a": STR, "b": NUM}))),
    Case("merge", [unknown(DYN), mp(STR, c="d")], unknown(DYN)),
    Case("merge", [sens(obj(a=1)), obj(b=2)], sens(obj(a=1, b=2))),
    Case("merge", [obj(a=sens(s("x")))], obj(a=sens(s("x")))),
    Case("merge", [s("a")], Err('arguments must be maps or objects, got "string"')),
    Case("merge", [mp(STR, a="b"), tup("a")], Err('arguments must be maps or objects, got "tuple"')),
    Case("merge", [mp(STR, a="b"), lst(STR, "a")], Err('arguments must be maps or objects, got "list of string"')),
    # ---------------------------------------------------------------- range
    Case("range", [n(3)], lst(NUM, 0, 1, 2)),
    Case("range", [n(-3)], lst(NUM, 0, -1, -2)),
    Case("range", [n(0)], lst(NUM)),
    Case("range", [n(1)], lst(NUM, 0)),
    Case("range", [n("5.5")], lst(NUM, 0, 1, 2, 3, 4, 5)),
    Case("range", [n(1), n(4)], lst(NUM, 1, 2, 3)),
    Case("range", [n(4), n(1)], lst(NUM, 4, 3, 2)),
    Case("range", [n(1), n(1)], lst(NUM)),
    Case("range", [n("1.5"), n(5)], lst(NUM, n("1.5"), n("2.5"), n("3.5"), n("4.5"))),
    Case("range", [n(1), n(8), n(2)], lst(NUM, 1, 3, 5, 7)),
    Case("range", [n(1), n(4), n("0.5")], lst(NUM, 1, n("1.5"), 2, n("2.5"), 3, n("3.5"))),
    Case("range", [n(10), n(5), n(-2)], lst(NUM, 10, 8, 6)),
    Case("range", [n(0), n(1), n(1)], lst(NUM, 0)),
    Case("range", [n(5), n(5), n(0)], lst(NUM)),
    Case("range", [s("3")], lst(NUM, 0, 1, 2)),
    Case(
        "range",
        [n(0), n(10), n(0)],
        Err(
            "more than 1024 values were generated; either decrease the difference between start and end "
            "or use a smaller step"
        ),
    ),
    Case("range", [n(1025)], Err("more than 1024 values were generated", exact=False)),
    Case("range", [n(10), n(0), n(0)], Err("end must be greater than start when step is positive", 1)),
    Case("range", [n(5), n(0), n(1)], Err("end must be greater than start when step is positive", 1)),
    Case("range", [n(0), n(5), n(-1)], Err("end must be less than start when step is negative", 1)),
    Case("range", [], Err("must have one, two, or three arguments")),
    Case("range", [n(1), n(2), n(3), n(4)], Err("must have one, two, or three arguments")),
    Case("range", [unknown(NUM)], unknown(LN)),
    Case("range", [sens(n(2))], sens(lst(NUM, 0, 1))),
    Case("range", [null(NUM)], Err(NOT_NULL, 0)),
    Case("range", [s("a")], conv_err("a number is required", 0)),
    # ---------------------------------------------------------------- reverse
    Case("reverse", [tup(1, 2, 3)], tup(3, 2, 1)),
    Case("reverse", [tup("a", 1)], tup(1, "a")),
    Case("reverse", [lst(STR, "a", "b")], lst(STR, "b", "a")),
    Case("reverse", [sset(STR, "b", "a")], lst(STR, "b", "a")),
    Case("reverse", [tup()], tup()),
    Case("reverse", [lst(STR)], lst(STR)),
    Case("reverse", [unknown(LS)], unknown(LS)),
    Case("reverse", [unknown(T.Tuple((STR, NUM)))], unknown(T.Tuple((NUM, STR)))),
    Case("reverse", [sens(lst(STR, "a", "b"))], sens(lst(STR, "b", "a"))),
    Case("reverse", [s("abc")], Err("can only reverse list or tuple values, not string", 0)),
    Case("reverse", [obj(a=1)], Err("can only reverse list or tuple values, not object", 0)),
    # ---------------------------------------------------------------- setintersection
    Case("setintersection", [tup("a", "b"), tup("b", "c"), tup("b", "d")], sset(STR, "b")),
    Case("setintersection", [tup("a", "b"), tup("c")], sset(STR)),
    Case("setintersection", [tup("b", "a")], sset(STR, "a", "b")),
    Case("setintersection", [tup(1, 2), tup("1")], sset(STR, "1")),
    Case("setintersection", [tup(), tup("a")], sset(STR)),
    Case("setintersection", [tup(), tup()], Value(T.Set(DYN), ())),
    Case("setintersection", [tup("a", unknown(STR)), tup("a")], unknown(T.Set(STR))),
    Case("setintersection", [unknown(T.Set(STR)), tup("a")], unknown(T.Set(STR))),
    Case("setintersection", [sens(tup("a")), tup("a")], sens(sset(STR, "a"))),
    Case("setintersection", [tup(tup(1)), tup("a")], Err("given sets must all have compatible element types")),
    Case("setintersection", [tup("a"), tup(1, tup())], conv_err("element", 1)),
    Case("setintersection", [null()], Err(NOT_NULL, 0)),
    Case("setintersection", [s("a")], conv_err("set of dynamic required", 0)),
    # ---------------------------------------------------------------- setunion
    Case("setunion", [tup("a", "b"), tup("b", "c"), tup("d")], sset(STR, "a", "b", "c", "d")),
    Case("setunion", [tup("a"), tup(1)], sset(STR, "1", "a")),
    Case("setunion", [tup(), tup()], Value(T.Set(DYN), ())),
    Case("setunion", [tup(), tup("a")], sset(STR, "a")),
    Case("setunion", [tup("a", unknown(STR)), tup("b")], set_of([s("a"), s("b"), unknown(STR)], STR)),
    Case("setunion", [unknown(T.Set(STR)), tup("a")], unknown(T.Set(STR))),
    Case("setunion", [unknown(T.Tuple((STR, STR))), tup("a")], unknown(T.Set(STR))),
    Case("setunion", [unknown(T.Tuple((NUM,))), tup()], unknown(T.Set(NUM))),
    Case("setunion", [tup("a"), sens(tup("b"))], sens(sset(STR, "a", "b"))),
    Case("setunion", [tup(tup(1)), tup("a")], Err("given sets must all have compatible element types")),
    # ---------------------------------------------------------------- setproduct
    Case(
        "setproduct",
        [tup("development", "staging"), tup("app1", "app2")],
        lst(
            T.Tuple((STR, STR)),
            tup("development", "app1"),
            tup("development", "app2"),
            tup("staging", "app1"),
            tup("staging", "app2"),
        ),
    ),
    Case(
        "setproduct",
        [sset(STR, "b", "a"), tup("x")],
        sset(T.Tuple((STR, STR)), tup("a", "x"), tup("b", "x")),
    ),
    Case("setproduct", [lst(NUM, 1), lst(BOOL, True)], lst(T.Tuple((NUM, BOOL)), tup(1, True))),
    Case("setproduct", [tup(1, "a"), tup("b")], lst(T.Tuple((STR, STR)), tup("1", "b"), tup("a", "b"))),
    Case("setproduct", [tup(), tup("a")], Value(T.List(T.Tuple((DYN, STR))), ())),
    Case("setproduct", [sset(STR), tup("a")], Value(T.Set(T.Tuple((STR, STR))), ())),
    Case("setproduct", [tup("a")], Err("at least two arguments are required")),
    Case("setproduct", [tup("a"), s("b")], Err("a set or a list is required", 1)),
    Case("setproduct", [tup("a", tup(1)), tup("b")], Err("all elements must be of the same type", 0)),
    Case("setproduct", [unknown(LS), tup("a")], unknown(T.List(T.Tuple((STR, STR))))),
    Case(
        "setproduct",
        [set_of([unknown(STR), unknown(STR)], STR), tup("a")],
        unknown(T.Set(T.Tuple((STR, STR)))),
    ),
    Case("setproduct", [sens(tup("a")), tup("b")], sens(lst(T.Tuple((STR, STR)), tup("a", "b")))),
    Case("setproduct", [unknown(DYN), tup("a")], unknown(DYN)),
    Case("setproduct", [null(), tup("a")], Err(NOT_NULL, 0)),
    # ---------------------------------------------------------------- slice
    Case("slice", [tup("a", "b", "c", "d"), n(1), n(3)], tup("b", "c")),
    Case("slice", [lst(STR, "a", "b", "c", "d"), n(1), n(3)], lst(STR, "b", "c")),
    Case("slice", [lst(STR, "a", "b"), n(1), n(1)], lst(STR)),
    Case("slice", [tup("a", 1), n(2), n(2)], tup()),
    Case("slice", [tup("a", 1, True), n(1), n(3)], tup(1, True)),
    Case("slice", [tup("a"), n(0), n(1)], tup("a")),
    Case(
        "slice",
        [sset(STR, "a"), n(0), n(1)],
        Err(
            "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the "
            "ordering of the result is not important",
            0,
        ),
    ),
    Case("slice", [s("abc"), n(0), n(1)], Err("must be a list or tuple value", 0)),
    Case("slice", [tup("a"), n(-1), n(1)], Err("start index must not be less than zero", 1)),
    Case("slice", [tup("a"), n(2), n(2)], Err("start index must not be greater than the length of the list", 1)),
    Case("slice", [tup("a"), n(0), n(2)], Err("end index must not be greater than the length of the list", 2)),
    Case("slice", [tup("a"), n(0), n(-1)], Err("end index must not be less than zero", 2)),
    Case("slice", [tup("a", "b"), n(2), n(1)], Err("start index must not be greater than end index", 1)),
    Case("slice", [tup("a"), n("0.5"), n(1)], Err(f"invalid start index: {WHOLE}", 1)),
    Case("slice", [tup("a"), n(0), n("0.5")], Err(f"invalid end index: {WHOLE}", 2)),
    Case("slice", [tup("a", "b"), unknown(NUM), n(1)], unknown(DYN)),
    Case("slice", [lst(STR, "a", "b"), unknown(NUM), n(1)], unknown(LS)),
    Case("slice", [unknown(LS), n(2), n(1)], Err("start index must not be greater than end index", 1)),
    Case("slice", [unknown(LS), n(0), n(5)], unknown(LS)),
    Case("slice", [sens(lst(STR, "a", "b")), n(0), n(1)], sens(lst(STR, "a"))),
    Case("slice", [tup("a", "b"), sens(n(1)), n(2)], sens(tup("b"))),
    # ---------------------------------------------------------------- sort
    Case("sort", [tup("e", "d", "a", "x")], lst(STR, "a", "d", "e", "x")),
    Case("sort", [tup()], lst(STR)),
    Case("sort", [tup("b", 1, "a")], lst(STR, "1", "a", "b")),
    Case("sort", [tup("é", "z", "a", "Z")], lst(STR, "Z", "a", "z", "é")),
    Case("sort", [tup("10", "9", "1")], lst(STR, "1", "10", "9")),
    Case("sort", [tup("a", unknown(STR))], unknown(LS)),
    Case("sort", [unknown(LS)], unknown(LS)),
    Case("sort", [tup("a", null())], Err("given list element 1 is null; a null string cannot be sorted")),
    Case("sort", [sens(tup("b", "a"))], sens(lst(STR, "a", "b"))),
    Case("sort", [tup(sens(s("b")), "a")], sens(lst(STR, "a", "b"))),
    # ---------------------------------------------------------------- values
    Case("values", [obj(a=3, c=2, d=1)], tup(3, 2, 1)),
    Case("values", [obj(b="x", a=1)], tup(1, "x")),
    Case("values", [mp(STR, b="y", a="x")], lst(STR, "x", "y")),
    Case("values", [obj()], tup()),
    Case("values", [mp(STR)], lst(STR)),
    Case("values", [unknown(T.Map(STR))], unknown(LS)),
    Case("values", [unknown(T.object_of({"b": NUM, "a": STR}))], unknown(T.Tuple((STR, NUM)))),
    Case("values", [sens(mp(STR, a="x"))], sens(lst(STR, "x"))),
    Case("values", [obj(a=sens(n(1)))], tup(sens(n(1)))),
    Case("values", [tup("a")], Err("values() requires a map as the first argument")),
    # ---------------------------------------------------------------- zipmap
    Case("zipmap", [tup("a", "b"), tup(1, 2)], obj(a=1, b=2)),
    Case("zipmap", [tup("a", "b"), lst(NUM, 1, 2)], mp(NUM, a=1, b=2)),
    Case("zipmap", [tup("a", "b"), tup(1, "x")], obj(a=1, b="x")),
    Case("zipmap", [tup(), tup()], obj()),
    Case("zipmap", [tup(), lst(STR)], mp(STR)),
    Case("zipmap", [tup("a", "a"), tup(1, 2)], obj(a=2)),
    Case("zipmap", [tup(1, 2), tup("a", "b")], object_of({"1": s("a"), "2": s("b")})),
    Case("zipmap", [tup("a", "b"), tup(1)], Err("number of keys (2) does not match number of values (1)")),
    Case("zipmap", [tup("a", "b"), lst(NUM, 1)], Err("number of keys (2) does not match number of values (1)")),
    Case("zipmap", [tup("a"), s("b")], Err("values argument must be a list or tuple value")),
    Case("zipmap", [tup("a"), sset(NUM, 1)], Err("values argument must be a list or tuple value")),
    Case("zipmap", [tup(null()), tup(1)], Err("keys list has null value at index 0")),
    Case("zipmap", [tup(unknown(STR)), tup(1)], unknown(DYN)),
    Case("zipmap", [tup(unknown(STR)), lst(NUM, 1)], unknown(T.Map(NUM))),
    Case("zipmap", [unknown(LS), lst(NUM, 1)], unknown(T.Map(NUM))),
    Case("zipmap", [sens(tup("a")), tup(1)], sens(obj(a=1))),
    Case("zipmap", [tup(sens(s("a"))), tup(1)], sens(obj(a=1))),
    Case("zipmap", [tup("a"), tup(sens(n(1)))], obj(a=sens(n(1)))),
    Case("zipmap", [null(), tup(1)], Err(NOT_NULL, 0)),
]


def _id(case: Case) -> str:
    return f"{case.fn}({', '.join(repr(a) for a in case.args)})"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_call(case: Case) -> None:
    fn = FUNCTIONS[case.fn]
    if isinstance(case.want, Err):
        with pytest.raises(FunctionError) as info:
            fn.call(case.args, CallContext())
        err = info.value
        if case.want.exact:
            assert err.message == case.want.message
        else:
            assert case.want.message in err.message
        assert err.arg == case.want.arg
    else:
        got = fn.call(case.args, CallContext())
        assert got == case.want, f"got {got!r}, want {case.want!r}"


def test_range_limit_is_inclusive() -> None:
    got = FUNCTIONS["range"].call([n(1024)])
    assert len(got.elements()) == 1024
    assert got.elements()[-1] == n(1023)


def test_range_fraction_accumulates_at_parse_precision() -> None:
    # 0.1 parsed at 512 bits, added up ten times, stays below 1: eleven values, as go-cty gives
    got = FUNCTIONS["range"].call([n(0), n(1), n("0.1")])
    assert len(got.elements()) in (10, 11)
    assert got.elements()[1] == n("0.1")


@pytest.mark.parametrize(
    ("name", "args", "message", "too_many"),
    [
        ("alltrue", [], 'Function "alltrue" expects 1 argument. Missing value for "list".', False),
        ("alltrue", [tup(), tup()], 'Function "alltrue" expects only 1 argument.', True),
        ("element", [tup("a")], 'Function "element" expects 2 arguments. Missing value for "index".', False),
        ("slice", [tup("a"), n(0)], 'Function "slice" expects 3 arguments. Missing value for "end_index".', False),
        ("lookup", [OBJ_ABC, s("a")], 'Function "lookup" expects 3 arguments. Missing value for "default".', False),
        ("keys", [obj(), obj()], 'Function "keys" expects only 1 argument.', True),
        ("zipmap", [tup(), tup(), tup()], 'Function "zipmap" expects only 2 arguments.', True),
        (
            "setunion",
            [],
            'Function "setunion" expects at least 1 argument. Missing value for "first_set".',
            False,
        ),
    ],
)
def test_arity(name: str, args: list[Value], message: str, too_many: bool) -> None:
    with pytest.raises(ArityError) as info:
        FUNCTIONS[name].call(args)
    assert info.value.message == message
    assert info.value.too_many is too_many


def test_registry() -> None:
    assert sorted(FUNCTIONS) == sorted(
        [
            "alltrue",
            "anytrue",
            "chunklist",
            "coalesce",
            "coalescelist",
            "compact",
            "concat",
            "contains",
            "distinct",
            "element",
            "flatten",
            "index",
            "keys",
            "length",
            "lookup",
            "merge",
            "range",
            "reverse",
            "setintersection",
            "setproduct",
            "setunion",
            "slice",
            "sort",
            "values",
            "zipmap",
        ]
    )


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        (s("a"), s("a"), True),
        (s("a"), n(1), False),
        (n(1), n("1.0"), True),
        (null(), null(STR), True),
        (null(STR), s("a"), False),
        (unknown(STR), s("a"), None),
        (unknown(STR), n(1), False),
        (null(), unknown(STR), None),
        (unknown(DYN), n(1), None),
        (tup("a", unknown(STR)), tup("b", "c"), False),
        (tup(unknown(STR), "a"), tup("b", "c"), None),
        (lst(STR, "a"), lst(STR, "a", "b"), False),
        (mp(STR, a="x"), mp(STR, b="x"), False),
        (sset(STR, "a", "b"), sset(STR, "b", "a"), True),
        (sset(STR, "a"), set_of([unknown(STR)], STR), None),
        (tup(unknown(DYN)), tup("a", "b"), False),
    ],
)
def test_cty_equals(a: Value, b: Value, want: bool | None) -> None:
    assert cty_equals(a, b) is want
    assert cty_equals(b, a) is want


@pytest.mark.parametrize(
    ("types", "want"),
    [
        ([], None),
        ([STR, DYN], STR),
        ([DYN, NUM], NUM),
        ([DYN, DYN], DYN),
        ([STR, NUM, DYN], STR),
        ([LS, DYN], DYN),
        ([NUM, BOOL], None),
        ([LS, T.List(NUM)], LS),
    ],
)
def test_unify_unsafe(types: list[T.Type], want: T.Type | None) -> None:
    assert unify_unsafe(types) == want


# ---------------------------------------------------------------- properties

words = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "é", "10", "9"]), max_size=8)
small_ints = st.lists(st.integers(min_value=-5, max_value=5), max_size=8)


def call(name: str, *args: Value) -> Value:
    return FUNCTIONS[name].call(list(args))


@given(words, words)
def test_set_operations_are_order_independent(a: list[str], b: list[str]) -> None:
    ta, tb = tup(*a), tup(*b)
    assert call("setunion", ta, tb) == call("setunion", tb, ta)
    assert call("setintersection", ta, tb) == call("setintersection", tb, ta)
    assert call("setunion", ta, tup(*reversed(a))) == call("setunion", ta)


@given(words, words)
def test_set_operations_match_python_sets(a: list[str], b: list[str]) -> None:
    union = call("setunion", tup(*a), tup(*b))
    inter = call("setintersection", tup(*a), tup(*b))
    assert {e.as_string() for e in union.elements()} == set(a) | set(b)
    assert {e.as_string() for e in inter.elements()} == set(a) & set(b)
    assert call("setintersection", tup(*a), union) == call("setunion", tup(*a)) if a else True


@given(words)
def test_distinct_is_idempotent(a: list[str]) -> None:
    once = call("distinct", tup(*a))
    assert call("distinct", once) == once
    assert [e.as_string() for e in once.elements()] == list(dict.fromkeys(a))


@given(small_ints)
def test_reverse_twice_is_identity(a: list[int]) -> None:
    t = tup(*a)
    assert call("reverse", call("reverse", t)) == t
    lnum = lst(NUM, *a)
    assert call("reverse", call("reverse", lnum)) == lnum


@given(words, small_ints)
def test_concat_length(a: list[str], b: list[int]) -> None:
    joined = call("concat", tup(*a), tup(*b))
    assert call("length", joined) == n(len(a) + len(b))
    assert call("slice", joined, n(0), n(len(a))) == tup(*a)


@given(words, st.integers(min_value=1, max_value=5))
def test_flatten_undoes_chunklist(a: list[str], size: int) -> None:
    chunks = call("chunklist", tup(*a), n(size))
    assert all(len(c.elements()) <= size for c in chunks.elements())
    assert call("flatten", chunks) == tup(*a)


@given(words)
def test_sort_is_sorted_permutation(a: list[str]) -> None:
    got = call("sort", tup(*a))
    strs = [e.as_string() for e in got.elements()]
    assert strs == sorted(a, key=lambda x: x.encode())
    assert call("sort", got) == got


@given(st.dictionaries(st.sampled_from(["a", "b", "c", "x_y", "z"]), st.integers(-3, 3), max_size=5))
def test_zipmap_keys_values_round_trip(d: dict[str, int]) -> None:
    o = obj(**d)
    assert call("zipmap", call("keys", o), call("values", o)) == o
    assert call("merge", o, o) == o
    assert call("length", o) == n(len(d))


@given(st.integers(min_value=-1024, max_value=1024))
def test_range_length(k: int) -> None:
    got = call("range", n(k))
    assert len(got.elements()) == abs(k)
    if k:
        assert call("contains", got, n(k - 1 if k > 0 else k + 1)) == TRUE
        assert call("contains", got, n(k)) == FALSE


@given(words, st.data())
def test_slice_matches_python(a: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(a)))
    j = data.draw(st.integers(i, len(a)))
    assert call("slice", tup(*a), n(i), n(j)) == tup(*a[i:j])
    assert call("slice", lst(STR, *a), n(i), n(j)) == lst(STR, *a[i:j])


@given(words, small_ints)
def test_setproduct_size(a: list[str], b: list[int]) -> None:
    got = call("setproduct", tup(*a), tup(*b))
    assert len(got.elements()) == len(a) * len(b)
    for e in a:
        if b:
            assert call("contains", got, tup(e, b[0])) == TRUE
