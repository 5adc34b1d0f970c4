"""Encoding functions against go-cty (json, csv), go-cty-funcs, go-cty-yaml v1.0.1 and Packer (text, gzip)."""

from __future__ import annotations

import base64
import gzip
from typing import Any

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
    list_of,
    map_of,
    null,
    number,
    object_of,
    set_of,
    string,
    tuple_of,
    unknown,
)
from bake.compiler.functions.base import ArityError, FunctionError
from bake.compiler.functions.encoding import FUNCTIONS

S, N = string, number


def n(x: str) -> Value:
    return number(Num.parse(x))


def call(name: str, *args: Value) -> Value:
    return FUNCTIONS[name].call(list(args))


def err(name: str, *args: Value) -> str:
    with pytest.raises(FunctionError) as exc:
        FUNCTIONS[name].call(list(args))
    return exc.value.message


# ------------------------------------------------------------------ base64, gzip, urlencode

SIMPLE = [
    ("base64encode", "Hello World", "SGVsbG8gV29ybGQ="),
    ("base64encode", "", ""),
    ("base64encode", "☃", "4piD"),
    ("base64decode", "SGVsbG8gV29ybGQ=", "Hello World"),
    ("base64decode", "SGVs\nbG8g\r\nV29ybGQ=", "Hello World"),
    ("base64decode", "", ""),
    ("base64decode", "aGk=", "hi"),
    ("base64decode", "aGl=", "hi"),
    ("urlencode", "Hello World!", "Hello+World%21"),
    ("urlencode", "☃", "%E2%98%83"),
    ("urlencode", "foo:bar@localhost?foo=bar&bar=baz", "foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz"),
    ("urlencode", "a-b_c.d~e/f", "a-b_c.d~e%2Ff"),
    ("textencodebase64", ("Hello World", "UTF-16LE"), "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),
    ("textencodebase64", ("Hello", "utf-16"), "/v8ASABlAGwAbABv"),
    ("textencodebase64", ("Hello", "UTF-16BE"), "AEgAZQBsAGwAbw=="),
    ("textencodebase64", ("é", "latin1"), "6Q=="),
    ("textencodebase64", ("é", " ISO-8859-1 "), "6Q=="),
    ("textencodebase64", ("€", "windows-1252"), "gA=="),
    ("textencodebase64", ("hi", "US-ASCII"), "aGk="),
    ("textencodebase64", ("日本", "Shift_JIS"), "k/qWew=="),
    ("textdecodebase64", ("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE"), "Hello World"),
    ("textdecodebase64", ("/v8ASABp", "UTF-16"), "Hi"),
    ("textdecodebase64", ("//5IAGkA", "UTF-16"), "Hi"),
    ("textdecodebase64", ("AEgAaQ==", "UTF-16"), "Hi"),
    ("textdecodebase64", ("6Q==", "ISO-8859-1"), "é"),
    ("textdecodebase64", ("gA==", "windows-1252"), "€"),
    ("textdecodebase64", ("gA==", "csWindows1252"), "€"),
]


@pytest.mark.parametrize(("fn", "arg", "want"), SIMPLE)
def test_simple(fn: str, arg: str | tuple[str, str], want: str) -> None:
    args = [S(a) for a in arg] if isinstance(arg, tuple) else [S(arg)]
    assert call(fn, *args) == S(want)


SIMPLE_ERRORS = [
    ("base64decode", ("SGVsbG8gV29ybGQ",), "failed to decode base64 data 'SGVsbG8gV29ybGQ'", None),
    ("base64decode", ("a!==",), "failed to decode base64 data 'a!=='", None),
    ("base64decode", ("/w==",), "the result of decoding the the provided string is not valid UTF-8", None),
    ("textencodebase64", ("x", "utf8"), '"utf8" is not a supported IANA encoding name or alias', 1),
    ("textencodebase64", ("x", "nope"), '"nope" is not a supported IANA encoding name or alias', 1),
    ("textencodebase64", ("☃", "latin1"),
     "the given string contains characters that cannot be represented in ISO_8859-1:1987", 0),
    ("textencodebase64", ("é", "US-ASCII"),
     "the given string contains characters that cannot be represented in US-ASCII", 0),
    ("textdecodebase64", ("a!==", "UTF-8"), "the given value is has an invalid base64 symbol at offset 1", 0),
    ("textdecodebase64", ("aGk", "UTF-8"), "the given value is has an invalid base64 symbol at offset 0", 0),
    ("textdecodebase64", ("/w==", "UTF-8"), "the given string contains symbols that are not defined for UTF-8", 0),
    ("textdecodebase64", ("77+9", "UTF-8"), "the given string contains symbols that are not defined for UTF-8", 0),
    ("textdecodebase64", ("gA==", "us"), "the given string contains symbols that are not defined for US-ASCII", 0),
    ("textdecodebase64", ("aGk=", "bogus"), '"bogus" is not a supported IANA encoding name or alias', 1),
]


@pytest.mark.parametrize(("fn", "args", "message", "arg"), SIMPLE_ERRORS)
def test_simple_errors(fn: str, args: tuple[str, ...], message: str, arg: int | None) -> None:
    with pytest.raises(FunctionError) as exc:
        FUNCTIONS[fn].call([S(a) for a in args])
    assert (exc.value.message, exc.value.arg) == (message, arg)


def test_base64gzip() -> None:
    for text in ["", "test", "hello world " * 50, "☃"]:
        raw = base64.b64decode(call("base64gzip", S(text)).as_string())
        assert raw[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # Go's header: no mtime, OS unknown
        assert gzip.decompress(raw) == text.encode()
    assert call("base64gzip", S("")) == S("H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA==")


@pytest.mark.parametrize("fn", ["base64encode", "base64decode", "base64gzip", "urlencode", "csvdecode",
                                "jsondecode", "yamldecode"])
def test_string_functions_unknown_null_arity(fn: str) -> None:
    want_ty = T.STRING if fn in ("base64encode", "base64decode", "base64gzip", "urlencode") else T.DYNAMIC
    assert call(fn, unknown(T.STRING)) == unknown(want_ty)
    assert call(fn, unknown(T.DYNAMIC)) == unknown(T.DYNAMIC)  # cty: a dynamic argument gives a dynamic result
    with pytest.raises(FunctionError, match="must not be null"):
        call(fn, null(T.STRING))
    with pytest.raises(FunctionError, match="string required"):
        call(fn, object_of({}))
    with pytest.raises(ArityError):
        call(fn)
    with pytest.raises(ArityError):
        call(fn, S("a"), S("b"))


def test_marks_propagate() -> None:
    secret = S("SGk=").with_marks({SENSITIVE})
    assert call("base64decode", secret) == S("Hi").with_marks({SENSITIVE})
    assert call("textencodebase64", S("Hi"), S("UTF-8").with_marks({SENSITIVE})).marks == frozenset({SENSITIVE})
    assert call("base64encode", N(12)) == S("MTI=")


# ------------------------------------------------------------------ csvdecode


def test_csvdecode() -> None:
    ety = T.object_of({"a": T.STRING, "b": T.STRING, "c": T.STRING})
    want = list_of([Value(ety, {"a": S("1"), "b": S("2"), "c": S("3")}),
                    Value(ety, {"a": S("4"), "b": S("5"), "c": S("6")})], ety)
    assert call("csvdecode", S("a,b,c\n1,2,3\n4,5,6")) == want
    assert call("csvdecode", S("a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n")) == want
    assert call("csvdecode", S("a,b,c\n")) == list_of([], ety)
    two = T.object_of({"a": T.STRING, "b": T.STRING})
    assert call("csvdecode", S('a,b\n"x\r\ny","q""uote"\n')) == list_of(
        [Value(two, {"a": S("x\ny"), "b": S('q"uote')})], two)
    assert call("csvdecode", S("a,b\n,\n")) == list_of([Value(two, {"a": S(""), "b": S("")})], two)
    assert call("csvdecode", S("\n\nx\n1")) == list_of(
        [Value(T.object_of({"x": T.STRING}), {"x": S("1")})], T.object_of({"x": T.STRING}))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "missing header line"),
        ("\n\n", "missing header line"),
        ("a,a\n1,2", 'duplicate column name "a"'),
        ("a,b\n1,2,3", "CSV parse error on line 2: wrong number of fields"),
        ("a,b\n1,2\n3", "CSV parse error on line 3: wrong number of fields"),
        ('a,b\nx"y,2', 'CSV parse error on line 2: bare " in non-quoted-field'),
        ('a,b\n"xy\n', 'CSV parse error on line 2: extraneous or missing " in quoted-field'),
        ('a,b\n"x"y,2', 'CSV parse error on line 2: extraneous or missing " in quoted-field'),
        ('a"b\n', 'CSV parse error on line 1: bare " in non-quoted-field'),
        ('a,b\n"1\n2\n3', 'CSV parse error on line 4: extraneous or missing " in quoted-field'),
    ],
)
def test_csvdecode_errors(text: str, message: str) -> None:
    assert err("csvdecode", S(text)) == message


