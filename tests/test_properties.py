"""Properties of the front end: fmt is idempotent and never changes what a file means."""

from __future__ import annotations

from pathlib import Path

import pytest
from hclgen import documents
from hypothesis import HealthCheck, given, settings

from bake.compiler.hcl.format import format_source
from bake.compiler.hcl.parser import parse
from bake.compiler.hcl.syntax import without_ranges

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "benchmarks" / "corpus").glob("*.hcl")) + sorted((ROOT / "tests" / "format_cases").glob("*.hcl"))


def _tree(text: str) -> object:
    r = parse(text, "x.pkr.hcl")
    assert r.ok and r.file is not None, [(d.summary, d.range) for d in r.diagnostics]
    return without_ranges(r.file.body)


def _check(text: str) -> None:
    once = format_source(text, "x.pkr.hcl")
    assert format_source(once, "x.pkr.hcl") == once
    assert _tree(once) == _tree(text)


def test_without_ranges_drops_every_position() -> None:
    flat = repr(_tree('a "b" {\n  c = [for x in y : x.z[0] if x]\n  d = "${e}"\n}\n'))
    assert "byte" not in flat and "line" not in flat and "range" not in flat
    assert "'name': 'c'" in flat


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fmt_properties_on_real_templates(path: Path) -> None:
    _check(path.read_text(encoding="utf-8"))


@settings(max_examples=250, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_fmt_properties_on_generated_documents(text: str) -> None:
    if not parse(text, "x.pkr.hcl").ok:
        return  # the generator aims at valid HCL; the differential tests cover the rest
    _check(text)


def test_generated_documents_are_mostly_valid() -> None:
    """Guard against the property above passing vacuously."""
    from hypothesis import find

    doc = find(documents(), lambda t: parse(t, "x").ok and "{" in t and "${" in t,
               settings=settings(max_examples=2000, database=None, derandomize=True))
    assert doc
