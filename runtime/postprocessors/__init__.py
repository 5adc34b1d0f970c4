"""Post-processors bake runs, registered by type name; each returns the artifact it hands on."""

from __future__ import annotations

from collections.abc import Callable

from ..interfaces import Artifact
from ..provisioners import shell_local
from ..steps import StepContext
from . import checksum, compress, docker_import, docker_push, docker_save, docker_tag, manifest

Runner = Callable[[StepContext], Artifact | None]


def _shell_local(ctx: StepContext) -> Artifact | None:
    shell_local.run(ctx)
    return ctx.artifact


POST_PROCESSORS: dict[str, Runner] = {
    "checksum": checksum.run,
    "compress": compress.run,
    "docker-import": docker_import.run,
    "docker-push": docker_push.run,
    "docker-save": docker_save.run,
    "docker-tag": docker_tag.run,
    "manifest": manifest.run,
    "shell-local": _shell_local,
}