# ------------------------------------------------------------------ jsonencode

JSON_ENCODE = [
    (S("hello"), '"hello"'),
    (S("<b>&amp;</b>"), '"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e"'),
    (S("\u2028\u2029\x01\x1f\x7f"), '"\\u2028\\u2029\\u0001\\u001f\x7f"'),
    (S("tab\tnl\ncr\rbs\bff\f\"\\/"), '"tab\\tnl\\ncr\\rbs\\bff\\f\\"\\\\/"'),
    (S("日本"), '"日本"'),
    (N(1), "1"),
    (n("1.5"), "1.5"),
    (n("0.1"), "0.1"),
    (N(-0.5), "-0.5"),
    (n("123456789012345678901234567890"), "123456789012345678901234567890"),
    (TRUE, "true"),
    (null(T.STRING), "null"),
    (null(), "null"),
    (tuple_of([]), "[]"),
    (object_of({}), "{}"),
    (object_of({"b": N(1), "a": tuple_of([TRUE, null(), S("x")])}), '{"a":[true,null,"x"],"b":1}'),
    (map_of({"z": S("1"), "a": S("2")}), '{"a":"2","z":"1"}'),
    (set_of([S("b"), S("a")]), '["a","b"]'),
    (list_of([N(3), N(1)]), "[3,1]"),
    (object_of({"<": S(">")}), '{"\\u003c":"\\u003e"}'),
]


