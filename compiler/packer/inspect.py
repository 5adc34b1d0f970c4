"""`bake inspect`: the JSON and text views of a decoded template (sensitive values never shown)."""

from __future__ import annotations

from typing import Any

from ..cty import values as V
from ..cty.numbers import Num, format_number
from ..cty.values import Value
from .config import Provisioner, Template

SENSITIVE_TEXT = "<sensitive>"
UNKNOWN_TEXT = "<unknown>"


def value_json(v: Value) -> Any:
    """JSON data of a value: sensitive parts as "<sensitive>", unknown ones as "<unknown>"."""
    if V.SENSITIVE in v.marks:
        return SENSITIVE_TEXT
    if not v.known:
        return UNKNOWN_TEXT
    raw = v.raw
    if raw is None or isinstance(raw, (bool, str)):
        return raw
    if isinstance(raw, Num):
        if raw.is_int():
            return raw.to_int()
        if raw.inf:
            return format_number(raw)
        text = format_number(raw)
        return float(text) if float(text) == float(raw.q) and len(text) <= 17 else text
    if isinstance(raw, tuple):
        return [value_json(e) for e in raw]
    return {k: value_json(e) for k, e in sorted(raw.items())}


def _step(p: Provisioner) -> dict[str, Any]:
    out: dict[str, Any] = {"type": p.type}
    if p.name:
        out["name"] = p.name
    for field in ("pause_before", "max_retries", "timeout", "keep_input_artifact"):
        val = getattr(p, field)
        if val is not None:
            out[field] = val
    out.update({k: value_json(v) for k, v in sorted(p.config.items())})
    return out


def inspect_json(t: Template) -> dict[str, Any]:
    """The `bake inspect --format json` document (see DESIGN.md)."""
    variables = {}
    for name, var in sorted(t.variables.items()):
        entry: dict[str, Any] = {
            "type": var.type.type_expr(),
            "value": SENSITIVE_TEXT if var.sensitive else (value_json(var.value) if var.value is not None else None),
            "source": var.source,
        }
        if var.description:
            entry["description"] = var.description
        if var.sensitive:
            entry["sensitive"] = True
        variables[name] = entry
    builds = []
    for b in t.builds:
        sources = []
        for s in b.sources:
            sources.append(s.full_name)
        first = b.sources[0] if b.sources else None
        builds.append(
            {
                "name": b.name,
                "description": b.description,
                "sources": sources,
                "provisioners": [_step(p) for p in first.provisioners] if first else [],
                "post_processors": [[_step(p) for p in chain] for chain in first.post_processors] if first else [],
                "per_source": {
                    s.full_name: {
                        "type": s.type,
                        "name": s.name,
                        "config": {k: value_json(v) for k, v in sorted(s.config.items())},
                        "provisioners": [_step(p) for p in s.provisioners],
                        "error_cleanup_provisioner": _step(s.error_cleanup) if s.error_cleanup else None,
                        "post_processors": [[_step(p) for p in chain] for chain in s.post_processors],
                    }
                    for s in b.sources
                },
            }
        )
    return {
        "variables": variables,
        "locals": {n: value_json(lv.value) if lv.value is not None else None for n, lv in sorted(t.locals.items())},
        "required_plugins": {k: value_json(v) for k, v in sorted(t.required_plugins.items())},
        "builds": builds,
    }


def inspect_text(t: Template) -> str:
    """Packer-like human view."""
    lines = ["Packer Inspect: HCL2 mode", "", "> input-variables:", ""]
    for name, var in sorted(t.variables.items()):
        shown = SENSITIVE_TEXT if var.sensitive else (V.render(var.value) if var.value is not None else "<unset>")
        lines.append(f"var.{name}: {shown}")
    lines += ["", "> local-variables:", ""]
    for name, lv in sorted(t.locals.items()):
        lines.append(f"local.{name}: {V.render(lv.value) if lv.value is not None else '<unknown>'}")
    lines += ["", "> builds:", ""]
    for b in t.builds:
        lines.append(f"  > {b.name or '<unnamed build>'}:")
        if b.description:
            lines.append(f"    {b.description}")
        lines.append("")
        lines.append("    sources:")
        lines.append("")
        for s in b.sources:
            lines.append(f"      {s.type}.{s.name}")
        first = b.sources[0] if b.sources else None
        if first is not None:
            lines += ["", "    provisioners:", ""]
            lines += [f"      {p.type}" for p in first.provisioners]
            lines += ["", "    post-processors:", ""]
            for i, chain in enumerate(first.post_processors):
                lines.append(f"      {i}:")
                lines += [f"        {p.type}" for p in chain]
        lines.append("")
    return "\n".join(lines) + "\n"
