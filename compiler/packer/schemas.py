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
        "changes": {"type": "list(string)", "required": False},  # oci output: the image config, as docker's
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
    where: Mapping[str, Range],
    whole: Range,
) -> tuple[dict[str, Value], list[dg.Diagnostic]]:
    """Convert a config to its schema's types, reporting unknown, missing and mistyped fields.

    `where` holds each name's range (a block under "<name> block"), consulted only for errors.
    """
    fields = schema(kind, type_name)
    assert fields is not None
    diags: list[dg.Diagnostic] = []
    out: dict[str, Value] = {}

    def rng(name: str) -> Range:
        return where.get(name) or where.get(f"{name} block") or whole

    for name, value in config.items():
        spec = fields.get(name)
        if spec is None:
            if f"{name} block" in where and name not in where:
                diags.append(
                    dg.error("Unsupported block type", f'Blocks of type "{name}" are not expected here.', rng(name))
                )
            else:
                diags.append(
                    dg.error("Unsupported argument", f'An argument named "{name}" is not expected here.', rng(name))
                )
            continue
        if "block" in spec:
            items = value.elements() if value.known and isinstance(value.ty, T.Tuple) else ()
            if spec["block"] == "single" and len(items) > 1:
                diags.append(dg.error(f'Too many "{name}" blocks', f'Only one "{name}" block is allowed.', rng(name)))
            out[name] = value
            continue
        try:
            out[name] = convert(value, _type(spec["type"]))
        except ConversionError as exc:
            diags.append(
                dg.error(
                    "Incorrect attribute value type", f'Inappropriate value for attribute "{name}": {exc}.', rng(name)
                )
            )
    for name in _required(kind, type_name):
        if name not in config:
            detail = f'The argument "{name}" is required, but no definition was found.'
            diags.append(dg.error("Missing required argument", detail, whole))
    return out, diags


@cache
def _required(kind: str, type_name: str) -> tuple[str, ...]:
    fields = schema(kind, type_name) or {}
    return tuple(name for name, spec in fields.items() if spec.get("required"))
