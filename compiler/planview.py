"""Render plans for people (text like `terraform plan`, markdown for pull requests) and explain diffs."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from . import planfile as pf

MARK = {"run": "+", "cached": "=", "changed": "~"}


def short(key: str) -> str:
    """The first 12 hex digits of a key."""
    return key.split(":", 1)[-1][:12]


def step_label(s: pf.Step) -> str:
    label = f"{s.kind} {s.type}"
    if s.chain is not None:
        label += f" (chain {s.chain})"
    if s.name:
        label += f' "{s.name}"'
    return label


def step_states(plan: pf.Plan, cached: Collection[str], old: pf.Plan | None) -> dict[str, str]:
    """run, cached or changed for every step key of the plan."""
    old_keys = {s.key for b in old.builds for s in b.steps} if old is not None else None
    states: dict[str, str] = {}
    for b in plan.builds:
        for s in b.steps:
            if s.key in cached:
                states[s.key] = "cached"
            elif old_keys is not None and s.key not in old_keys:
                states[s.key] = "changed"
            else:
                states[s.key] = "run"
    return states


def summary(plan: pf.Plan, states: dict[str, str]) -> str:
    run = sum(1 for b in plan.builds for s in b.steps if states[s.key] != "cached")
    cached = sum(1 for b in plan.builds for s in b.steps if states[s.key] == "cached")
    noun = "build" if len(plan.builds) == 1 else "builds"
    return f"Plan: {len(plan.builds)} {noun}, {run} steps to run, {cached} cached."


def render_text(plan: pf.Plan, cached: Collection[str] = (), old: pf.Plan | None = None) -> str:
    states = step_states(plan, cached, old)
    out = [f"bake plan {plan.plan_hash}", ""]
    causes = explain(old, plan) if old is not None else {}
    for b in plan.builds:
        flag = "" if b.supported else "  (not supported by bake yet: apply will refuse it)"
        out.append(f"  build {b.name} ({b.builder}){flag}")
        for s in b.steps:
            state = states[s.key]
            line = f"    {MARK[state]} {short(s.key)}  {step_label(s)}"
            if state == "cached":
                line += "  (cached)"
            out.append(line)
            for cause in causes.get(s.key, []):
                out.append(f"        because {cause}")
            for path, digest in sorted(s.files.items()):
                out.append(f"        reads {path} {short(digest)}")
        out.append("")
    if old is not None:
        from .planner import changed_inputs

        inputs = changed_inputs(old, plan)
        if inputs:
            out.append("  inputs changed since the compared plan:")
            for k, (a, b_) in inputs.items():
                out.append(f"    {k}: {'<absent>' if a is None else a} -> {'<absent>' if b_ is None else b_}")
            out.append("")
    if plan.inputs.sensitive:
        out.append(
            "  sensitive variables (values never shown): "
            + ", ".join(f"{k} <sensitive> from {v}" for k, v in sorted(plan.inputs.sensitive.items()))
        )
        out.append("")
    out.append(summary(plan, states))
    return "\n".join(out) + "\n"


def render_markdown(plan: pf.Plan, cached: Collection[str] = (), old: pf.Plan | None = None) -> str:
    states = step_states(plan, cached, old)
    causes = explain(old, plan) if old is not None else {}
    out = [f"### bake plan `{short(plan.plan_hash)}`", "", f"**{summary(plan, states)}**", ""]
    for b in plan.builds:
        support = "" if b.supported else " — *not supported by bake yet*"
        out += [f"#### `{b.name}` ({b.builder}){support}", "", "| | key | step | reads |", "|---|---|---|---|"]
        for s in b.steps:
            reads = "<br>".join(f"`{p}`" for p in sorted(s.files))
            why = "<br>".join(causes.get(s.key, []))
            step = step_label(s) + (f"<br>*{why}*" if why else "")
            out.append(f"| `{MARK[states[s.key]]}` | `{short(s.key)}` | {step} | {reads} |")
        out.append("")
    if plan.inputs.sensitive:
        names = ", ".join(f"`{k}`" for k in sorted(plan.inputs.sensitive))
        out += [f"Sensitive variables (never shown): {names}", ""]
    return "\n".join(out)


def render_json(plan: pf.Plan, cached: Collection[str] = (), old: pf.Plan | None = None) -> dict[str, Any]:
    """The plan with each step's state, for tools."""
    states = step_states(plan, cached, old)
    return {
        "plan_hash": plan.plan_hash,
        "summary": summary(plan, states),
        "builds": [
            {
                "name": b.name,
                "builder": b.builder,
                "supported": b.supported,
                "steps": [
                    {"key": s.key, "kind": s.kind, "type": s.type, "chain": s.chain, "state": states[s.key]}
                    for s in b.steps
                ],
            }
            for b in plan.builds
        ],
        "to_run": sum(1 for v in states.values() if v != "cached"),
    }


def explain(old: pf.Plan | None, new: pf.Plan) -> dict[str, list[str]]:
    """For each step of `new` whose key is not in `old`: what changed (config field, file, parent)."""
    if old is None:
        return {}
    old_builds = {b.name: b for b in old.builds}
    out: dict[str, list[str]] = {}
    for b in new.builds:
        ob = old_builds.get(b.name)
        if ob is None:
            for s in b.steps:
                out[s.key] = ["the build is new"]
            continue
        old_steps = list(ob.steps)
        for i, s in enumerate(b.steps):
            if i >= len(old_steps):
                out[s.key] = ["the step is new"]
                continue
            o = old_steps[i]
            if o.key == s.key:
                continue
            causes: list[str] = []
            if (o.kind, o.type) != (s.kind, s.type):
                causes.append(f"the step changed from {o.kind} {o.type}")
            for field in sorted(set(o.config) | set(s.config)):
                if o.config.get(field) != s.config.get(field):
                    causes.append(f'config "{field}" changed')
            for path in sorted(set(o.files) | set(s.files)):
                if o.files.get(path) != s.files.get(path):
                    causes.append(f"file {path} changed")
            if not causes:
                causes.append("an earlier step changed")
            out[s.key] = causes
    return out


def render_diff(old: pf.Plan, new: pf.Plan) -> str:
    """Which steps' keys changed between two plans, and the inputs behind each change."""
    from .planner import changed_inputs

    causes = explain(old, new)
    out = [f"--- {old.plan_hash}", f"+++ {new.plan_hash}", ""]
    changed = 0
    for b in new.builds:
        lines = []
        for s in b.steps:
            if s.key in causes:
                changed += 1
                lines.append(f"  ~ {step_label(s)}: {short(s.key)}  because {'; '.join(causes[s.key])}")
        if lines:
            out.append(f"build {b.name}")
            out += lines
    gone = sorted({b.name for b in old.builds} - {b.name for b in new.builds})
    for name in gone:
        out.append(f"- build {name} (removed)")
    inputs = changed_inputs(old, new)
    if inputs:
        out += ["", "inputs that changed:"]
        for k, (a, b_) in inputs.items():
            shown_a = "<absent>" if a is None else a
            shown_b = "<absent>" if b_ is None else b_
            out.append(f"  {k}: {shown_a} -> {shown_b}")
    out += ["", f"{changed} steps changed."]
    return "\n".join(out) + "\n"