@pytest.mark.parametrize(("value", "want"), JSON_ENCODE)
def test_jsonencode(value: Value, want: str) -> None:
    assert call("jsonencode", value) == S(want)


def test_jsonencode_unknown_marks_errors() -> None:
    assert call("jsonencode", unknown(T.STRING)) == unknown(T.STRING)
    assert call("jsonencode", unknown(T.DYNAMIC)) == unknown(T.STRING)
    assert call("yamlencode", unknown(T.DYNAMIC)) == unknown(T.STRING)
    assert call("jsonencode", tuple_of([N(1), unknown(T.NUMBER)])) == unknown(T.STRING)
    nested = tuple_of([S("a").with_marks({SENSITIVE})])
    assert call("jsonencode", nested) == S('["a"]').with_marks({SENSITIVE})
    assert call("jsonencode", unknown(T.STRING).with_marks({SENSITIVE})) == unknown(T.STRING).with_marks({SENSITIVE})
    assert err("jsonencode", number(Num.infinity(1))) == "cannot serialize infinity as JSON"
    assert err("jsonencode", tuple_of([number(Num.infinity(-1))])) == "cannot serialize infinity as JSON"
    with pytest.raises(ArityError):
        call("jsonencode")


# ------------------------------------------------------------------ jsondecode

JSON_DECODE = [
    ('{"hello": "world"}', object_of({"hello": S("world")})),
    ("true", TRUE),
    ("  false  ", FALSE),
    ("null", null()),
    ('"x"', S("x")),
    ("[1, 2.5e3, null]", tuple_of([N(1), n("2500"), null()])),
    ("[]", tuple_of([])),
    ("{}", object_of({})),
    ('{"a":{"b":[{}]}}', object_of({"a": object_of({"b": tuple_of([object_of({})])})})),
    ("0.1", n("0.1")),
    ("-0", n("0")),
    ("1E2", n("100")),
    ('"\\ud83d\\ude00 \\u00e9 \\/ \\n"', S("😀 é / \n")),
    ('"\\ud83d x"', S("\ufffd x")),
    ('{"a":1,"a":"x"}', object_of({"a": S("x")})),
    ("1 ]", N(1)),
    ('{"a": 1} }', object_of({"a": N(1)})),
    ('"e\\u0301"', S("é")),
]


