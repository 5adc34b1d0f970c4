"""`bake verify PLAN`: rebuild without the cache in a temporary place and compare with what apply recorded."""

from __future__ import annotations

import hashlib
import json
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from bake.compiler import planfile as pf

from . import audit

# Output fields naming where a builder writes its artifact (relative to the template root).
OUTPUT_FIELDS = ("output_path", "export_path")
MAX_SHOWN = 50  # differing paths printed per build


def recorded_builds(log: audit.AuditLog, plan_hash: str) -> dict[str, dict[str, Any]]:
    """The latest successful build record of each build of this plan that says what its builder made."""
    found: dict[str, dict[str, Any]] = {}
    if not log.path.exists():
        return found
    for record in log.records():
        if record.get("type") == "build" and record.get("plan_hash") == plan_hash and record.get("ok"):
            built = record.get("built")
            if isinstance(built, dict) and str(built.get("digest", "")).startswith("sha256:"):
                found[str(record["build"])] = record
    return found


def verify_plan(plan_path: str, json_output: bool, extra_vars: list[str], audit_log: str = "",
                out: TextIO = sys.stdout) -> int:  # fmt: skip
    """Rebuild every recorded build of a plan with no cache and compare digests; 0 only when all are identical."""
    from .apply import ApplyOptions, Runner, prepare
    from .cache import LayerCache

    prepared = prepare(plan_path, extra_vars)
    if isinstance(prepared, int):
        return prepared
    plan, root, secrets = prepared
    log = audit.AuditLog(Path(audit_log) if audit_log else audit.default_path(root), root)
    try:
        recorded = recorded_builds(log, plan.plan_hash)
    except audit.AuditError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    missing = [b.name for b in plan.builds if b.name not in recorded]
    if missing:
        sys.stderr.write(
            f"Error: {log.path} records no successful apply of this plan for {', '.join(missing)}: "
            "apply it first (bake verify compares a rebuild with what an apply made)\n"
        )
        return 1
    with tempfile.TemporaryDirectory(prefix="bake-verify-") as tmp:
        place = Path(tmp)
        for build in plan.builds:
            _redirect(build, place / _safe(build.name))
        cache = LayerCache(place / "cache")  # empty: nothing is reused, nothing shared is touched
        options = ApplyOptions(no_cache=True, json=json_output)
        runner = Runner(plan, root, cache, options, out)
        runner.secrets = secrets
        results: list[Any] = []
        try:
            results = runner.run()
            reports = _compare(results, recorded, root)
        finally:
            _remove_images(cache, results)
            cache.close()
    ok = all(r["identical"] for r in reports)
    if json_output:
        out.write(json.dumps({"event": "verify_complete", "plan_hash": plan.plan_hash, "builds": reports, "ok": ok},
                             sort_keys=True) + "\n")  # fmt: skip
    else:
        out.write(_render(reports))
    out.flush()
    return 0 if ok else 1


def _compare(results: list[Any], recorded: dict[str, dict[str, Any]], root: Path) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = []
    for r in results:
        record = recorded[r.name]
        want = str(record["built"]["digest"])
        report: dict[str, Any] = {"build": r.name, "recorded": want, "rebuilt": "", "identical": False}
        if not r.ok or r.built is None:
            report["error"] = r.error or "the rebuild made no artifact"
        else:
            report["rebuilt"] = r.built.digest
            report["identical"] = r.built.digest == want
            if not report["identical"]:
                report["differences"] = differences(
                    _first_existing(record["built"].get("files") or [], root), _first_existing(r.built.files, root)
                )
        reports.append(report)
    return reports


def _remove_images(cache: Any, results: list[Any]) -> None:
    """Remove the images a docker rebuild made (its layers and committed artifact): a check leaves nothing."""
    images = [e.layer for e in cache.entries() if e.builder == "docker"]
    images += [r.built.id for r in results if r.built is not None and r.built.builder == "docker" and not r.built.files]
    if not images:
        return
    import contextlib

    import docker

    with contextlib.suppress(docker.errors.DockerException):
        client = docker.from_env()
        for image in reversed(images):  # children before their parents
            with contextlib.suppress(docker.errors.DockerException):
                client.images.remove(image, force=True)
        client.close()


