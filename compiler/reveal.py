"""Secrets for bake apply: re-plan the reviewed plan's template, check it is the same plan, hand back secrets."""

# bake apply never writes or hashes a secret. When a plan has steps that use one, apply runs this in
# a child process: it evaluates the template again from the same inputs (secrets from where the
# plan says they came from), checks that every step key is the reviewed one, and writes the
# configs with their secrets to its stdout, a pipe the parent reads. The runtime itself never
# imports the compiler.

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from typing import Any

from . import diagnostics as dg
from . import planfile as pf
from .cty import values as V


class RevealError(Exception):
    """The secrets cannot be obtained again for this plan."""


def _hcl_value(value: Any) -> str:
    """A JSON value as an HCL expression (JSON is HCL, but for template sequences in strings)."""
    text = json.dumps(value, ensure_ascii=False)
    return re.sub(r"([$%])\{", r"\1\1{", text)


def reveal(plan_path: str, extra_vars: Sequence[str] = ()) -> dict[str, Any]:
    """{"configs": configs with secrets of the steps that use any, "secrets": the secret strings to mask},
    checked against the plan's keys."""
    from .packer.config import Options, load
    from .planner import make_plan

    try:
        with open(plan_path, "rb") as fh:
            plan = pf.decode(fh.read(), plan_path)
    except (OSError, pf.PlanError) as exc:
        raise RevealError(str(exc)) from None
    ordered: list[tuple[str, str]] = []
    for name, origin in sorted(plan.inputs.sensitive.items()):
        if origin.startswith("var-file:"):
            ordered.append(("file", origin[len("var-file:") :]))
        elif origin.startswith("env:") and origin[4:] not in os.environ:
            raise RevealError(
                f'the sensitive variable "{name}" came from ${origin[4:]} when planning: set it again for bake apply'
            )
        elif origin == "arg" and not any(v.split("=", 1)[0] == name for v in extra_vars):
            raise RevealError(
                f'the sensitive variable "{name}" was given with -var when planning: give it again to bake apply '
                f"(-var {name}=...) or as PKR_VAR_{name}"
            )
    with tempfile.NamedTemporaryFile("w", suffix=".pkrvars.hcl", delete=False, encoding="utf-8") as fh:
        for name, value in sorted(plan.inputs.variables.items()):
            fh.write(f"{name} = {_hcl_value(value)}\n")
        values_file = fh.name
    try:
        ordered.append(("file", values_file))
        ordered.extend(("var", v) for v in extra_vars)
        env = dict(os.environ)
        options = Options(ordered=ordered, env=env, source_date_epoch=plan.inputs.source_date_epoch or None)
        template, diags, _ = load(plan.template or ".", options)
        if template is None or dg.has_errors(diags):
            first = next((d for d in diags if d.is_error), None)
            raise RevealError(f"the template no longer evaluates: {first.summary if first else 'unknown error'}")
        revealed: dict[str, dict[str, Any]] = {}
        again, more = make_plan(template, plan.template, revealed=revealed)
    finally:
        os.unlink(values_file)
    if again is None or dg.has_errors(more):
        raise RevealError("the template no longer plans")
    want = {b.name: [s.key for s in b.steps] for b in plan.builds}
    have = {b.name: [s.key for s in b.steps] for b in again.builds}
    for name, keys in want.items():
        if have.get(name) != keys:
            raise RevealError(
                f"the template or its inputs changed since the plan was made: build {name} plans differently now"
            )
    wanted = {s.key for b in plan.builds for s in b.steps}
    secrets: set[str] = set()
    for name, var in sorted(template.variables.items()):
        if not var.sensitive:
            continue
        if var.value is None or not var.value.is_wholly_known():
            raise RevealError(f'the sensitive variable "{name}" has no value now (it came from {var.origin})')
        for leaf in _leaves(V.to_python(var.value.unmark_deep()[0])):
            secrets.add(leaf)
            # output is masked line by line, so each line of a multi-line secret (a key file) too
            secrets.update(line.strip() for line in leaf.splitlines() if len(line.strip()) >= 3)
    return {
        "configs": {k: v for k, v in revealed.items() if k in wanted},
        "secrets": sorted((s for s in secrets if len(s) >= 3), key=lambda s: (-len(s), s)),
    }


def _leaves(value: Any) -> list[str]:
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None and not isinstance(item, bool):
            out.append(str(item))
    return out
