"""Differential tests: bake's HCL parser against hashicorp/hcl (hclsyntax) through pygohcl."""

# How pygohcl maps HCL (its Go side is hclparse.ParseHCL + a hcl2json-style converter):
# * any error diagnostic from the parser -> HCLParseError ("invalid HCL: tmp.hcl:L,C-C: ...");
#   converter failures afterwards (an attribute and a labelled block of the same name, `-true`,
#   a null object key or interpolation, ...) -> HCLInternalError: the *parser* accepted those;
# * literal values (LiteralValueExpr), unary ops directly on a literal, string templates that are
#   string literals, `"${x}"` wrappers, tuples and objects are evaluated, recursively; every other
#   expression becomes its source text (comments stripped, whitespace squeezed), e.g. `"(1)"`;
# * blocks become nested dicts keyed by type then labels; repeated blocks become lists;
# * numbers come out of Go as exact decimal text (big.Float, 512 bits) - read here as Decimal;
# * the input goes through a C string: everything after a NUL byte is invisible to Go, so inputs
#   with NUL bytes are checked against verdicts read off hclsyntax's scanner instead.

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import hclgen
import pygohcl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bake.compiler.hcl import syntax as sx
from bake.compiler.hcl.literals import literal_value
from bake.compiler.hcl.parser import ParseResult, parse

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)  # fmt: skip


# ------------------------------------------------------------------ the Go side


class GoResult:
    """pygohcl's verdict on a document: accepted by the parser or not, message, JSON value."""

    def __init__(self, accepted: bool, message: str = "", value: Any = None) -> None:
        self.accepted = accepted
        self.message = message
        self.value = value

    def __repr__(self) -> str:
        return f"GoResult(accepted={self.accepted}, message={self.message!r})"


def go_parse(text: str) -> GoResult:
    """Run hashicorp/hcl on text; decimals are read exactly (pygohcl.loads would make floats)."""
    ffi, lib = pygohcl.ffi, pygohcl.lib
    buf = ffi.new("char[]", text.encode("utf-8"))
    ret = lib.Parse(buf, 0)
    if ret.err != ffi.NULL:
        err = ffi.string(ret.err).decode("utf-8")
        lib.FreePtr(ret.err)
        if "invalid HCL:" in err:
            return GoResult(False, err)
        if err.startswith("panic HCL:") and "value is null" not in err:
            raise AssertionError(f"pygohcl panicked, verdict unknown: {err} for {text!r}")
        return GoResult(True, err)  # converter failure: the parser accepted the file
    raw = ffi.string(ret.json).decode("utf-8")
    lib.FreePtr(ret.json)
    return GoResult(True, "", json.loads(raw, parse_float=Decimal, parse_int=Decimal))


# ------------------------------------------------------------------ comparisons


