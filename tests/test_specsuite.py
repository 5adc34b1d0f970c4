"""HCL's own spec suite: syntax positions of every error, and clean parses of every valid file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bake.compiler.cty import values as V
from bake.compiler.cty.convert import convert
from bake.compiler.cty.values import Value
from bake.compiler.functions import all_functions
from bake.compiler.hcl import syntax as sx
from bake.compiler.hcl.eval import Scope, equals, evaluate
from bake.compiler.hcl.literals import literal_value
from bake.compiler.hcl.parser import parse
from bake.compiler.hcl.typeexpr import type_constraint

SUITE = Path(__file__).parent / "specsuite"
CASES = sorted(SUITE.rglob("*.hcl"))


def _expected_errors(tfile: Path) -> set[tuple[int, int, int]]:
    """The `from` positions of the error diagnostics a .t file expects (the .t file is HCL too)."""
    result = parse(tfile.read_bytes(), str(tfile))
    assert result.ok and result.file is not None, result.diagnostics
    out: set[tuple[int, int, int]] = set()
    for block in result.file.body.blocks:
        if block.type != "diagnostics":
            continue
        for err in block.body.blocks:
            assert err.type == "error"
            (frm,) = [b for b in err.body.blocks if b.type == "from"]
            vals = {}
            for a in frm.body.attributes:
                assert isinstance(a.expr, sx.NumberLit)
                vals[a.name] = int(a.expr.text)
            out.add((vals["line"], vals["column"], vals["byte"]))
    return out


def _schema_errors(hcl: Path, spec: Path, body: sx.Body) -> set[tuple[int, int, int]]:
    """Errors an hcldec `object { attr "x" {} }` spec gives for arguments it doesn't declare."""
    parsed = parse(spec.read_bytes(), str(spec))
    assert parsed.file is not None
    allowed: set[str] = set()
    for top in parsed.file.body.blocks:
        if top.type == "object":
            allowed |= {b.labels[0] for b in top.body.blocks if b.type == "attr"}
    if not allowed:
        return set()
    return {
        (a.name_range.start.line, a.name_range.start.column, a.name_range.start.byte)
        for a in body.attributes
        if a.name not in allowed
    }


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(SUITE)) for c in CASES])
def test_spec_case(case: Path) -> None:
    result = parse(case.read_bytes(), str(case))
    expected = _expected_errors(case.with_suffix(".t"))
    got = {
        (d.range.start.line, d.range.start.column, d.range.start.byte)
        for d in result.diagnostics
        if d.is_error and d.range is not None
    }
    if result.ok:
        assert result.file is not None
        # No syntax errors: whatever the .t expects must come from the hcldec schema.
        spec = case.with_suffix(".hcldec")
        assert _schema_errors(case, spec, result.file.body) == expected
    else:
        assert got == expected, [d.summary for d in result.diagnostics]
        assert expected, "a syntax error the suite does not expect"


def test_suite_is_present() -> None:
    assert len(CASES) >= 15
    error_cases = [c for c in CASES if _expected_errors(c.with_suffix(".t"))]
    assert len(error_cases) >= 4


def _result(tfile: Path) -> object:
    parsed = parse(tfile.read_bytes(), str(tfile))
    assert parsed.file is not None
    attr = parsed.file.body.attribute("result")
    if attr is None:
        return None
    ok, value = literal_value(attr.expr)
    assert ok
    return value


LITERAL_RESULT_CASES = [
    c for c in CASES if c.parent.name != "expressions" or c.stem == "primitive_literals"
]


@pytest.mark.parametrize("case", LITERAL_RESULT_CASES, ids=[str(c.relative_to(SUITE)) for c in LITERAL_RESULT_CASES])
def test_spec_literal_results(case: Path) -> None:
    """Where a .t file expects a result of literal attributes, the parsed literals equal it.

    The cases that need evaluation (operators, heredocs with variables) wait for the evaluator;
    their syntax is checked above and the heredoc strings in test_parser.
    """
    expected = _result(case.with_suffix(".t"))
    if expected is None or expected == "ok":
        return
    result = parse(case.read_bytes(), str(case))
    assert result.file is not None
    got = {}
    for attr in result.file.body.attributes:
        ok, value = literal_value(attr.expr)
        assert ok, attr.name
        got[attr.name] = value
    blocks = result.file.body.blocks
    if blocks:  # a single block whose body is the result (the one-line block case)
        assert len(blocks) == 1 and not got
        for attr in blocks[0].body.attributes:
            got[attr.name] = literal_value(attr.expr)[1]
    assert got == expected


