"""HCL's own spec suite: syntax positions of every error, and clean parses of every valid file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bake.compiler.hcl import syntax as sx
from bake.compiler.hcl.literals import literal_value
from bake.compiler.hcl.parser import parse

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