def _redirect(build: pf.Build, place: Path) -> None:
    """Point the build's outputs into the temporary place and drop what would act outside it."""
    steps = []
    for step in build.steps:
        if step.kind == "finalize":
            config = dict(step.config)
            for field in OUTPUT_FIELDS:
                if isinstance(config.get(field), str) and config[field]:
                    config[field] = str(place / Path(config[field]).name)
            if build.builder == "rootfs" and not config.get("output_path"):
                config["output_path"] = str(place / "rootfs")
            step.config = config
        if step.kind in ("source", "provisioner", "finalize", "error-cleanup-provisioner"):
            steps.append(step)  # post-processors publish (tag, push, write manifests): not for a check
    build.steps = steps


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _first_existing(names: list[str], root: Path) -> Path | None:
    """The first of an artifact's files that is on disk (names relative to the template root)."""
    for name in names:
        p = Path(name) if Path(name).is_absolute() else root / name
        if p.exists():
            return p
    return None


def differences(old: Path | None, new: Path | None) -> list[str]:
    """The paths whose entries differ between two artifacts (tar, tar.gz or OCI layouts); [] if unknown."""
    if old is None or new is None:
        return []
    try:
        a, b = _entries(old), _entries(new)
    except (OSError, tarfile.TarError, ValueError, KeyError):
        return []
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def _entries(path: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry of an artifact by name, with what makes it what it is (type, mode, owner, time, content)."""
    out: dict[str, tuple[Any, ...]] = {}
    if path.is_dir():  # an OCI layout: each layer's entries, and the image config
        index = json.loads((path / "index.json").read_text())
        manifest = json.loads(_blob(path, index["manifests"][0]["digest"]).read_bytes())
        out["(image config)"] = (hashlib.sha256(_blob(path, manifest["config"]["digest"]).read_bytes()).hexdigest(),)
        for n, layer in enumerate(manifest["layers"]):
            with _blob(path, layer["digest"]).open("rb") as f:
                for name, entry in _tar_entries(f):
                    out[f"layer {n + 1}: {name}"] = entry
        return out
    with path.open("rb") as f:
        for name, entry in _tar_entries(f):
            out[name] = entry
    return out


def _blob(layout: Path, digest: str) -> Path:
    algo, _, hexdigest = digest.partition(":")
    return layout / "blobs" / algo / hexdigest


def _tar_entries(f: IO[bytes]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    with tarfile.open(fileobj=f, mode="r|*") as tar:  # plain or gzip
        for m in tar:
            content = ""
            if m.isfile():
                data = tar.extractfile(m)
                content = hashlib.sha256(data.read() if data else b"").hexdigest()
            yield m.name, (m.type, m.mode, m.uid, m.gid, int(m.mtime), m.size, m.linkname, content)


def _render(reports: list[dict[str, Any]]) -> str:
    lines = []
    for r in reports:
        if r.get("error"):
            lines.append(f"{r['build']}: the rebuild failed: {r['error']}")
        elif r["identical"]:
            lines.append(f"{r['build']}: identical ({r['rebuilt']})")
        else:
            lines.append(f"{r['build']}: DIFFERS: recorded {r['recorded']}, rebuilt {r['rebuilt']}")
            diffs = r.get("differences") or []
            if diffs:
                lines.append(f"  {len(diffs)} differing path(s):")
                lines += [f"    {d}" for d in diffs[:MAX_SHOWN]]
                if len(diffs) > MAX_SHOWN:
                    lines.append(f"    ... and {len(diffs) - MAX_SHOWN} more")
            else:
                lines.append("  (the recorded artifact is not on disk any more, or is not an archive: digests only)")
    ok = all(r["identical"] for r in reports)
    lines.append("Verified: every artifact is reproducible." if ok else "Not reproducible: see above.")
    return "\n".join(lines) + "\n"
