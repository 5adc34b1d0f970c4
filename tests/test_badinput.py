"""Hostile input: every file gets positioned diagnostics quickly, never a traceback or a hang."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bake.compiler.hcl.parser import parse

DEEP = 20_000

HOSTILE = {
    "deep-brackets": b"a = " + b"[" * DEEP,
    "deep-parens": b"a = " + b"(" * DEEP,
    "deep-blocks": b"a {\n" * DEEP,
    "deep-objects": b"a = " + b"{" * DEEP,
    "deep-templates": b"a = " + b'"${' * DEEP,
    "deep-unary": b"a = " + b"-" * DEEP + b"1\n",
    "deep-not": b"a = " + b"!" * DEEP + b"x\n",
    "long-sum": b"a = " + b"1+" * DEEP + b"1\n",
    "long-traversal": b"a = x" + b".y" * DEEP + b"\n",
    "deep-conditional": b"a = " + b"x ? " * DEEP + b"1" + b" : 2" * DEEP + b"\n",
    "closers": b"}" * DEEP + b"]" * DEEP + b")" * DEEP,
    "unclosed-string-200k": b'a = "' + b"x" * 200_000,
    "unclosed-heredoc-200k": b"a = <<EOT\n" + b"xxxxxxxxxx\n" * 20_000,
    "unclosed-comment": b"a = 1\n/* " + b"x" * 200_000,
    "nul-bytes": b"a = 1\x00\nb = \x00\x00\n",
    "invalid-utf8": b'a = "\xff\xfe"\nb = \xc3\n',
    "bom-not-at-start": b"a = 1\n\xef\xbb\xbfb = 2\n",
    "random-bytes": bytes(random.Random(7).randrange(256) for _ in range(100_000)),
    "random-ascii": bytes(random.Random(8).choice(b'{}[]()"$%~=\n #/*<-abc.,:?!') for _ in range(100_000)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gets_positioned_diagnostic(name: str) -> None:
    data = HOSTILE[name]
    t0 = time.perf_counter()
    result = parse(data, name)
    elapsed = time.perf_counter() - t0
    assert not result.ok
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors and all(d.range is not None for d in errors)
    for d in errors:
        assert d.range is not None
        assert d.range.filename == name
        assert d.range.start.line >= 1 and d.range.start.column >= 1
        assert 0 <= d.range.start.byte <= len(data)
    # Not a timing assertion of performance, a guard against hangs: generous on a shared machine.
    assert elapsed < 20, elapsed


def test_deep_nesting_is_a_diagnostic_not_recursion_error() -> None:
    r = parse(HOSTILE["deep-brackets"], "x")
    assert [d.summary for d in r.diagnostics] == ["Nesting too deep"]
    r = parse(HOSTILE["deep-unary"], "x")
    assert [d.summary for d in r.diagnostics] == ["Expression too deeply nested"]


def test_invalid_utf8_position_counts_bytes() -> None:
    r = parse(b'a = "\xc3\xa9\xff"\n', "x")
    (d,) = [d for d in r.diagnostics if d.summary == "Invalid character encoding"]
    assert d.range is not None
    assert (d.range.start.line, d.range.start.column, d.range.start.byte) == (1, 7, 7)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    result = parse(data, "fuzz")
    for d in result.diagnostics:
        assert d.range is not None


_ALPHABET = st.sampled_from(
    ["a", "b", " ", "\n", "=", "{", "}", "[", "]", "(", ")", '"', "${", "%{", "~", "}", ",", ".",
     "*", "<<EOT\n", "EOT\n", "<<-X\n", "X", "for", "in", "if", "endif", "else", "endfor", ":",
     "=>", "...", "?", "1", "2.5", "#", "//", "/*", "*/", "\\", "-", "!", "&&", "\t", "é"]
)  # fmt: skip


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_token_soup_never_raises(text: str) -> None:
    result = parse(text, "soup")
    if result.ok:
        assert result.file is not None
    else:
        assert all(d.range is not None for d in result.diagnostics if d.is_error)