@pytest.mark.parametrize(("text", "want"), JSON_DECODE)
def test_jsondecode(text: str, want: Value) -> None:
    assert call("jsondecode", S(text)) == want


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "EOF"),
        ("   ", "EOF"),
        ("[1,2", "EOF"),
        ('{"a":', "EOF"),
        ('{"a":1,}', "invalid character '}' looking for beginning of object key string"),
        ("[1,]", "invalid character ']' looking for beginning of value"),
        ("{1:2}", "invalid character '1'"),
        ('"abc', "unexpected EOF"),
        ("tru", "unexpected EOF"),
        ("-", "unexpected EOF"),
        ("1.", "unexpected EOF"),
        ("truex", "extraneous data after JSON object"),
        ("1 2", "extraneous data after JSON object"),
        ("01", "extraneous data after JSON object"),
        ("[01]", "invalid character '1' after array element"),
        ('{"a" 1}', "invalid character '1' after object key"),
        ('{"a"}', "invalid character '}' after object key"),
        ('{"a":}', "invalid character '}' looking for beginning of value"),
        ('{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
        ('"\\x"', "invalid character 'x' in string escape code"),
        ('"\\u12G4"', "invalid character 'G' in \\u hexadecimal character escape"),
        ('"a\nb"', "invalid character '\\n' in string literal"),
        ("'a'", "invalid character '\\'' looking for beginning of value"),
        (".5", "invalid character '.' looking for beginning of value"),
        ("+1", "invalid character '+' looking for beginning of value"),
        ("-a", "invalid character 'a' in numeric literal"),
        ("1.a", "invalid character 'a' after decimal point in numeric literal"),
        ("1ea", "invalid character 'a' in exponent of numeric literal"),
        ("nulx", "invalid character 'x' in literal null (expecting 'l')"),
        ("True", "invalid character 'T' looking for beginning of value"),
        ("\ufeff1", "invalid character 'ï' looking for beginning of value"),
        ("]", "invalid character ']' looking for beginning of value"),
        (":", "invalid character ':' looking for beginning of value"),
        ("NaN", "invalid character 'N' looking for beginning of value"),
    ],
)
def test_jsondecode_errors(text: str, message: str) -> None:
    assert err("jsondecode", S(text)) == message


def test_jsondecode_marks() -> None:
    assert call("jsondecode", S('{"a":1}').with_marks({SENSITIVE})) == object_of({"a": N(1)}).with_marks({SENSITIVE})


# ------------------------------------------------------------------ yamldecode (go-cty-yaml v1.0.1)

YAML_DECODE = [
    ("a: 1\nb: [x, \"y\"]\nc: 1.5", object_of({"a": N(1), "b": tuple_of([S("x"), S("y")]), "c": n("1.5")})),
    ("true", TRUE),
    ("yes", TRUE),
    ("Off", FALSE),
    ("'true'", S("true")),
    ("hello world", S("hello world")),
    ("a: null", object_of({"a": null()})),
    ("a:", object_of({"a": null()})),
    ("- a\n- b", tuple_of([S("a"), S("b")])),
    ("[]", tuple_of([])),
    ("{}", object_of({})),
    ("0x1f", S("0x1f")),
    ("0b101", N(5)),
    ("-0b11", N(-3)),
    ("1_000", N(1000)),
    ("077", N(77)),
    ("+12", N(12)),
    (".5", n("0.5")),
    ("1e3", N(1000)),
    (".inf", number(Num.infinity(1))),
    ("-.Inf", number(Num.infinity(-1))),
    ("-inf", number(Num.infinity(-1))),
    ("2001-12-14", S("2001-12-14T00:00:00Z")),
    ("2001-12-14t21:59:43.10-05:00", S("2001-12-14T21:59:43-05:00")),
    ("2001-12-14T21:59:43Z", S("2001-12-14T21:59:43Z")),
    ("2001-12-14 21:59:43.10", S("2001-12-14T21:59:43Z")),
    ("2001-13-14", S("2001-13-14")),
    ("!!str 12", S("12")),
    ("!!int '12'", S("12")),  # quoted scalars stay strings whatever their tag
    ("!!int 12", N(12)),
    ("!!float 0x10", N(16)),
    ("!!binary aGk=", S("aGk=")),
    ("a: !!null x", object_of({"a": null()})),
    ("!!bool yes", TRUE),
    ("a: &x 1\nb: *x", object_of({"a": N(1), "b": N(1)})),
    ("base: &b {p: 1, q: 2}\nd:\n  <<: *b\n  q: 3",
     object_of({"base": object_of({"p": N(1), "q": N(2)}), "d": object_of({"p": N(1), "q": N(3)})})),
    ("{y: 1, n: 2, x: 3}", object_of({"true": N(1), "false": N(2), "x": N(3)})),  # YAML 1.1 booleans as keys
    ("- <<", tuple_of([S("<<")])),
    ("{1: a, true: b, 1.50: c}", object_of({"1": S("a"), "true": S("b"), "1.5": S("c")})),
    ("a: |\n  x\n  y\n", object_of({"a": S("x\ny\n")})),
    ("a: >-\n  x\n  y\n", object_of({"a": S("x y")})),
    ("a: b\na: c", object_of({"a": S("c")})),
    ("---\n[1]\n...\n", tuple_of([N(1)])),
]


