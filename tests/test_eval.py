"""The evaluator: operators, conversions, templates, for expressions, splats and their errors."""

from __future__ import annotations

from typing import Any

import pytest

from bake.compiler.cty import types as T
from bake.compiler.cty import values as V
from bake.compiler.cty.values import Value
from bake.compiler.functions import all_functions
from bake.compiler.hcl.eval import Scope, evaluate
from bake.compiler.hcl.parser import parse_expression

VARS: dict[str, Value] = {
    "s": V.string("hello"),
    "n": V.number(3),
    "t": V.TRUE,
    "nul": V.null(T.STRING),
    "unk": V.unknown(T.STRING),
    "unkn": V.unknown(T.NUMBER),
    "dyn": V.DYNAMIC_UNKNOWN,
    "lst": V.list_of([V.string("a"), V.string("b")]),
    "set": V.set_of([V.string("b"), V.string("a")]),
    "tup": V.tuple_of([V.number(1), V.string("x")]),
    "mp": V.map_of({"k": V.string("v"), "j": V.string("w")}),
    "obj": V.object_of({"a": V.number(1), "b": V.object_of({"c": V.string("deep")})}),
    "objs": V.tuple_of([V.object_of({"id": V.number(1)}), V.object_of({"id": V.number(2)})]),
    "secret": V.string("hunter2").with_marks([V.SENSITIVE]),
    "empty": V.tuple_of([]),
}


def ev(src: str, variables: dict[str, Value] | None = None) -> tuple[Value, list[Any]]:
    parsed = parse_expression(src, "expr")
    assert parsed.ok and parsed.expr is not None, parsed.diagnostics
    return evaluate(parsed.expr, Scope(variables if variables is not None else VARS, all_functions()))


def py(src: str) -> Any:
    value, diags = ev(src)
    assert not diags, [(d.summary, d.detail) for d in diags]
    return V.to_python(value) if value.is_wholly_known() else value


CASES: list[tuple[str, Any]] = [
    # arithmetic, arbitrary precision
    ("1 + 2", 3),
    ("2 + 3.5", V.to_python(V.number(5.5))),
    ("3.5 - 2", V.to_python(V.number(1.5))),
    ("2 * 4.5", 9),
    ("10 / 4", V.to_python(V.number(2.5))),
    ("11 % 5", 1),
    ("-5 % 3", -2),
    ("-n", -3),
    ("1 - -1", 2),
    ("2 * 3 + 4", 10),
    ("2 * (3 + 4)", 14),
    ("10 - 2 - 3", 5),
    ("100 / 10 / 5", 2),
    ('"5" + 1', 6),
    ('"1.5" * 2', 3),
    ("9007199254740993 + 0", 9007199254740993),
    ("1e3", 1000),
    # comparison and logic
    ("1 < 2", True),
    ("2 <= 2", True),
    ("3 > 4", False),
    ("4 >= 5", False),
    ('"10" > 9', True),
    ("1 == 1", True),
    ('1 == "1"', False),
    ('"a" != "b"', True),
    ("[1, 2] == [1, 2]", True),
    ("[1, 2] == [2, 1]", False),
    ("{a = 1} == {a = 1}", True),
    ("null == null", True),
    ("nul == null", True),
    ('"x" == null', False),
    ("true && false", False),
    ("true || false", True),
    ("!true", False),
    ("!!true", True),
    ('"true" && true', True),
    ("t ? 1 : 2", 1),
    ("false ? 1 : 2", 2),
    ('true ? "a" : 1', "a"),
    ('false ? "a" : 1', "1"),
    ("true ? 1 : [][0]", 1),
    # strings and templates
    ('"a${s}b"', "ahellob"),
    ('"${n}"', 3),
    ('"n=${n}"', "n=3"),
    ('"${true}"', True),
    ('"x${true}"', "xtrue"),
    ('"${1.5}"', V.to_python(V.number(1.5))),
    ('"%{ if t }yes%{ else }no%{ endif }"', "yes"),
    ('"%{ if !t }yes%{ else }no%{ endif }"', "no"),
    ('"%{ if !t }yes%{ endif }"', ""),
    ('"%{ for x in lst }${x}-%{ endfor }"', "a-b-"),
    ('"%{ for i, x in lst }${i}${x}%{ endfor }"', "0a1b"),
    ('"%{ for k, v in mp }${k}=${v};%{ endfor }"', "j=w;k=v;"),
    ('"%{ for v in [true] }${v}%{ endfor }"', "true"),
    ('"a ${~ "b" ~} c"', "abc"),
    ('"$${x}"', "${x}"),
    ('"\\u00e9"', "é"),
    ("<<EOT\nhello ${s}\nEOT\n", "hello hello\n"),
    # collections
    ("[1, 2, 3][1]", 2),
    ('["a", "b"][n - 2]', "b"),
    ('{a = 1}["a"]', 1),
    ("{a = 1}.a", 1),
    ("obj.b.c", "deep"),
    ('obj["b"]["c"]', "deep"),
    ("mp.k", "v"),
    ('mp["j"]', "w"),
    ("lst[0]", "a"),
    ('lst["1"]', "b"),
    ("tup[1]", "x"),
    ("tup.0", 1),
    ("{(s) = 1}", {"hello": 1}),
    ('{"a b" = 1}', {"a b": 1}),
    ("{a = 1, a = 2}", {"a": 2}),
    ("{1 = 2}", {"1": 2}),
    ("{true = 1, null = 2}", {"true": 1, "null": 2}),
    ("{a: 1, b: 2}", {"a": 1, "b": 2}),
    ("[for x in [1, 2, 3]: x * 2]", [2, 4, 6]),
    ("[for i, x in [5, 6]: i]", [0, 1]),
    ('[for x in ["a", "b", "c"]: x if x != "b"]', ["a", "c"]),
    ('{for x in ["a", "b"]: x => upper(x)}', {"a": "A", "b": "B"}),
    ('{for i, v in ["a", "a", "b"]: v => i...}', {"a": [0, 1], "b": [2]}),
    ("{for k, v in mp: v => k}", {"v": "k", "w": "j"}),
    ("[for v in set: v]", ["a", "b"]),
    ("[for k, v in {b = 1, a = 2}: k]", ["a", "b"]),
    ("objs[*].id", [1, 2]),
    ("objs.*.id", [1, 2]),
    ("obj.*.a", [1]),
    ("nul[*]", []),
    ("lst[*]", ["a", "b"]),
    ("[[1, 2], [3]][*][0]", [1, 3]),
    ("length(objs[*].id)", 2),
    # functions and expansion
    ("max(1, 5, 3)", 5),
    ("max([4, 9, 2]...)", 9),
    ('upper("abc")', "ABC"),
    ('join("-", lst)', "a-b"),
    ("length(mp)", 2),
    ('try(obj.nope, "fallback")', "fallback"),
    ("try(obj.a, 0)", 1),
    ("can(obj.nope)", False),
    ("can(obj.a)", True),
    ('convert("5", number)', 5),
    ("convert([1, 2], list(string))", ["1", "2"]),
]


