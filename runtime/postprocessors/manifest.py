"""The manifest post-processor: Packer's JSON record of what was built, rewritten atomically."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from ..interfaces import Artifact
from ..steps import StepContext, StepFailed


def run(ctx: StepContext) -> Artifact | None:
    """Add (or replace) this build's record in the manifest file."""
    artifact = ctx.artifact
    if artifact is None:
        raise StepFailed("manifest has no artifact to record")
    out = ctx.local(str(ctx.config.get("output") or "packer-manifest.json"))
    try:
        doc = json.loads(out.read_text()) if out.exists() else {}
    except (OSError, ValueError) as exc:
        raise StepFailed(f"cannot read the existing manifest {out}: {exc}") from None
    run_uuid = os.environ.get("BAKE_RUN_UUID", "")
    files = [
        {"name": os.path.basename(f) if ctx.config.get("strip_path") else f, "size": _size(ctx, f)}
        for f in artifact.files
    ]
    record = {
        "name": ctx.build.name.split(".")[-1],
        "builder_type": ctx.build.builder,
        "build_time": 0 if ctx.config.get("strip_time") else int(os.environ.get("SOURCE_DATE_EPOCH") or time.time()),
        "files": files,
        "artifact_id": artifact.id,
        "packer_run_uuid": run_uuid,
        "custom_data": ctx.config.get("custom_data") or {},
    }
    builds = [
        b
        for b in doc.get("builds", [])
        if not (b.get("name") == record["name"] and b.get("packer_run_uuid") == run_uuid)
    ]
    builds.append(record)
    doc = {"builds": builds, "last_run_uuid": run_uuid}
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".manifest-")
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, out)
    ctx.say(f"manifest written to {out}")
    return artifact


def _size(ctx: StepContext, name: str) -> int:
    p = Path(name)
    try:
        return p.stat().st_size if p.exists() else 0
    except OSError:
        return 0
