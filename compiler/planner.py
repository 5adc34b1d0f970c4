"""The pure planner: a decoded template in, a content-hashed plan with chained cache keys out."""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

from bake import __version__

from . import diagnostics as dg
from . import planfile as pf
from .cty import values as V
from .cty.numbers import Num, format_number
from .cty.values import Value
from .inputs import InputError, Inputs
from .packer.config import BuildSource, Provisioner, Template

# Fields that shape the final artifact, not the container the steps run in: they go to finalize.
FINALIZE_FIELDS: dict[str, frozenset[str]] = {
    "docker": frozenset({"changes", "commit", "discard", "export_path", "author", "message"}),
    "rootfs": frozenset({"output", "output_path", "changes"}),
}
# Step options that never change a step's result: in the plan, outside the keys.
COSMETIC = ("name", "timeout", "pause_before", "max_retries")
# Config fields naming files a step reads from the machine that runs bake.
FILE_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("provisioner", "shell"): ("script", "scripts"),
    ("provisioner", "shell-local"): ("script", "scripts"),
    ("post-processor", "shell-local"): ("script", "scripts"),
    ("provisioner", "file"): ("source", "sources"),
}

SENSITIVE = {"$sensitive": True}


def to_json(v: Value, reveal: bool = False) -> Any:
    """Plan data of a value: no floats (non-integers as decimal strings), secrets and unknowns as markers.

    `reveal` keeps the secrets (for bake apply, through a pipe; never for a plan file).
    """
    if V.SENSITIVE in v.marks and not reveal:
        return SENSITIVE
    if not v.known:
        return {"$unknown": v.ty.type_expr()}
    raw = v.raw
    if raw is None or isinstance(raw, (bool, str)):
        return raw
    if isinstance(raw, Num):
        return raw.to_int() if raw.is_int() else format_number(raw)
    if isinstance(raw, tuple):
        return [to_json(e, reveal) for e in raw]
    return {k: to_json(e, reveal) for k, e in sorted(raw.items())}