@pytest.mark.parametrize(("src", "expected"), CASES, ids=[c[0] for c in CASES])
def test_expression_values(src: str, expected: Any) -> None:
    assert py(src) == expected


TYPES: list[tuple[str, T.Type]] = [
    ("[1, 2]", T.Tuple((T.NUMBER, T.NUMBER))),
    ("{a = 1}", T.object_of({"a": T.NUMBER})),
    ("lst[*]", T.List(T.STRING)),
    ("tup[*]", T.Tuple((T.NUMBER, T.STRING))),
    ('true ? "a" : 1', T.STRING),
    ("t ? lst : []", T.List(T.STRING)),
    ("[for x in lst: x]", T.Tuple((T.STRING, T.STRING))),
    ("null", T.DYNAMIC),
    ('"${n}"', T.NUMBER),
    ("convert(tup, list(string))", T.List(T.STRING)),
]


@pytest.mark.parametrize(("src", "ty"), TYPES, ids=[c[0] for c in TYPES])
def test_result_types(src: str, ty: T.Type) -> None:
    value, diags = ev(src)
    assert not diags
    assert value.ty == ty


UNKNOWN: list[tuple[str, T.Type]] = [
    ("unk", T.STRING),
    ('"a${unk}"', T.STRING),
    ("unkn + 1", T.NUMBER),
    ("unkn > 1", T.BOOL),
    ("unk == unk", T.BOOL),
    ('unk == "x"', T.BOOL),
    ("t ? unk : s", T.STRING),
    ('unkn > 0 ? "a" : "b"', T.STRING),
    ("upper(unk)", T.STRING),
    ("dyn.foo.bar", T.DYNAMIC),
    ("dyn[0]", T.DYNAMIC),
    ("[for x in dyn: x]", T.DYNAMIC),
    ("{(unk) = 1}", T.DYNAMIC),
    ("length(dyn)", T.NUMBER),
]


@pytest.mark.parametrize(("src", "ty"), UNKNOWN, ids=[c[0] for c in UNKNOWN])
def test_unknowns_propagate_with_types(src: str, ty: T.Type) -> None:
    value, diags = ev(src)
    assert not diags, [(d.summary, d.detail) for d in diags]
    assert not value.known and value.ty == ty


def test_short_circuit_with_unknowns() -> None:
    assert ev("false && unkn > 1")[0] == V.FALSE
    assert ev("true || unkn > 1")[0] == V.TRUE


