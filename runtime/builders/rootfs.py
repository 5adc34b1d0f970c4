"""The daemonless rootfs builder: a local tree changed through chroot, each step's change a normalised tar layer."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shlex
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bake.compiler import planfile as pf

from ..communicators.chroot import ChrootCommunicator, isolation
from ..interfaces import Artifact, BuildError, Session
from ..layers import (
    LayerError,
    diff,
    extract_layer,
    gzip_deterministic,
    scan,
    write_layer,
    write_oci_layout,
    write_tree,
)

OUTPUTS = ("tar", "tar.gz", "oci")
# The layer of a step that changed nothing: a tar of two zero blocks, padded to tarfile's record size.
EMPTY_LAYER = "sha256:" + hashlib.sha256(bytes(10240)).hexdigest()
KEPT = "kept"  # in a work folder: --on-error abort kept it for debugging; never swept
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def chain_of(layer: str) -> list[str]:
    """The blob digests of a layer reference: every layer from the base up to the step, in order."""
    return [d for d in layer.split(",") if d]


class RootfsSession:
    """A build's work folder: the root filesystem tree, and what it looked like at the last snapshot."""

    def __init__(self, work: Path, chain: list[str], exec_user: str = "", fresh: bool = False) -> None:
        self.work = work
        self.root = work / "rootfs"
        self.chain = chain
        # A fresh tree (a base just unpacked) is all new: the source step's layer holds the whole base,
        # so that resume() can rebuild it from layers alone.
        self.state = {} if fresh else scan(self.root)
        self._communicator = ChrootCommunicator(self.root, exec_user=exec_user)
        self.closed = False

    @property
    def communicator(self) -> ChrootCommunicator:
        return self._communicator

    kind = "tree"

    @property
    def name(self) -> str:
        return str(self.root)

    @property
    def remove_hint(self) -> str:
        """How to remove the tree by hand (after --on-error abort kept it)."""
        return f"rm -rf {self.work}"

    def keep(self) -> None:
        """Mark the tree as kept for debugging (--on-error abort): later applies leave it alone."""
        (self.work / KEPT).touch()

    def close(self) -> None:
        if self.closed:
            return
        self._communicator.kill_all()  # nothing may run in the tree while it is removed
        remove_tree(self.work)
        self.closed = True