@pytest.mark.parametrize(("text", "want"), YAML_DECODE)
def test_yamldecode(text: str, want: Value) -> None:
    assert call("yamldecode", S(text)) == want


@pytest.mark.parametrize("text", ["~", "null", "---", "--- ~\n", "!!null x"])
def test_yamldecode_top_level_null_is_unknown(text: str) -> None:
    # go-cty-yaml v1.0.1 (Packer's) returns cty.DynamicVal for a document whose implied type is dynamic
    assert call("yamldecode", S(text)) == unknown(T.DYNAMIC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "on line 1, column 1: missing start of document"),
        ("# just a comment\n", "on line 1, column 1: missing start of document"),
        (".nan", "floating point NaN is not supported"),
        ("a: 1\nb: .NaN", "on line 1, column 4: floating point NaN is not supported"),
        ("a: *x", "reference to undefined anchor \"x\""),
        ("a: &x [*x]", "cannot refer to anchor \"x\" from inside its own definition"),
        ("!!int foo", 'cannot parse "foo" as tag:yaml.org,2002:int'),
        ("!!bool foo", 'cannot parse "foo" as tag:yaml.org,2002:bool'),
        ("!!binary a!", 'cannot parse "a!" as tag:yaml.org,2002:binary: not valid base64'),
        ("!foo x", 'unsupported tag "!foo"'),
        ("!!map [1]", "can't interpret sequence as tag:yaml.org,2002:map"),
        ("!!seq {}", "can't interpret mapping as tag:yaml.org,2002:seq"),
        ("a\n---\nb", "on line 1, column 1: unexpected extra content after value"),
        ("? [a]\n: 1", "only strings are allowed as mapping keys"),
        ("~: 1", "mapping key cannot be null"),
        ("<<: 1", "cannot merge number into mapping"),
        ("a: b: c", "mapping values are not allowed in this context"),
        ("a: 1\n b: 2\nc: [", "on line 2, column 1: mapping values are not allowed in this context"),
        ("x: 1\ny: [1, 2\n", "on line 2, column 1: did not find expected ',' or ']'"),
    ],
)
def test_yamldecode_errors(text: str, message: str) -> None:
    assert err("yamldecode", S(text)) == message


# ------------------------------------------------------------------ yamlencode

