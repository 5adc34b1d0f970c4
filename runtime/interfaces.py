"""The runtime's small interfaces: builders, sessions, communicators and the layer cache."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import msgspec

# Output lines of a running command go to a callback (already masked for secrets by the caller).
OutputSink = Callable[[str], None]


class BuildError(Exception):
    """A builder or communicator failed; the message is for the user."""


class CommandTimeout(BuildError):
    """A command ran longer than its timeout and was killed."""


class CommandResult(msgspec.Struct, frozen=True):
    """A finished command."""

    exit_code: int
    output_tail: str  # the last lines of its output, for error reports


class Communicator(Protocol):
    """Runs commands and moves files into and out of the machine being built."""

    def run(
        self,
        command: list[str],
        env: Mapping[str, str] | None = None,
        user: str | None = None,
        workdir: str | None = None,
        output: OutputSink | None = None,
        timeout: float | None = None,
    ) -> CommandResult: ...

    def upload(self, local_path: str, remote_path: str) -> None: ...  # a file or a folder

    def upload_bytes(self, data: bytes, remote_path: str, mode: int = 0o644) -> None: ...

    def download(self, remote_path: str, local_path: str) -> None: ...


class Session(Protocol):
    """A running build (a container, a chroot, a VM) that steps act on."""

    @property
    def communicator(self) -> Communicator: ...

    def close(self) -> None: ...  # stop and remove what it started; idempotent


class Artifact(msgspec.Struct, frozen=True):
    """What a build produced."""

    builder: str
    id: str  # an image id, a file path...
    files: list[str] = []
    digest: str = ""  # sha256 of the artifact's content


class Builder(Protocol):
    """One builder type: starts sessions from a source config or a cached layer, and snapshots layers."""

    type: str

    def start(self, config: Mapping[str, Any], build_name: str) -> Session: ...

    def resume(self, layer: str, config: Mapping[str, Any], build_name: str) -> Session: ...

    def snapshot(self, session: Session, key: str) -> tuple[str, int]: ...  # (layer reference, size)

    def layer_exists(self, layer: str) -> bool: ...

    # None: the build keeps nothing (docker's `discard = true`).
    def finalize(self, session: Session, config: Mapping[str, Any], key: str) -> Artifact | None: ...

    def restore_artifact(self, layer: str, config: Mapping[str, Any]) -> Artifact | None: ...


class CachedLayer(msgspec.Struct, frozen=True):
    """A cache index entry."""

    key: str
    builder: str
    layer: str
    size: int
    created: int
    last_used: int