class RootfsBuilder:
    """Unpacks a base into a work folder, snapshots each step as a layer blob in the cache, writes tar or OCI."""

    type = "rootfs"

    def __init__(
        self,
        cache: Any,
        root: Path,
        source_config: Mapping[str, Any],
        warn: Callable[[str], None] | None = None,
        steps: Sequence[pf.Step] = (),
    ) -> None:
        self.cache = cache  # a LayerCache: layers are its blobs
        self.root = root  # the template root: relative paths in the plan start there
        self.epoch = int(source_config.get("source_date_epoch") or 0)
        self.warn = warn or (lambda _line: None)
        # What made each layer, for the OCI image's history: "bake <kind> <type> <key>" per step in order.
        self.made_by = [
            f"bake {s.kind} {s.type}{f' ({s.name})' if s.name else ''} {s.key}"
            for s in steps
            if s.kind in ("source", "provisioner", "finalize")
        ]

    # -- sessions

    def _work(self) -> tuple[Path, Path]:
        """A new work folder under the cache and the (empty) tree in it."""
        base = Path(self.cache.root) / "work"
        base.mkdir(parents=True, exist_ok=True)
        sweep(base)
        work = Path(tempfile.mkdtemp(prefix=f"rootfs-{os.getpid()}-", dir=base))
        tree = work / "rootfs"
        tree.mkdir()
        os.chmod(tree, 0o755)  # whatever the umask
        return work, tree

    def start(self, config: Mapping[str, Any], build_name: str) -> RootfsSession:
        isolation()  # a clear error now, before anything is unpacked, when chroot cannot run here
        base = str(config.get("base") or "")
        if not base:
            raise BuildError('the rootfs builder needs a "base" (a .tar or .tar.gz root filesystem, or "scratch")')
        work, tree = self._work()
        try:
            # The base's digest (and so its base_checksum) was checked with the plan's other inputs.
            if base != "scratch":
                path = Path(base) if Path(base).is_absolute() else self.root / base
                try:
                    with path.open("rb") as f:
                        extract_layer(f, tree)
                except LayerError as exc:
                    raise BuildError(f"the base {base} cannot be used: {exc}") from exc
                except OSError as exc:
                    raise BuildError(f"cannot read the base {base}: {exc.strerror or exc}") from exc
            return RootfsSession(work, [], str(config.get("exec_user") or ""), fresh=True)
        except BaseException:
            remove_tree(work)
            raise

    def resume(self, layer: str, config: Mapping[str, Any], build_name: str) -> RootfsSession:
        isolation()
        chain = chain_of(layer)
        work, tree = self._work()
        try:
            for digest in chain:
                blob = self.cache.blob_path(digest)
                if blob is None:
                    raise BuildError(f"layer {digest} is no longer in the cache")
                with open(blob, "rb") as f:
                    extract_layer(f, tree)
            return RootfsSession(work, chain, str(config.get("exec_user") or ""))
        except BaseException:
            remove_tree(work)
            raise

    # -- layers

    def snapshot(self, session: Session, key: str) -> tuple[str, int]:
        s = _session(session)
        now = scan(s.root)
        changes = diff(s.state, now, self.epoch)
        fd, tmp = tempfile.mkstemp(prefix="layer-", suffix=".tar", dir=s.work)
        try:
            with os.fdopen(fd, "wb") as out:
                write_layer(s.root, changes, self.epoch, out)
            size = os.path.getsize(tmp)
            digest = self.cache.adopt_blob(tmp)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        s.chain.append(digest)
        s.state = now
        return ",".join(s.chain), size

    def layer_exists(self, layer: str) -> bool:
        chain = chain_of(layer)
        return bool(chain) and all(self.cache.blob_path(d) is not None for d in chain)

    # -- artifacts

    def finalize(self, session: Session, config: Mapping[str, Any], key: str) -> Artifact:
        s = _session(session)
        kind = str(config.get("output") or "tar")
        if kind not in OUTPUTS:
            raise BuildError(f'the rootfs builder\'s output must be one of {", ".join(OUTPUTS)}, not "{kind}"')
        changes = [str(c) for c in config.get("changes") or []]
        if changes and kind != "oci":
            raise BuildError(f'changes set the image config of an "oci" output; a "{kind}" output has none')
        path = Path(str(config.get("output_path") or default_output(kind)))
        if not path.is_absolute():
            path = self.root / path
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "oci":
            return self._oci(s, path, str(config.get("output_path") or default_output(kind)), changes)
        token = secrets.token_hex(4)  # two applies of one plan at once write apart, then replace in turn
        tmp = path.with_name(f".{path.name}.{token}.part")
        try:
            if kind == "tar":
                with tmp.open("wb") as out:
                    write_tree(s.root, self.epoch, out)
            else:
                raw = path.with_name(f".{path.name}.{token}.tar.part")
                try:
                    with raw.open("wb") as out:
                        write_tree(s.root, self.epoch, out)
                    with raw.open("rb") as src, tmp.open("wb") as out:
                        gzip_deterministic(src, out)
                finally:
                    raw.unlink(missing_ok=True)
            with tmp.open("rb") as f:
                digest = "sha256:" + hashlib.file_digest(f, "sha256").hexdigest()
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        shown = str(config.get("output_path") or default_output(kind))
        return Artifact(builder=self.type, id=shown, files=[shown], digest=digest)

    def _oci(self, s: RootfsSession, dest: Path, shown: str, changes: Sequence[str] = ()) -> Artifact:
        layers: list[Path] = []
        history: list[str] = []
        for i, digest in enumerate(s.chain):
            blob = self.cache.blob_path(digest)
            if blob is None:
                raise BuildError(f"layer {digest} is no longer in the cache")
            if digest != EMPTY_LAYER:  # a step that changed nothing adds no layer
                layers.append(blob)
                history.append(self.made_by[i] if i < len(self.made_by) else "")
        config: dict[str, Any] = {"Env": [f"PATH={DEFAULT_PATH}"]}
        sh = s.root / "bin" / "sh"
        if os.path.lexists(sh):
            config["Cmd"] = ["/bin/sh"]
        config = image_config(changes, config)
        manifest = write_oci_layout(dest, layers, self.epoch, config=config, history=history)
        return Artifact(builder=self.type, id=shown, files=[shown], digest=manifest)

    def restore_artifact(self, layer: str, config: Mapping[str, Any]) -> Artifact:
        session = self.resume(layer, {}, "restore")
        try:
            return self.finalize(session, config, "")
        finally:
            session.close()