def normalise(value: Any) -> Any:
    """Numbers to Decimal, recursively (bools stay bools)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    raise TypeError(value)


def _literal_template(e: sx.Expr) -> bool:
    return isinstance(e, sx.Template) and all(isinstance(p, sx.TemplateLiteral) for p in e.parts)


def go_evaluates(e: sx.Expr) -> bool:
    """Whether pygohcl's converter yields this expression's value (not its source text)."""
    if isinstance(e, sx.NumberLit | sx.BoolLit | sx.NullLit):
        return True
    if isinstance(e, sx.Template):
        return _literal_template(e)
    if isinstance(e, sx.TemplateWrap):
        return go_evaluates(e.wrapped)
    if isinstance(e, sx.UnaryOp):
        return (e.op == "-" and isinstance(e.operand, sx.NumberLit)) or (
            e.op == "!" and isinstance(e.operand, sx.BoolLit)
        )
    if isinstance(e, sx.Tuple):
        return all(go_evaluates(i) for i in e.items)
    if isinstance(e, sx.Object):
        for item in e.items:
            key = item.key
            if isinstance(key, sx.TemplateWrap):
                key = key.wrapped
            key_ok = (
                (item.bare_key and isinstance(key, sx.Variable))
                or _literal_template(key)
                or isinstance(key, sx.NumberLit | sx.BoolLit)
            )
            if not key_ok or not go_evaluates(item.value):
                return False
        return True
    return False


def diags(r: ParseResult) -> list[str]:
    return [
        f"{d.range.start.line if d.range else '?'}:{d.range.start.column if d.range else '?'} "
        f"{d.summary}"
        for d in r.diagnostics
    ]


def assert_same_verdict(text: str) -> tuple[ParseResult, GoResult]:
    r = parse(text, "x.hcl")
    g = go_parse(text)
    assert r.ok == g.accepted, (
        f"verdicts differ for {text!r}\n  bake ok={r.ok} {diags(r)}\n  go accepted={g.accepted} "
        f"{g.message}"
    )
    return r, g


def compare_literal_attributes(r: ParseResult, g: GoResult) -> int:
    """Compare every top-level attribute whose value Go evaluates; returns how many compared."""
    assert r.file is not None
    if not isinstance(g.value, dict):
        return 0  # the converter failed after parsing (e.g. `-true`): no values to compare
    block_types = {b.type for b in r.file.body.blocks}
    compared = 0
    for attr in r.file.body.attributes:
        if attr.name in block_types or not go_evaluates(attr.expr):
            continue
        ok, value = literal_value(attr.expr)
        assert ok, f"literal_value refused {attr.name}: {sx.without_ranges(attr.expr)}"
        assert normalise(value) == g.value[attr.name], (
            f"value of {attr.name!r} differs\n  bake: {normalise(value)!r}\n  go:   "
            f"{g.value[attr.name]!r}"
        )
        compared += 1
    return compared


# ------------------------------------------------------------------ (a) valid documents


@settings(SETTINGS, max_examples=400)
@given(hclgen.documents())
def test_generated_documents_agree(doc: str) -> None:
    g = go_parse(doc)
    assert g.accepted, f"generator produced a document Go rejects: {doc!r}\n{g.message}"
    r = parse(doc, "x.hcl")
    assert r.ok, f"bake rejects a valid document: {doc!r}\n{diags(r)}"
    compare_literal_attributes(r, g)


@settings(SETTINGS, max_examples=300)
@given(st.lists(st.tuples(hclgen.names, hclgen.expressions), min_size=1, max_size=4))
def test_generated_expression_values_agree(pairs: list[tuple[str, str]]) -> None:
    """Flat documents of attributes only, so that most values get compared."""
    seen: set[str] = set()
    lines = []
    for name, expr in pairs:
        if name in seen:
            continue
        seen.add(name)
        lines.append(f"{name} = {expr}" + ("" if expr.endswith("\n") else "\n"))
    doc = "".join(lines)
    g = go_parse(doc)
    assert g.accepted, f"generator produced a document Go rejects: {doc!r}\n{g.message}"
    r = parse(doc, "x.hcl")
    assert r.ok, f"bake rejects a valid document: {doc!r}\n{diags(r)}"
    compare_literal_attributes(r, g)


LITERALS = st.recursive(
    st.one_of(hclgen.numbers(), hclgen.numbers().map(lambda n: "-" + n), hclgen.quoted_string(),
              st.sampled_from(["true", "false", "null", "!true", "<<EOT\nx\nEOT\n"])),
    lambda c: st.one_of(
        st.lists(c, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(
            st.tuples(st.one_of(hclgen.names, hclgen.quoted_string(), hclgen.numbers()), c),
            max_size=4,
        ).map(lambda kv: "{" + "\n".join(f"{k} = {v}" for k, v in kv) + "\n}"),
    ),
    max_leaves=8,
)  # fmt: skip


@settings(SETTINGS, max_examples=300)
@given(LITERALS)
def test_literal_values_agree(expr: str) -> None:
    doc = "v = " + expr + ("" if expr.endswith("\n") else "\n")
    r, g = assert_same_verdict(doc)
    if r.ok:
        assert r.file is not None
        assert literal_value(r.file.body.attributes[0].expr)[0]
        assert compare_literal_attributes(r, g) == 1


# ------------------------------------------------------------------ (b) mutations


@settings(SETTINGS, max_examples=800)
@given(hclgen.mutated_documents())
def test_mutated_documents_same_verdict(doc: str) -> None:
    assert_same_verdict(doc)


@settings(SETTINGS, max_examples=600)
@given(hclgen.token_soup())
def test_token_soup_same_verdict(doc: str) -> None:
    """Mostly-invalid token sequences: the error paths must reject exactly what Go rejects."""
    assert_same_verdict(doc)


# ------------------------------------------------------------------ (c) hand-written cases

TRICKY = [
    # newlines inside and between expressions
    "a = 1 +\n 2\n",
    "a = (1 +\n 2)\n",
    "a = [1\n,2]\n",
    "a = [\n1,\n2,\n]\n",
    "a = {a=1\n,b=2}\n",
    "a = {a=1,\nb=2}\n",
    "a = {a=1\nb=2}\n",
    "a = {a=1 b=2}\n",
    "a = {\n}\n",
    "a = {,}\n",
    "a = [,]\n",
    "a = x ?\n 1 : 2\n",
    "a = f(\n1,\n2\n)\n",
    "a = f(1,)\n",
    "a = f(,)\n",
    "a = f(x...)\n",
    "a = f(x...,)\n",
    "a = f(1, x...)\n",
    "a = foo::bar(1)\n",
    "a = a::b::c()\n",
    "a = foo::(1)\n",
    "a = foo::bar\n",
    # blocks
    "a { b = 1 }\n",
    "a {}\n",
    "a \"x\" y {}\n",
    "a { b = 1\n}\n",
    "a {\nb = 1 }\n",
    "a { b {} }\n",
    "a {\n b {}\n}\n",
    "a { b = 1 } c = 2\n",
    "a {} {}\n",
    "a \"${x}\" {}\n",
    "a \"x\\ny\" {}\n",
    "a 1 {}\n",
    "a = 1\na = 2\n",
    "a = 1\nb {\n a = 2\n}\n",
    "a = 1 b = 2\n",
    "a = 1 /* \n */ b = 2\n",
    "= 1\n",
    "a\n= 1\n",
    # numbers and traversals
    "x = foo.0.1\n",
    "x = foo.0[1]\n",
    "x = foo[0].1\n",
    "x = 1.e5\n",
    "x = 1.\n",
    "x = 1..2\n",
    "x = 1e+\n",
    "x = 0x10\n",
    "x = 1.5.3\n",
    "x = 007\n",
    "x = 1e999999\n",
    "x = -1.5e-3\n",
    "x = a.*.b.*\n",
    "x = a[*][*]\n",
    "x = a.*[0]\n",
    "x = a[*].b.c[0]\n",
    "x = a.\"b\"\n",
    "x = a.b-c\n",
    "x = a -b\n",
    "x = !!true\n",
    "x = - - 1\n",
    "x = 1 == 2 == 3\n",
    "x = a ? b : c ? d : e\n",
    "x = (a)\n",
    "x = ()\n",
    # strings and templates
    'x = "\\u00e9"\n',
    'x = "\\U0001F600"\n',
    'x = "\\uD800"\n',
    'x = "\\U00110000"\n',
    'x = "\\u00"\n',
    'x = "\\q"\n',
    'x = "\\$"\n',
    'x = "$${a}"\n',
    'x = "%%{a}"\n',
    'x = "$$${a}"\n',
    'x = "${"}"}"\n',
    'x = "${"${"a"}"}"\n',
    'x = "${a}${b}"\n',
    'x = "${}"\n',
    'x = "${ a ~}"\n',
    'x = "a\nb"\n',
    'x = "a\rb"\n',
    'x = "abc\n',
    "x = 'abc'\n",
    'x = "%{ if a }b%{ endif }"\n',
    'x = "%{ if a }b%{ else }c%{ endif }"\n',
    'x = "%{ if a }b"\n',
    'x = "%{ endif }"\n',
    'x = "%{ else }"\n',
    'x = "%{ for a in b }${a}%{ endfor }"\n',
    'x = "%{ for a, b in c ~} ${a} %{~ endfor }"\n',
    'x = "%{ for a in b }"\n',
    'x = "%{ if a }%{ endfor }"\n',
    'x = "%{ foo }"\n',
    'x = "~}"\n',
    'x = "${a ~ }"\n',
    # heredocs
    "x = <<EOT\nhello\nEOT\n",
    "x = <<EOT\nhello\nEOT",
    "x = <<EOT\nEOT\n",
    "x = <<-EOT\n    a\n  b\n  EOT\n",
    "x = <<-EOT\n\ta\n\t  b\n\tEOT\n",
    "x = <<EOT\n  EOT\n",
    "x = <<EOT\nEOTX\nEOT\n",
    "x = <<EOT hello\nEOT\n",
    "x = <<EOT\n${a}\nEOT\n",
    "x = <<EOT\n%{ if a }b%{ endif }\nEOT\n",
    "x = <<EOT\r\nhello\r\nEOT\r\n",
    "x = <<EOT\nhello\nEOT\ny = 1\n",
    "x = [<<EOT\nhello\nEOT\n, 1]\n",
    "x = <<EOT\nhello\nEOT\n + 1\n",
    "x = <<\nhello\n\n",
    "x = <<-\nEOT\n",
    "x = <<EOT\n\\n\nEOT\n",
    # for expressions
    "x = [for a in b : a]\n",
    "x = [for a, b in c : a if b]\n",
    "x = {for a, b in c : a => b}\n",
    "x = {for a, b in c : a => b...}\n",
    "x = [for a in b : a...]\n",
    "x = [for a in b : a => a]\n",
    "x = {for a in b : a}\n",
    "x = [for a in b]\n",
    "x = [for in b : a]\n",
    "x = [for a, b, c in d : a]\n",
    "x = {for = 1}\n",
    "x = {\"for\" = 1}\n",
    "x = {(for) = 1}\n",
    "x = {for: 1}\n",
    "x = {in = 1, if = 2}\n",
    "x = [for]\n",
    "for = 1\n",
    "in {}\n",
    "x = for\n",
    "x = if\n",
    # objects
    'x = {"a" = 1, b: 2, 3 = 3, (c) = 4, "${d}" = 5}\n',
    "x = {a.b = 1}\n",
    "x = {a = 1, a = 2}\n",
    "x = {a => 1}\n",
    "x = {a}\n",
    "x = {-1 = 2}\n",
    # whitespace, line endings, odd bytes
    "a = 1\r\nb = 2\r\n",
    "a = 1\rb = 2\n",
    "a = 1\r",
    "a\t=\t1\n",
    "\ufeffa = 1\n",
    "a = 1\n\ufeff",
    "a = \"\ufeff\"\n",
    "a = 1;\n",
    "a = `x`\n",
    "a = 1 // c",
    "a = 1 # c",
    "a = 1 /* c",
    "/* c */ a = 1\n",
    "a = /* c */ 1\n",
    "a = 1 /* c */\n",
    "a = [1, # c\n 2]\n",
    "a = {\n # c\n b = 1 // d\n}\n",
    "a = é\n",
    "é-ñ = 1\n",
    "a-b- = 1\n",
    "_ = 1\n",
    "-a = 1\n",
    "1a = 1\n",
    "a = 1\n}\n",
    "a {\n",
    "a = [\n",
    "a = (\n",
    "a = \"\n",
    "",
    "\n\n",
    "# only\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_cases(text: str) -> None:
    r, g = assert_same_verdict(text)
    if r.ok and g.value is not None:
        compare_literal_attributes(r, g)


# Inputs with NUL bytes: pygohcl passes a C string, so Go never sees past the NUL. The expected
# verdicts are hclsyntax's: NUL is an AnyUTF8 character, literal inside quoted strings, heredocs
# and comments, TokenInvalid ("Invalid character") anywhere else.
NUL_CASES = [
    ('a = "x\x00y"\n', True),
    ("a = <<EOT\nx\x00y\nEOT\n", True),
    ("# \x00\na = 1\n", True),
    ("/* \x00 */\na = 1\n", True),
    ("a = 1\n\x00", False),
    ("a = \x001\n", False),
    ("\x00", False),
]


@pytest.mark.parametrize(("text", "accepted"), NUL_CASES)
def test_nul_bytes(text: str, accepted: bool) -> None:
    r = parse(text, "x.hcl")
    assert r.ok == accepted, diags(r)
    head = text.split("\x00")[0]
    # Go's view of the prefix before the NUL must match bake's view of that prefix as well.
    assert_same_verdict(head)


def test_nul_bytes_as_bytes() -> None:
    assert parse(b'a = "x\x00y"\n', "x.hcl").ok
    assert not parse(b"a = 1\n\x00", "x.hcl").ok


# ------------------------------------------------------------------ bake bugs found by these tests

# Regression: a character hclsyntax calls invalid at the start of a line inside a block once made
# parse() fail an internal assertion instead of reporting "Invalid character".
INVALID_CHAR_IN_BLOCK = ["a {\n;}\n", "a {\n'", "a {\n`}\n", "a {\n\r", "a {\n\ufeff}\n",
                         "a {\n b {\n'}\n}\n", "a = \ne{\n'"]  # fmt: skip


@pytest.mark.parametrize("text", INVALID_CHAR_IN_BLOCK)
def test_invalid_char_at_line_start_in_block_is_a_diagnostic(text: str) -> None:
    assert_same_verdict(text)


# Regression: a lone CR before (or after) a heredoc's closing marker. hclsyntax's heredoc literal
# excludes CR, so it is an "Invalid character" and the marker is not recognised; bake once
# stripped the CR as indentation and accepted the heredoc.
HEREDOC_CR = ["a = <<EOT\n\rEOT\n", "a = <<EOT\n  \rEOT\n", "a = <<-EOT\n\r  EOT\n",
              "a = <<EOT\nx\n\r EOT\n", "a = <<EOT\nx\nEOT\r\r\n"]  # fmt: skip


@pytest.mark.parametrize("text", HEREDOC_CR)
def test_lone_cr_on_heredoc_marker_line_rejected_like_go(text: str) -> None:
    assert_same_verdict(text)