def test_spec_literal_results_cover_values() -> None:
    checked = [c for c in LITERAL_RESULT_CASES if isinstance(_result(c.with_suffix(".t")), dict)]
    assert {c.stem for c in checked} >= {"primitive_literals", "expected", "single_oneline"}


# ---------------------------------------------------------------- results through the evaluator


def _hcldec(spec: sx.Block | sx.Body, body: sx.Body, scope: Scope) -> Value:
    """A small hcldec: `object`, `attr`, `block` and `block_map` specs, enough for the suite."""
    blocks = spec.blocks if isinstance(spec, sx.Body) else spec.body.blocks
    (root,) = [b for b in blocks if b.type in ("object", "block", "block_map", "attr")]
    return _decode_spec(root, body, scope)


def _decode_spec(spec: sx.Block, body: sx.Body, scope: Scope) -> Value:
    if spec.type == "object":
        out = {}
        for child in spec.body.blocks:
            out[child.labels[0]] = _decode_spec(child, body, scope)
        return V.object_of(out)
    if spec.type == "attr":
        ty_attr = spec.body.attribute("type")
        assert ty_attr is not None
        ty, _ = type_constraint(ty_attr.expr)
        attr = body.attribute(spec.labels[0])
        if attr is None:
            return V.null(ty)
        value, diags = evaluate(attr.expr, scope)
        assert not diags, diags
        return convert(value, ty)
    if spec.type == "block":
        type_attr = spec.body.attribute("block_type")
        name = spec.labels[0] if spec.labels else V.to_python(evaluate(type_attr.expr, Scope())[0])  # type: ignore[union-attr]
        (inner,) = spec.body.blocks
        (found,) = [b for b in body.blocks if b.type == name]
        return _decode_spec(inner, found.body, scope)
    assert spec.type == "block_map"
    (inner,) = spec.body.blocks
    out = {}
    for found in body.blocks:
        if found.type == spec.labels[0]:
            out[found.labels[0]] = _decode_spec(inner, found.body, scope)
    return V.map_of(out) if len({v.ty for v in out.values()}) <= 1 else V.object_of(out)


RESULT_CASES = [c for c in CASES if _result(c.with_suffix(".t")) not in (None, "ok")]


@pytest.mark.parametrize("case", RESULT_CASES, ids=[str(c.relative_to(SUITE)) for c in RESULT_CASES])
def test_spec_results_by_evaluation(case: Path) -> None:
    t = parse(case.with_suffix(".t").read_bytes(), "t")
    spec = parse(case.with_suffix(".hcldec").read_bytes(), "spec")
    src = parse(case.read_bytes(), str(case))
    assert t.file and spec.file and src.file
    variables = {}
    for vb in spec.file.body.blocks:
        if vb.type == "variables":
            variables = {a.name: evaluate(a.expr, Scope())[0] for a in vb.body.attributes}
    scope = Scope(variables, all_functions())
    got = _hcldec(spec.file.body, src.file.body, scope)
    result = t.file.body.attribute("result")
    assert result is not None
    expected, diags = evaluate(result.expr, Scope())
    assert not diags
    rtype = t.file.body.attribute("result_type")
    if rtype is not None:
        want, _ = type_constraint(rtype.expr)
        expected = convert(expected, want)
        got = convert(got, want)
    assert equals(got, expected) == V.TRUE, (V.render(got), V.render(expected))


def test_result_cases_include_the_evaluation_ones() -> None:
    assert {c.stem for c in RESULT_CASES} >= {"operators", "heredoc", "primitive_literals", "expected"}