class Planner:
    """Turns one evaluated template into a Plan; every file a step reads is hashed through Inputs."""

    def __init__(self, template: Template, template_path: str, reveal: bool = False) -> None:
        assert template.inputs is not None
        self.t = template
        self.inputs: Inputs = template.inputs
        self.template_path = template_path
        self.diags: list[dg.Diagnostic] = []
        self.utf16 = False  # whether any hashed data has keys that need UTF-16 ordering
        # for bake apply only: step key -> config with its secrets (never written)
        self.revealed: dict[str, dict[str, Any]] | None = {} if reveal else None

    def plan(self, only: Sequence[str] = (), except_: Sequence[str] = ()) -> pf.Plan | None:
        builds: list[pf.Build] = []
        for b in self.t.builds:
            for src in b.sources:
                if only and not any(fnmatch.fnmatchcase(src.full_name, g) for g in only):
                    continue
                if any(fnmatch.fnmatchcase(src.full_name, g) for g in except_):
                    continue
                builds.append(self.plan_build(src))
        if dg.has_errors(self.diags):
            return None
        builds.sort(key=lambda b: b.name)
        inputs = self.plan_inputs()
        try:
            self.utf16 = pf.check(msgspec.to_builtins(inputs)) or self.utf16
        except pf.PlanError as exc:
            self.diags.append(dg.error("Cannot plan this value", str(exc), None))
            return None
        plan = pf.Plan(pf.FORMAT_VERSION, __version__, inputs, builds, template=self.template_path)
        # every step's data was checked when its key was computed, the inputs just now
        return pf.seal(plan, checked=True, utf16=self.utf16)

    # -- inputs
    def plan_inputs(self) -> pf.Inputs:
        files = {name: rec.digest for name, rec in sorted(self.inputs.files.items())}
        modes = {name: rec.mode for name, rec in sorted(self.inputs.files.items())}
        files.update(self.trees)
        env = {k: v for k, v in sorted(self.inputs.env_used.items()) if not k.startswith(("exists:", "fileset:"))}
        for k, v in self.inputs.env_used.items():
            if k.startswith(("exists:", "fileset:")):
                files[k] = "sha256:" + hashlib.sha256((v or "").encode()).hexdigest()
        for name, var in self.t.variables.items():
            if var.sensitive and f"PKR_VAR_{name}" in env:
                env[f"PKR_VAR_{name}"] = "<sensitive>"
        variables = {
            n: to_json(v.value) for n, v in sorted(self.t.variables.items()) if not v.sensitive and v.value is not None
        }
        sensitive = {n: v.origin for n, v in sorted(self.t.variables.items()) if v.sensitive}
        epoch = self.inputs.source_date_epoch or 0
        return pf.Inputs(files, env, epoch, modes, variables, sensitive)

    @property
    def trees(self) -> dict[str, str]:
        return getattr(self, "_trees", {})

    # -- builds
    def plan_build(self, src: BuildSource) -> pf.Build:
        finalize_fields = FINALIZE_FIELDS.get(src.type, frozenset())
        source_cfg = {k: to_json(v) for k, v in sorted(src.config.items()) if k not in finalize_fields}
        final_cfg = {k: to_json(v) for k, v in sorted(src.config.items()) if k in finalize_fields}
        steps: list[pf.Step] = []
        parent: str | None = None
        source_files: dict[str, str] = {}
        if src.type == "rootfs":
            source_files = self.rootfs_base(src, source_cfg)
        first = self.step("source", src.type, source_cfg, source_files, parent, supported=src.supported)
        self._reveal(first, source_cfg, src.config)
        steps.append(first)
        parent = first.key
        for p in src.provisioners:
            step = self.provisioner_step("provisioner", p, parent)
            steps.append(step)
            parent = step.key
        final = self.step("finalize", src.type, final_cfg, {}, parent)
        self._reveal(final, final_cfg, src.config)
        steps.append(final)
        parent = final.key
        for i, chain in enumerate(src.post_processors):
            chain_parent = final.key  # every chain starts from the build's artifact
            for p in chain:
                step = self.provisioner_step("post-processor", p, chain_parent, chain=i)
                steps.append(step)
                chain_parent = step.key
        build = pf.Build(src.full_name, src.type, src.supported, steps)
        if src.error_cleanup is not None:
            cleanup = self.provisioner_step("error-cleanup-provisioner", src.error_cleanup, None)
            build = pf.Build(src.full_name, src.type, src.supported, [*steps, cleanup])
        return build

    def rootfs_base(self, src: BuildSource, config: dict[str, Any]) -> dict[str, str]:
        """Hash a rootfs build's base tarball into its source step, check `base_checksum`, and pin the
        build's clock: layers clamp every mtime to the plan's SOURCE_DATE_EPOCH, so it is part of the key."""
        config["source_date_epoch"] = self.inputs.source_date_epoch or 0
        base = config.get("base")
        if not isinstance(base, str) or base == "scratch":
            if config.get("base_checksum"):
                self.diags.append(
                    dg.error("base_checksum without a base", 'A "scratch" base has no checksum.', src.range)
                )
            return {}
        name, found = self.hash_path(base, src, "base", False, False)
        if name is None:
            return {}
        config["base"] = name
        want = config.get("base_checksum")
        if isinstance(want, str) and want:
            algo, _, hexdigest = want.rpartition(":")
            if algo not in ("", "sha256") or len(hexdigest) != 64:
                self.diags.append(dg.error(
                    "Invalid base_checksum", f'Expected "sha256:<64 hex digits>", got "{want}".', src.range
                ))  # fmt: skip
            elif "sha256:" + hexdigest.lower() != found:
                self.diags.append(dg.error(
                    "The base does not match its checksum",
                    f"{base} has {found}, but base_checksum is sha256:{hexdigest.lower()}.",
                    src.range,
                ))  # fmt: skip
        return {name: found}

    def provisioner_step(self, kind: str, p: Provisioner, parent: str | None, chain: int | None = None) -> pf.Step:
        config = {k: to_json(v) for k, v in sorted(p.config.items())}
        if kind == "post-processor" and p.keep_input_artifact is not None:
            config["keep_input_artifact"] = p.keep_input_artifact
        options: dict[str, Any] = {}
        for field in COSMETIC:
            value = getattr(p, field, None)
            if value not in (None, ""):
                options[field] = value
        files = self.step_files(kind, p, config)
        step = self.step(kind, p.type, config, files, parent, chain=chain, supported=p.supported)
        self._reveal(step, config, p.config)
        step.name = p.name or None
        step.options = options
        return step

    def _reveal(self, step: pf.Step, config: dict[str, Any], values: Mapping[str, Value]) -> None:
        """Keep a step's config with its secrets put back in, when asked to and it has any."""
        if self.revealed is not None and pf.has_sensitive(config):
            self.revealed[step.key] = {
                k: to_json(values[k], True) if pf.has_sensitive(v) else v for k, v in config.items()
            }

    def step(
        self,
        kind: str,
        type_name: str,
        config: dict[str, Any],
        files: dict[str, str],
        parent: str | None,
        chain: int | None = None,
        supported: bool = True,
    ) -> pf.Step:
        payload = {"parent": parent, "kind": kind, "type": type_name, "config": config, "files": files}
        try:
            utf16 = pf.check(payload)
            self.utf16 = self.utf16 or utf16
            key = pf.digest(payload, checked=True, utf16=utf16)
        except pf.PlanError as exc:
            self.diags.append(dg.error("Cannot plan this value", str(exc), None))
            key = "sha256:" + "0" * 64
        return pf.Step(key, kind, type_name, config, files, chain, supported=supported)

    # -- files a step reads
    def step_files(self, kind: str, p: Provisioner, config: dict[str, Any]) -> dict[str, str]:
        """Hash the local files a step reads, and name them in its config relative to the template
        root (so that keys do not depend on the folder bake was run from)."""
        fields = FILE_FIELDS.get((kind if kind != "error-cleanup-provisioner" else "provisioner", p.type), ())
        if p.type == "file" and _plain(p.config.get("direction")) == "download":
            return {}
        out: dict[str, str] = {}
        for field in fields:
            value = p.config.get(field)
            if value is None or not value.known or value.is_null:
                continue
            secret = value.is_sensitive
            plain = _plain(value)
            paths = plain if isinstance(plain, list) else [plain]
            renamed: list[Any] = []
            for path in paths:
                if not isinstance(path, str):
                    renamed.append(path)
                    continue
                allow_dir = p.type == "file"  # only the file provisioner copies folders
                name, digest_ = self.hash_path(path, p, field, allow_dir, secret)
                if name is None:
                    renamed.append(path)
                    continue
                out[name] = digest_
                # keep Packer's trailing-slash meaning ("copy the folder's contents")
                renamed.append(name.rstrip("/") + ("/" if path.endswith("/") else ""))
            if field in config and not secret:
                config[field] = renamed if isinstance(plain, list) else renamed[0]
        return out

    def hash_path(
        self, path: str, p: Provisioner | BuildSource, field: str, allow_dir: bool, secret: bool
    ) -> tuple[str | None, str]:
        """Digest a file, or a folder as a Merkle tree of (relative path, mode, digest); never mtimes.

        A path computed from a secret is recorded under a neutral name, and errors do not quote it.
        """
        full = Path(os.path.abspath(path))  # as Packer: relative to the working folder
        shown = "a path computed from a sensitive value" if secret else repr(path)
        try:
            if full.is_dir():
                if not allow_dir:
                    raise InputError(f"{'it' if secret else path} is a directory, not a file")
                name = self._name(full, secret).rstrip("/") + "/"
                tree = pf.tree_digest(self._tree(full, name))
                self._trees = {**self.trees, name: tree}
                return name, tree
            name = self._name(full, secret)
            self.inputs.read_bytes(str(full), record_as=name)
            return name, self.inputs.files[name].digest
        except InputError as exc:
            detail = f"The {p.type} step needs {shown}: {exc}." if not secret else f"The {p.type} step needs {shown}."
            self.diags.append(dg.error(f'Cannot read the file of "{field}"', detail, p.range))
            return None, ""

    def _tree(self, root: Path, name: str) -> list[list[Any]]:
        """(relative path, mode, digest) of every file below a folder, following symlinks as `file` does."""
        entries: list[list[Any]] = []
        seen: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            real = os.path.realpath(dirpath)
            if real in seen:  # a symlink loop
                dirnames.clear()
                continue
            seen.add(real)
            dirnames.sort()
            for fname in sorted(filenames):
                fpath = Path(dirpath, fname)
                rel = PurePosixPath(fpath.relative_to(root)).as_posix()
                record = name + rel
                self.inputs.read_bytes(str(fpath), record_as=record)
                entry = self.inputs.files[record]
                entries.append([rel, entry.mode, entry.digest])
        entries.sort()
        return entries

    def _name(self, full: Path, secret: bool) -> str:
        if secret:
            self._secret_files = getattr(self, "_secret_files", 0) + 1
            return f"<sensitive file {self._secret_files}>"
        return self.inputs.record_name(full)


