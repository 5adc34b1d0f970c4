"""Parser behaviour: tree shapes, ranges, templates, heredocs, keywords and error recovery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bake.compiler.hcl import syntax as sx
from bake.compiler.hcl.parser import parse

SUITE = Path(__file__).parent / "specsuite"


def body(src: str) -> sx.Body:
    r = parse(src, "t.hcl")
    assert r.ok, [(d.summary, d.range) for d in r.diagnostics]
    assert r.file is not None
    return r.file.body


def expr(src: str) -> sx.Expr:
    attr = body(f"x = {src}\n").attribute("x")
    assert attr is not None
    return attr.expr


def errors(src: str) -> list[tuple[str, int, int]]:
    r = parse(src, "t.hcl")
    return [(d.summary, d.range.start.line, d.range.start.column) for d in r.diagnostics if d.range]


def tmpl_value(e: sx.Expr, env: dict[str, Any]) -> Any:
    """Evaluate a template made of literals and variables (enough for the spec suite's heredocs)."""
    if isinstance(e, sx.TemplateLiteral):
        return e.value
    if isinstance(e, sx.Variable):
        return env[e.name]
    if isinstance(e, sx.TemplateWrap):
        return tmpl_value(e.wrapped, env)
    assert isinstance(e, sx.Template), e
    return "".join(str(tmpl_value(p, env)) for p in e.parts)


def test_precedence_and_associativity() -> None:
    e = expr("1 + 2 * 3 - 4 / 2 % 5")
    assert isinstance(e, sx.BinaryOp) and e.op == "-"
    assert isinstance(e.lhs, sx.BinaryOp) and e.lhs.op == "+"
    assert isinstance(e.lhs.rhs, sx.BinaryOp) and e.lhs.rhs.op == "*"
    assert isinstance(e.rhs, sx.BinaryOp) and e.rhs.op == "%"
    assert isinstance(e.rhs.lhs, sx.BinaryOp) and e.rhs.lhs.op == "/"
    e = expr("a || b && c == d < e + f")
    ops = []
    while isinstance(e, sx.BinaryOp):
        ops.append(e.op)
        e = e.rhs
    assert ops == ["||", "&&", "==", "<", "+"]
    c = expr("a ? b : c ? d : e")
    assert isinstance(c, sx.Conditional) and isinstance(c.false_expr, sx.Conditional)


def test_unary_binds_tighter_than_binary() -> None:
    e = expr("-46 + 5")
    assert isinstance(e, sx.BinaryOp) and isinstance(e.lhs, sx.UnaryOp)
    n = expr("!a.b")
    assert isinstance(n, sx.UnaryOp) and isinstance(n.operand, sx.GetAttr)


def test_literals() -> None:
    assert expr("true") == sx.BoolLit(expr("true").range, True)
    assert isinstance(expr("null"), sx.NullLit)
    n = expr("3.14159265358979323846264338327950288419716939937510582097494459")
    assert isinstance(n, sx.NumberLit) and n.text.endswith("459")
    assert isinstance(expr("1e10"), sx.NumberLit)


def test_string_escapes() -> None:
    e = expr(r'"a\nb\t\"\\ \u00e9 \U0001F600 $${x} %%{y}"')
    assert isinstance(e, sx.Template)
    assert tmpl_value(e, {}) == 'a\nb\t"\\ é 😀 ${x} %{y}'
    # a backslash-n pair must not be decoded twice
    assert tmpl_value(expr(r'"a\\nb"'), {}) == "a\\nb"


def test_invalid_escapes() -> None:
    assert [s for s, *_ in errors('x = "\\q"\n')] == ["Invalid escape sequence"]
    assert [s for s, *_ in errors('x = "\\u12"\n')] == ["Invalid escape sequence"]


def test_interpolation_unwrapping() -> None:
    assert isinstance(expr('"${a}"'), sx.TemplateWrap)
    assert isinstance(expr('"x${a}"'), sx.Template)
    assert isinstance(expr('"${a}${b}"'), sx.Template)
    assert isinstance(expr('"%{ for v in a }${v}%{ endfor }"'), sx.Template)


def test_strip_markers() -> None:
    assert tmpl_value(expr('"hello ${~ "world" }"'), {}) == "helloworld"
    t = expr('"%{ if true ~} hello %{~ endif }"')
    assert isinstance(t, sx.Template) and isinstance(t.parts[0], sx.TemplateIf)
    then = t.parts[0].then
    assert [p.value for p in then.parts if isinstance(p, sx.TemplateLiteral)] == ["hello"]
    t = expr('"${"hello" ~}${" world"}"')
    assert isinstance(t, sx.Template) and len(t.parts) == 2


def test_template_directives() -> None:
    t = expr('"%{ if a }x%{ else }y%{ endif }"')
    assert isinstance(t, sx.Template)
    d = t.parts[0]
    assert isinstance(d, sx.TemplateIf) and d.otherwise is not None
    assert tmpl_value(d.then, {}) == "x" and tmpl_value(d.otherwise, {}) == "y"
    t = expr('"%{ for k, v in m }${k}=${v};%{ endfor }"')
    assert isinstance(t, sx.Template)
    f = t.parts[0]
    assert isinstance(f, sx.TemplateFor) and f.key_var == "k" and f.value_var == "v"
    nested = expr('"%{ if a }%{ for v in b }%{ if v }1%{ endif }%{ endfor }%{ endif }"')
    assert isinstance(nested, sx.Template)


def test_spec_heredoc_values() -> None:
    """The heredoc spec case's expected results, for the templates made of literals and variables."""
    b = body((SUITE / "expressions" / "heredoc.hcl").read_text())
    t_body = body((SUITE / "expressions" / "heredoc.t").read_text())
    env = {"bar": "Bar", "space_bar": "  Bar"}
    result = t_body.attribute("result")
    assert result is not None and isinstance(result.expr, sx.Object)
    checked = 0
    for group in result.expr.items:
        assert isinstance(group.key, sx.Variable)
        got_attr = b.attribute(group.key.name)
        assert got_attr is not None and isinstance(got_attr.expr, sx.Object)
        got = {i.key.name: i.value for i in got_attr.expr.items if isinstance(i.key, sx.Variable)}
        assert isinstance(group.value, sx.Object)
        for item in group.value.items:
            assert isinstance(item.key, sx.Variable)
            assert tmpl_value(got[item.key.name], env) == tmpl_value(item.value, {}), item.key.name
            checked += 1
    assert checked == 18


def test_heredoc_marker_rules() -> None:
    assert tmpl_value(expr("<<EOT\nEOTX\nxEOT\n  EOT\n"), {}) == "EOTX\nxEOT\n"
    assert tmpl_value(expr("<<-EOT\n  a\n   b\n  EOT\n"), {}) == "a\n b\n"
    # CRLF line endings
    assert tmpl_value(expr("<<EOT\r\na\r\nEOT\r\n"), {}) == "a\r\n"


def test_collections_and_for() -> None:
    t = expr("[\n  1,\n  2,\n]")
    assert isinstance(t, sx.Tuple) and len(t.items) == 2
    o = expr('{\n  a = 1\n  "b" = 2, c: 3,\n  (d) = 4\n}')
    assert isinstance(o, sx.Object)
    assert [i.bare_key for i in o.items] == [True, False, True, False]
    f = expr("{ for i, v in xs : v => i... if i < 2 }")
    assert isinstance(f, sx.For) and f.is_object and f.group and f.key_var == "i"
    f2 = expr("[\n for v in xs :\n v\n ]")
    assert isinstance(f2, sx.For) and not f2.is_object
    f3 = expr("{\n  for k, v in m : k => v\n}")
    assert isinstance(f3, sx.For) and f3.is_object


def test_for_keyword_rules() -> None:
    assert errors("x = [for, foo]\n")
    assert errors("x = {for = 1, baz = 2}\n")
    o = expr("{baz = 2, for = 1}")
    assert isinstance(o, sx.Object) and len(o.items) == 2
    t = expr("[(for), foo]")
    assert isinstance(t, sx.Tuple)
    assert [s for s, *_ in errors("x = [for k, v in a : k => v]\n")] == ["Invalid 'for' expression"]
    assert [s for s, *_ in errors("x = {for v in a : v}\n")] == ["Invalid 'for' expression"]


def test_splats_and_traversals() -> None:
    s = expr("a.*.b.c[0]")
    assert isinstance(s, sx.Index) and isinstance(s.source, sx.Splat) and not s.source.full
    f = expr("a[*].b.c[0]")
    assert isinstance(f, sx.Splat) and f.full and isinstance(f.each, sx.Index)
    li = expr("a.0.b")
    assert isinstance(li, sx.GetAttr) and isinstance(li.source, sx.Index) and li.source.legacy
    assert [s for s, *_ in errors("x = a.0.1\n")] == ["Invalid legacy index syntax"]
    assert [s for s, *_ in errors("x = a.*.*\n")]


def test_function_calls() -> None:
    c = expr("concat(a, b...)")
    assert isinstance(c, sx.FunctionCall) and c.expand_final and len(c.args) == 2
    ns = expr("provider::aws::arn_parse(x)")
    assert isinstance(ns, sx.FunctionCall) and ns.name == "provider::aws::arn_parse"
    multi = expr("f(\n  1,\n  2,\n)")
    assert isinstance(multi, sx.FunctionCall) and len(multi.args) == 2


def test_identifiers_unicode_and_dash() -> None:
    b = body("héllo-wörld_2 = 1\nЖ = a-b\n")
    assert [a.name for a in b.attributes] == ["héllo-wörld_2", "Ж"]
    v = b.attribute("Ж")
    assert v is not None and isinstance(v.expr, sx.Variable) and v.expr.name == "a-b"


def test_blocks_labels_ranges() -> None:
    r = parse('é = 1\nsource "docker" ubuntu {\n  image = "x"\n}\n', "t.hcl")
    assert r.ok and r.file is not None
    blk = r.file.body.blocks[0]
    assert blk.labels == ("docker", "ubuntu")
    assert (blk.type_range.start.line, blk.type_range.start.column) == (2, 1)
    assert blk.type_range.start.byte == 7  # "é" is two bytes
    assert (blk.label_ranges[1].start.column, blk.label_ranges[1].end.column) == (17, 23)
    a = r.file.body.attributes[0]
    assert (a.name_range.start.column, a.name_range.end.column, a.name_range.end.byte) == (1, 2, 2)


def test_comments_kept() -> None:
    r = parse("# one\na = 1 // two\n/* three */ b = 2\n", "t.hcl")
    assert r.ok and r.file is not None
    assert [c.text for c in r.file.comments] == ["# one", "// two", "/* three */"]


def test_attribute_redefined() -> None:
    assert errors("a = 1\na = 2\n") == [("Attribute redefined", 2, 1)]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (
            "a = 1\nb = 2 3\nc = [1, 2\nd = 4\n",
            [("Missing newline after argument", 2, 7), ("Missing item separator", 4, 1)],
        ),
        ('"a" = 1\n', [("Invalid argument name", 1, 1)]),
        ("a b = 1\n", [("Invalid block definition", 1, 5)]),
        ("a\n", [("Argument or block definition required", 1, 1)]),
        ("a b\n", [("Invalid block definition", 1, 4)]),
        ("a = \n", [("Invalid expression", 1, 5)]),
        ("a = [1 2]\n", [("Missing item separator", 1, 8)]),
        ("a = {b = 1 c = 2}\n", [("Missing attribute separator", 1, 12)]),
        ("a = {b 1}\n", [("Missing key/value separator", 1, 8)]),
        ("a = f(1 2)\n", [("Missing argument separator", 1, 9)]),
        ("a = (1 2)\n", [("Unbalanced parentheses", 1, 8)]),
        ("a = x[1\n", [("Missing close bracket on index", 2, 1)]),
        ("a = x ? y\n", [("Missing false expression in conditional", 1, 10)]),
        ("a = x.\n", [("Invalid attribute name", 1, 7)]),
        ('a = "${x y}"\n', [("Extra characters after interpolation expression", 1, 10)]),
        ('a = "%{ endif }"\n', [("Unexpected endif directive", 1, 9)]),
        ('a = "%{ bogus }"\n', [("Invalid template control keyword", 1, 9)]),
        ('a = "%{ if x }"\n', [("Unexpected end of template", 1, 15)]),
        ('a "${x}" {\n}\n', [("Invalid string literal", 1, 4)]),
        ("a = <<EOT\nabc\n", [("Unterminated template string", 1, 5)]),
        ('a = "abc\nb = 1\n', [("Invalid multi-line string", 1, 9)]),
        ("a = [1,\n", [("Missing expression", 2, 1)]),
        ("a = [1\n", [("Unterminated tuple constructor expression", 1, 5)]),
        ("a {\n  b {\n    c = 1\n", [("Unclosed configuration block", 2, 5)]),
        ("a { b = 1 }c = 2\n", [("Missing newline after block definition", 1, 12)]),
        ("a = 1 & 2\n", [("Unsupported operator", 1, 7)]),
        ("a = 'x'\n", [("Invalid character", 1, 5)]),
    ],
)
def test_error_messages(src: str, expected: list[tuple[str, int, int]]) -> None:
    assert errors(src) == expected


