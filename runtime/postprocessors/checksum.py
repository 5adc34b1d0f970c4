"""The checksum post-processor: Packer's "<hash>\\t<file name>" lines for each artifact file and checksum type."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..interfaces import Artifact
from ..steps import StepContext, StepFailed, as_list
from .common import artifact_files, atomic_output, render, template_data

CHECKSUM_TYPES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum"


def file_hash(path: Path, kind: str) -> str:
    """The hex digest of a file's content."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, kind).hexdigest()


def run(ctx: StepContext) -> Artifact | None:
    """Write one checksum file per type (fresh each run) and hand on the input files plus the checksum files."""
    kinds = [str(k) for k in as_list(ctx.config.get("checksum_types"))] or ["md5"]
    unknown = [k for k in kinds if k not in CHECKSUM_TYPES]
    if unknown:
        known = ", ".join(CHECKSUM_TYPES)
        raise StepFailed(f"checksum: unrecognized checksum type {', '.join(unknown)} (known: {known})")
    template = str(ctx.config.get("output") or DEFAULT_OUTPUT)
    files = artifact_files(ctx, "checksum")
    assert ctx.artifact is not None
    outputs: dict[str, list[str]] = {}  # rendered output name -> lines, in Packer's order (types, then files)
    for kind in kinds:
        name = render(template, {**template_data(ctx), "ChecksumType": kind}, "checksum output")
        lines = outputs.setdefault(name, [])
        for _name, path in files:
            lines.append(f"{file_hash(path, kind)}\t{path.name}\n")
    outputs = {name: lines for name, lines in outputs.items() if lines}  # no files, no checksum file (as Packer)
    for name, lines in outputs.items():
        with atomic_output(ctx.local(name)) as fh:
            fh.write("".join(lines).encode())
        ctx.say(f"{name}: {len(lines)} checksum(s)")
    made = list(ctx.artifact.files) + [n for n in outputs if n not in ctx.artifact.files]
    return Artifact("checksum", ctx.artifact.id, made, ctx.artifact.digest)