def sweep(base: Path) -> None:
    """Remove the work folders of applies that died without cleaning up (killed with SIGKILL, a power cut)."""
    for entry in base.glob("rootfs-*-*"):
        pid = entry.name.split("-")[1]
        if not pid.isdigit() or int(pid) == os.getpid() or (entry / KEPT).exists():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            remove_tree(entry)
        except PermissionError:  # alive, someone else's
            continue


def image_config(changes: Sequence[str], config: Mapping[str, Any]) -> dict[str, Any]:
    """An OCI image config with Dockerfile-style `changes` applied (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
    USER, VOLUME, WORKDIR, STOPSIGNAL), as docker commit --change applies them."""
    out = dict(config)
    for change in changes:
        word, _, rest = change.strip().partition(" ")
        word, rest = word.upper(), rest.strip()
        if not rest:
            raise BuildError(f'changes: "{change}" has no value')
        if word in ("CMD", "ENTRYPOINT"):
            out["Cmd" if word == "CMD" else "Entrypoint"] = _command(rest, change)
            if word == "ENTRYPOINT":
                out.pop("Cmd", None)  # as in a Dockerfile: a new entrypoint resets the inherited command
        elif word == "ENV":
            env = [e for e in out.get("Env", []) if isinstance(e, str)]
            for key, value in _pairs(rest, change):
                env = [e for e in env if e.partition("=")[0] != key] + [f"{key}={value}"]
            out["Env"] = env
        elif word == "LABEL":
            out["Labels"] = {**out.get("Labels", {}), **dict(_pairs(rest, change))}
        elif word == "EXPOSE":
            ports: dict[str, dict[str, Any]] = {p if "/" in p else f"{p}/tcp": {} for p in rest.split()}
            out["ExposedPorts"] = {**out.get("ExposedPorts", {}), **ports}
        elif word == "VOLUME":
            paths = _command(rest, change) if rest.startswith("[") else rest.split()
            out["Volumes"] = {**out.get("Volumes", {}), **{p: {} for p in paths}}
        elif word in ("USER", "WORKDIR", "STOPSIGNAL"):
            out[{"USER": "User", "WORKDIR": "WorkingDir", "STOPSIGNAL": "StopSignal"}[word]] = rest
        else:
            allowed = "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR"
            raise BuildError(f'changes: "{change}" cannot be applied to an OCI image config (allowed: {allowed})')
    return out


def _command(text: str, change: str) -> list[str]:
    """The exec form (a JSON array) as is; the shell form through /bin/sh -c."""
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BuildError(f'changes: "{change}" is not a JSON array of strings')
        return value
    return ["/bin/sh", "-c", text]


def _pairs(text: str, change: str) -> list[tuple[str, str]]:
    """KEY=VALUE pairs (values may be quoted), or the legacy `KEY VALUE` form."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise BuildError(f'changes: "{change}": {exc}') from None
    if words and "=" not in words[0]:
        return [(words[0], text.split(None, 1)[1] if len(words) > 1 else "")]
    pairs = []
    for word in words:
        key, eq, value = word.partition("=")
        if not eq or not key:
            raise BuildError(f'changes: "{change}": expected KEY=VALUE, got "{word}"')
        pairs.append((key, value))
    return pairs


def default_output(kind: str) -> str:
    """Where an output goes when output_path is not set (relative to the template root)."""
    return {"tar": "output/rootfs.tar", "tar.gz": "output/rootfs.tar.gz", "oci": "output/rootfs.oci"}[kind]


def remove_tree(path: Path) -> None:
    """Delete a work folder, even parts a build made read-only; never following symlinks out of it."""

    def retry(func: Callable[..., Any], name: str, _exc: object) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), stat.S_IRWXU)
        with contextlib.suppress(OSError):
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, stat.S_IRWXU)
        with contextlib.suppress(FileNotFoundError):
            func(name)

    if not os.path.lexists(path):
        return
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=retry)
    else:
        shutil.rmtree(path, onerror=retry)


def _session(session: Session) -> RootfsSession:
    if not isinstance(session, RootfsSession):
        raise TypeError(f"the rootfs builder cannot act on a {type(session).__name__}")
    if session.closed:
        raise BuildError(f"the tree {session.root} was already removed")
    return session