def test_sensitive_marks_propagate() -> None:
    for src in ('"pw=${secret}"', "upper(secret)", "secret == \"x\"", "[secret][0]", "t ? secret : s"):
        value, diags = ev(src)
        assert not diags and value.deep_marks() == {V.SENSITIVE}, src
    assert V.render(ev('"pw=${secret}"')[0]) == "(sensitive value)"


ERRORS: list[tuple[str, str, str]] = [
    ("nope", "Unknown variable", 'There is no variable named "nope".'),
    ("objz", "Unknown variable", 'There is no variable named "objz". Did you mean "obj"?'),
    ("obj.nope", "Unsupported attribute", 'This object does not have an attribute named "nope".'),
    ("obj.bb", "Unsupported attribute", 'This object does not have an attribute named "bb". Did you mean "b"?'),
    ("s.x", "Unsupported attribute", "Can't access attributes on a primitive-typed value (string)."),
    ("lst.x", "Unsupported attribute", "Can't access attributes on a list of objects."),
    ("nul.x", "Attempt to get attribute from null value", "This value is null"),
    ("lst[5]", "Invalid index", "greater than or equal to the length of the collection"),
    ("empty[0]", "Invalid index", "the collection has no elements"),
    ("lst[-1]", "Invalid index", "negative number"),
    ("lst[1.5]", "Invalid index", "an integer is required"),
    ('lst["x"]', "Invalid index", "a number is required"),
    ("set[0]", "Invalid index", "Elements of a set are identified only by their value"),
    ('mp["zz"]', "Invalid index", "does not identify an element"),
    ("mp.zz", "Missing map element", 'This map does not have an element with the key "zz".'),
    ("nul[0]", "Invalid index", "Can't use a null value as an indexed collection."),
    ('1 + "x"', "Invalid operand", "Unsuitable value for right operand: a number is required."),
    ("1 + null", "Invalid operand", "argument must not be null"),
    ("true + 1", "Invalid operand", "Unsuitable value for left operand: number required."),
    ('!"x"', "Invalid operand", "a bool is required"),
    ("0 / 0", "Operation failed", "can't divide zero by zero"),
    ("null ? 1 : 2", "Null condition", "The condition value is null."),
    ('"x" ? 1 : 2', "Incorrect condition type", "a bool is required"),
    ("true ? [1] : {a = 1}", "Inconsistent conditional result types", "The 'true' value is tuple"),
    ('"x${nul}"', "Invalid template interpolation value", "The expression result is null."),
    ('"x${lst}"', "Invalid template interpolation value", "string required"),
    ("[for x in null: x]", "Iteration over null value", "A null value cannot be used"),
    ("[for x in 1: x]", "Iteration over non-iterable value", "A value of type number cannot be used"),
    ('{for x in ["a", "a"]: x => 1}', "Duplicate object key", 'Two different items produced the key "a"'),
    ('[for x in [1]: x if "y"]', "Invalid 'for' condition", "a bool is required"),
    ("{(nul) = 1}", "Null value as key", "Can't use a null value as a key."),
    ("{(lst) = 1}", "Incorrect key type", "Can't use this value as a key: string required."),
    ("{a.b = 1}", "Ambiguous attribute key", "wrap it in parentheses"),
    ("nosuch(1)", "Call to unknown function", 'There is no function named "nosuch".'),
    ("uper(s)", "Call to unknown function", 'Did you mean "upper"?'),
    ("upper()", "Not enough function arguments", 'Missing value for "str"'),
    ('upper("a", "b")', "Too many function arguments", 'Function "upper" expects only 1 argument.'),
    ("upper([1])", "Invalid function argument", 'Invalid value for "str" parameter: string required.'),
    ("max(1, s...)", "Invalid expanding argument value", "must be of a tuple, list, or set type"),
    ("try(nope, alsonope)", "Error in function call", "no expression succeeded"),
    ("convert(lst, nonsense)", "Invalid type specification", 'The keyword "nonsense" is not a valid type'),
    ("convert(lst, number)", "Invalid function argument", "number required"),
]


@pytest.mark.parametrize(("src", "summary", "detail"), ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_are_positioned_diagnostics(src: str, summary: str, detail: str) -> None:
    value, diags = ev(src)
    assert diags, f"{src} evaluated to {value!r}"
    d = diags[0]
    assert d.summary == summary
    assert detail in d.detail
    assert d.range is not None and d.range.filename == "expr"
    assert 1 <= d.range.start.column <= len(src) + 1
    assert not value.known


def test_error_positions_point_at_the_culprit() -> None:
    _, diags = ev("[1, 2][0] + obj.nope")
    (d,) = diags
    assert d.range is not None and (d.range.start.column, d.range.end.column) == (17, 21)
    _, diags = ev('upper(1, "a")')
    assert diags[0].range is not None and diags[0].range.start.column == 10


def test_single_interpolation_keeps_the_value() -> None:
    assert ev('"${nul}"')[0] == V.null(T.STRING)
    assert ev('"${lst}"')[0] == VARS["lst"]