def _plain(v: Value | None) -> Any:
    if v is None or not v.is_wholly_known():
        return None
    return V.to_python(v.unmark_deep()[0])


def make_plan(
    template: Template,
    template_path: str,
    only: Sequence[str] = (),
    except_: Sequence[str] = (),
    revealed: dict[str, dict[str, Any]] | None = None,
) -> tuple[pf.Plan | None, list[dg.Diagnostic]]:
    """Plan every build of a template (those -only/-except select), or explain why not.

    `revealed`, when given, receives the configs with their secrets of the steps that have any.
    """
    planner = Planner(template, template_path, reveal=revealed is not None)
    collecting = gc.isenabled()
    gc.disable()  # plan data is acyclic
    try:
        plan = planner.plan(only, except_)
    finally:
        if collecting:
            gc.enable()
    if revealed is not None and planner.revealed is not None:
        revealed.update(planner.revealed)
    return plan, planner.diags


def changed_inputs(old: pf.Plan, new: pf.Plan) -> Mapping[str, tuple[Any, Any]]:
    """Input files, variables and environment values whose recorded value differs between plans."""
    out: dict[str, tuple[Any, Any]] = {}
    for prefix, a, b in (
        ("file", old.inputs.files, new.inputs.files),
        ("mode", old.inputs.modes, new.inputs.modes),
        ("var", old.inputs.variables, new.inputs.variables),
        ("env", old.inputs.env, new.inputs.env),
    ):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                out[f"{prefix}:{k}"] = (a.get(k), b.get(k))
    return out
