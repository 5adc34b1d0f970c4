"""Check builder, provisioner and post-processor configs against the schemas of the types bake runs."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from .. import diagnostics as dg
from ..cty import types as T
from ..cty.convert import ConversionError, convert
from ..cty.values import Value
from ..hcl.parser import parse_expression
from ..hcl.typeexpr import type_constraint
from ..source import Range
from .schema_data import SCHEMAS

# bake's own builder (see the rootfs issue); Packer has no such type.
EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {
    "source:rootfs": {
        "base": {"type": "string", "required": True},
        "base_checksum": {"type": "string", "required": False},
        "output": {"type": "string", "required": False},
        "output_path": {"type": "string", "required": False},
    },
}


def schema(kind: str, type_name: str) -> dict[str, Any] | None:
    """The field schema of a type bake runs, or None for a type it has no driver for."""
    key = f"{kind}:{type_name}"
    return EXTRA_SCHEMAS.get(key) or SCHEMAS.get(key)


@cache
def _type(expr: str) -> T.Type:
    parsed = parse_expression(expr, "<schema>")
    assert parsed.expr is not None
    return type_constraint(parsed.expr)[0]


def check(
    kind: str,
    type_name: str,
    config: Mapping[str, Value],
    ranges: Mapping[str, Range],
    whole: Range,
    blocks: set[str] | frozenset[str] = frozenset(),
) -> tuple[dict[str, Value], list[dg.Diagnostic]]:
    """Convert a config to its schema's types, reporting unknown, missing and mistyped fields."""
    fields = schema(kind, type_name)
    assert fields is not None
    return _check(fields, config, ranges, whole, blocks)


def _check(
    fields: Mapping[str, Any],
    config: Mapping[str, Value],
    ranges: Mapping[str, Range],
    whole: Range,
    blocks: set[str] | frozenset[str],
) -> tuple[dict[str, Value], list[dg.Diagnostic]]:
    diags: list[dg.Diagnostic] = []
    out: dict[str, Value] = {}
    for name, value in config.items():
        spec = fields.get(name)
        rng = ranges.get(name, whole)
        if spec is None:
            what = "block type" if name in blocks else "argument"
            summary = "Unsupported block type" if what == "block type" else "Unsupported argument"
            detail = (
                f'Blocks of type "{name}" are not expected here.'
                if what == "block type"
                else f'An argument named "{name}" is not expected here.'
            )
            diags.append(dg.error(summary, detail, rng))
            continue
        if "block" in spec:
            items = value.elements() if value.known and isinstance(value.ty, T.Tuple) else ()
            if spec["block"] == "single" and len(items) > 1:
                diags.append(dg.error(f'Too many "{name}" blocks', f'Only one "{name}" block is allowed.', rng))
            out[name] = value
            continue
        try:
            out[name] = convert(value, _type(spec["type"]))
        except ConversionError as exc:
            diags.append(
                dg.error("Incorrect attribute value type", f'Inappropriate value for attribute "{name}": {exc}.', rng)
            )
    for name, spec in fields.items():
        if spec.get("required") and name not in config:
            diags.append(
                dg.error(
                    "Missing required argument",
                    f'The argument "{name}" is required, but no definition was found.',
                    whole,
                )
            )
    return out, diags