def test_recovery_reports_each_error_without_cascade() -> None:
    src = (
        "a = 1 +\n"
        "b {\n"
        "  c = [1 2]\n"
        "  d = 3\n"
        "}\n"
        "e = {x = 1,, y = 2}\n"
        "f = 4 5\n"
        "g = 6\n"
    )
    r = parse(src, "t.hcl")
    got = [(d.range.start.line, d.summary) for d in r.diagnostics if d.range]
    assert got == [
        (1, "Invalid expression"),
        (3, "Missing item separator"),
        (6, "Invalid expression"),
        (7, "Missing newline after argument"),
    ]
    assert r.file is not None
    names = [a.name for a in r.file.body.attributes]
    assert names == ["g"]
    assert [a.name for a in r.file.body.blocks[0].body.attributes] == ["d"]


def test_messages_never_name_grammar_terminals() -> None:
    terminals = ("LSQB", "RBRACE", "CBRACE", "OBRACE", "QLIT", "HLIT", "IDENT", "NEWLINE", "$END")
    for src in ["a = [", "a = {", "a {", "a = f(", "a = \"${", "a = 1 +", "}", "a = 1 2", "a = x[*"]:
        for d in parse(src, "t.hcl").diagnostics:
            assert not any(term in d.summary or term in d.detail for term in terminals), d


def test_leading_byte_order_mark_is_skipped_like_hclsyntax() -> None:
    r = parse(b"\xef\xbb\xbfa = 1\nb = 2\n", "t.hcl")
    assert r.ok and r.file is not None
    rng = r.file.body.attributes[0].name_range
    assert (rng.start.line, rng.start.column, rng.start.byte) == (1, 1, 3)
