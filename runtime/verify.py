"""Plan verification before anything runs: intact, of a known format, not stale, and runnable."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath
from typing import Any

from bake.compiler import planfile as pf


class PlanRefused(Exception):
    """bake apply will not start this plan (exit 3); the message says why."""


def load_plan(path: str) -> pf.Plan:
    """Read and check a plan file's integrity and format."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PlanRefused(f"cannot read {path}: {exc.strerror}") from None
    try:
        return pf.decode(data, path)
    except pf.PlanError as exc:
        raise PlanRefused(str(exc)) from None


def template_root(plan: pf.Plan) -> Path:
    """The template folder the plan's relative file names refer to (from the working folder)."""
    p = Path(plan.template or ".")
    return p if p.is_dir() or not p.suffix else p.parent


def _file_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return "sha256:" + hashlib.file_digest(fh, "sha256").hexdigest()


def _tree(path: Path) -> str:
    entries: list[list[Any]] = []
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(path, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames.clear()
            continue
        seen.add(real)
        for fname in filenames:
            f = Path(dirpath, fname)
            rel = PurePosixPath(f.relative_to(path)).as_posix()
            entries.append([rel, pf.file_mode(f.stat().st_mode), _file_digest(f)])
    return pf.tree_digest(entries)


def check_fresh(plan: pf.Plan, root: Path | None = None) -> None:
    """Refuse a plan whose recorded input files changed since it was made."""
    root = root or template_root(plan)
    for name, want in sorted(plan.inputs.files.items()):
        if name.startswith(("<sensitive", "exists:", "fileset:")):
            continue  # recorded by digest of something that is not a file here
        path = root / name
        try:
            have = _tree(path) if name.endswith("/") else _file_digest(path)
        except FileNotFoundError:
            raise PlanRefused(f"plan is stale: {name} no longer exists since the plan was made") from None
        except OSError as exc:
            raise PlanRefused(f"plan is stale: {name} cannot be read ({exc.strerror})") from None
        if have != want:
            raise PlanRefused(f"plan is stale: {name} changed since the plan was made")
        mode = plan.inputs.modes.get(name)
        if mode is not None and not name.endswith("/") and pf.file_mode(path.stat().st_mode) != mode:
            raise PlanRefused(f"plan is stale: the mode of {name} changed since the plan was made")


def check_supported(plan: pf.Plan) -> None:
    """Refuse builds bake has no driver for, by name."""
    bad = [b.name for b in plan.builds if not b.supported]
    if bad:
        raise PlanRefused(
            "bake cannot run these builds yet (a builder, provisioner or post-processor without a driver): "
            + ", ".join(bad)
        )


def verify(path: str) -> tuple[pf.Plan, Path]:
    """Everything bake apply checks before it starts anything."""
    plan = load_plan(path)
    root = template_root(plan)
    if not root.is_dir():
        raise PlanRefused(
            f"the plan's template {plan.template or '.'} is not found from this folder ({os.getcwd()}): "
            "run bake apply in the folder where bake plan ran"
        )
    check_fresh(plan, root)
    check_supported(plan)
    return plan, root
