"""What file-making post-processors share: Packer's output templates, artifact files, keep_input_artifact."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from ..interfaces import Artifact
from ..steps import StepContext, StepFailed

# Packer's defaults: (keep the input artifact, and whether that keep overrides the user's keep_input_artifact = false).
DEFAULT_KEEP: dict[str, tuple[bool, bool]] = {
    "checksum": (True, True),
    "compress": (False, False),
    "docker-import": (False, False),
    "docker-push": (True, False),
    "docker-save": (True, False),
    "docker-tag": (True, True),
    "manifest": (True, True),
    "shell-local": (True, True),
}

_FIELD = re.compile(r"\{\{-?\s*\.(\w+)\s*-?\}\}")


def render(template: str, data: Mapping[str, str], where: str) -> str:
    """Packer's `{{.Name}}` output template, with only the fields a post-processor offers."""

    def field(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in data:
            raise StepFailed(f"{where}: {{{{.{name}}}}} is not known here (known: {', '.join(sorted(data))})")
        return data[name]

    text = _FIELD.sub(field, template)
    if "{{" in text:
        raise StepFailed(f'{where}: cannot render the template "{template}" (bake knows only {{{{.Field}}}})')
    return text


def template_data(ctx: StepContext) -> dict[str, str]:
    """The fields Packer offers every post-processor's templates: the build's (source) name and builder type."""
    return {"BuildName": ctx.build.name.split(".")[-1], "BuilderType": ctx.build.builder}


def source_date_epoch() -> int:
    """The timestamp written into archives: $SOURCE_DATE_EPOCH, or 0."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return max(int(text), 0) if text else 0
    except ValueError:
        raise StepFailed(f"SOURCE_DATE_EPOCH is not a number of seconds: {text!r}") from None


def artifact_files(ctx: StepContext, what: str) -> list[tuple[str, Path]]:
    """The input artifact's files, each as (name in the artifact, local path); they must exist."""
    artifact = ctx.artifact
    if artifact is None:
        raise StepFailed(f"{what} has no artifact to work on (the build kept nothing)")
    files = []
    for name in artifact.files:
        path = ctx.local(name)
        if not path.exists():
            kind = "an image" if artifact.id.startswith("sha256:") else "an artifact"
            raise StepFailed(f'{what} works on files, but "{name}" is not a file ({kind}, builder {artifact.builder})')
        files.append((name, path))
    return files


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """Write `path` through a temporary file next to it, renamed into place only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with tmp.open("wb") as fh:
            yield fh
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _keeps(step_type: str, config: Mapping[str, object]) -> bool:
    keep, force = DEFAULT_KEEP.get(step_type, (True, True))
    user = config.get("keep_input_artifact")
    if isinstance(user, bool) and not (keep and force and not user):
        return user
    return keep


def discard_input(ctx: StepContext, made: Artifact | None) -> None:
    """Delete the input artifact's files after this step made a new artifact, as Packer's chains do.

    The build's own artifact, shared by every chain, goes only when the first post-processor of each chain lets
    it go, and only once the last chain has started (the apply loop runs chains in order); a later post-processor's
    input (made earlier in its chain) goes at once.
    """
    artifact = ctx.artifact
    if made is None or artifact is None or _keeps(ctx.step.type, ctx.config):
        return
    firsts = []  # the first post-processor of each chain
    seen: set[int] = set()
    for s in ctx.build.steps:
        if s.kind == "post-processor" and (s.chain or 0) not in seen:
            seen.add(s.chain or 0)
            firsts.append(s)
    firsts.sort(key=lambda s: s.chain or 0)  # the order the apply loop runs chains in
    if any(s is ctx.step for s in firsts) and (  # the input is the build's artifact
        any(_keeps(s.type, s.config) for s in firsts) or firsts[-1] is not ctx.step
    ):
        return
    destroy(ctx, artifact)


def destroy(ctx: StepContext, artifact: Artifact) -> None:
    """Remove the local files of a file artifact (image artifacts are left alone)."""
    if artifact.id.startswith("sha256:"):
        return
    for name in artifact.files:
        path = ctx.local(name)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
            ctx.say(f"deleted the input artifact {name}")
        elif path.exists() or path.is_symlink():
            path.unlink()
            ctx.say(f"deleted the input artifact {name}")