YAML_ENCODE = [
    (object_of({"a": S("b"), "c": S("d")}), '"a": "b"\n"c": "d"\n'),
    (object_of({"foo": tuple_of([N(1), N(2), N(3)]), "bar": S("baz")}), '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'),
    (object_of({"foo": tuple_of([N(1), object_of({"a": S("b"), "c": S("d")})])}),
     '"foo":\n- 1\n- "a": "b"\n  "c": "d"\n'),
    (N(1), "1\n...\n"),
    (TRUE, "true\n...\n"),
    (null(), "null\n...\n"),
    (S("hello"), '"hello"\n'),
    (S(""), '""\n'),
    (S("a\nb"), "|-\n  a\n  b\n"),
    (S("a\n"), "|\n  a\n"),
    (S("a\n\n"), "|+\n  a\n\n"),
    (S(" lead\nx"), "|2-\n   lead\n  x\n"),
    (S("trail \nx"), '"trail \\nx"\n'),
    (S("tab\there"), '"tab\\there"\n'),
    (S("quote\" back\\ nbsp\u00a0 bom\ufeff nel\x85 ls\u2028 😀"),
     '"quote\\" back\\\\ nbsp\u00a0 bom\\uFEFF nel\\N ls\\L \\U0001F600"\n'),
    (tuple_of([]), "[]\n"),
    (object_of({}), "{}\n"),
    (object_of({"a": tuple_of([]), "b": object_of({})}), '"a": []\n"b": {}\n'),
    (tuple_of([tuple_of([N(1), N(2)]), object_of({"a": N(1), "b": object_of({})})]),
     '- - 1\n  - 2\n- "a": 1\n  "b": {}\n'),
    (object_of({"a": object_of({"b": tuple_of([S("x")])})}), '"a":\n  "b":\n  - "x"\n'),
    (object_of({"a\nb": N(1)}), "? |-\n  a\n  b\n: 1\n"),
    (object_of({"k": S("x\ny")}), '"k": |-\n  x\n  y\n'),
    (tuple_of([S("x\ny")]), "- |-\n  x\n  y\n"),
    (n("1.5"), "1.5\n...\n"),
    (set_of([S("b"), S("a")]), '- "a"\n- "b"\n'),
    (map_of({"z": N(1), "a": N(2)}), '"a": 2\n"z": 1\n'),
    (S("x" * 79 + " " + "y" * 5 + " " + "z"), '"' + "x" * 79 + " " + "y" * 5 + '\n  z"\n'),
    (S("x" * 79 + " " + "y" * 5 + "  z"), '"' + "x" * 79 + " " + "y" * 5 + '\n  \\ z"\n'),
]


@pytest.mark.parametrize(("value", "want"), YAML_ENCODE)
def test_yamlencode(value: Value, want: str) -> None:
    assert call("yamlencode", value) == S(want)


def test_yamlencode_long_line_folds() -> None:
    words = " ".join(["word"] * 30)
    got = call("yamlencode", S(words)).as_string()
    assert got == '"' + " ".join(["word"] * 17) + "\n  " + " ".join(["word"] * 13) + '"\n'
    assert call("yamldecode", S(got)) == S(words)


def test_yamlencode_unknown_and_marks() -> None:
    assert call("yamlencode", unknown(T.STRING)) == unknown(T.STRING)
    assert call("yamlencode", tuple_of([unknown(T.NUMBER)])) == unknown(T.STRING)
    assert call("yamlencode", tuple_of([S("a").with_marks({SENSITIVE})])) == S('- "a"\n').with_marks({SENSITIVE})
    with pytest.raises(ArityError):
        call("yamlencode")


# ------------------------------------------------------------------ properties

_keys = st.text(max_size=6)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=12),
)
_json_like = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=12,
)


def _value(obj: Any) -> Value:
    if obj is None:
        return null()
    if isinstance(obj, bool):
        return TRUE if obj else FALSE
    if isinstance(obj, int):
        return N(obj)
    if isinstance(obj, str):
        return S(obj)
    if isinstance(obj, list):
        return tuple_of(_value(e) for e in obj)
    return object_of({S(k).as_string(): _value(e) for k, e in obj.items()})


@given(_json_like)
def test_json_round_trip(obj: Any) -> None:
    v = _value(obj)
    assert call("jsondecode", call("jsonencode", v)) == v


@given(_json_like)
def test_yaml_round_trip(obj: Any) -> None:
    v = _value(obj)
    if v.is_null:
        return
    assert call("yamldecode", call("yamlencode", v)) == v


@given(st.text())
def test_base64_round_trip(text: str) -> None:
    assert call("base64decode", call("base64encode", S(text))) == S(text)
    assert base64.b64decode(call("base64encode", S(text)).as_string()) == S(text).as_string().encode()


@given(st.text(), st.sampled_from(["UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE"]))
def test_text_encoding_round_trip(text: str, enc: str) -> None:
    if "\ufffd" in text or any(0xD800 <= ord(c) < 0xE000 for c in text):
        return
    encoded = call("textencodebase64", S(text), S(enc))
    assert call("textdecodebase64", encoded, S(enc)) == S(text)


@given(st.lists(st.lists(st.text(alphabet="ab,\"\n x", max_size=5), min_size=2, max_size=2), min_size=1, max_size=4))
def test_csv_round_trip(rows: list[list[str]]) -> None:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(["h1", "h2"])
    writer.writerows(rows)
    got = call("csvdecode", S(buf.getvalue()))
    assert [[e.attrs()["h1"].as_string(), e.attrs()["h2"].as_string()] for e in got.elements()] == [
        [S(c).as_string() for c in r] for r in rows
    ]
