"""The docker communicator: commands through `docker exec`, files through the engine's archive API."""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import posixpath
import secrets
import shlex
import tarfile
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from ..interfaces import BuildError, CommandResult, CommandTimeout, OutputSink

TAIL_LINES = 40
# Files up to this size are tarred in memory; bigger uploads and downloads spill to a temporary file.
SPOOL_BYTES = 16 << 20
# Marks the processes of one timed command, so they (and their children) can be found and killed.
TOKEN_VAR = "BAKE_EXEC_TOKEN"


class DockerCommunicator:
    """Runs commands in, and copies files into and out of, one container."""

    def __init__(self, client: Any, container_id: str, exec_user: str = "", fix_upload_owner: bool = True) -> None:
        self.client = client
        self.api = client.api
        self.container_id = container_id
        self.exec_user = exec_user
        self.fix_upload_owner = fix_upload_owner
        self._owner: tuple[int, int] | None = None

    # -- commands

    def run(
        self,
        command: list[str],
        env: Mapping[str, str] | None = None,
        user: str | None = None,
        workdir: str | None = None,
        output: OutputSink | None = None,
        timeout: float | None = None,
    ) -> CommandResult:
        environment = [f"{k}={v}" for k, v in (env or {}).items()]
        token = secrets.token_hex(16) if timeout is not None else ""
        if token:
            environment.append(f"{TOKEN_VAR}={token}")
        try:
            exec_id = self.api.exec_create(
                self.container_id,
                command,
                stdout=True,
                stderr=True,
                stdin=False,
                tty=False,
                user=user if user is not None else self.exec_user,
                environment=environment or None,
                workdir=workdir or None,
            )["Id"]
            stream = self.api.exec_start(exec_id, stream=True, demux=True)
        except Exception as exc:
            raise BuildError(f"cannot run {shlex.join(command)}: {self._why_not(exc)}") from exc
        tail: deque[str] = deque(maxlen=TAIL_LINES)
        failure: list[BaseException] = []

        def pump() -> None:
            try:
                for line in _lines(stream):
                    tail.append(line)
                    if output is not None:
                        output(line)
            except BaseException as exc:  # reported by the caller's thread
                failure.append(exc)

        reader = threading.Thread(target=pump, name=f"exec-{exec_id[:12]}", daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            self._kill(token)
            reader.join(10)
            _close(stream)
            raise CommandTimeout(
                f"command timed out after {timeout:g} s and was killed: {shlex.join(command)}\n"
                + "--- last output ---\n"
                + "\n".join(tail)
            )
        _close(stream)
        if failure:
            raise BuildError(f"lost the output of {shlex.join(command)}: {failure[0]}") from failure[0]
        code = self.api.exec_inspect(exec_id).get("ExitCode")
        return CommandResult(exit_code=-1 if code is None else int(code), output_tail="\n".join(tail))

    def _why_not(self, exc: Exception) -> str:
        """Why a command could not start: usually a container that stopped, with its output."""
        try:
            container = self.client.containers.get(self.container_id)
        except Exception:
            return f"container {self.container_id[:12]} is gone ({exc})"
        if container.status != "running":
            output = bytes(container.logs(tail=20)).decode(errors="replace").strip()
            return (
                f"container {container.name} is {container.status} (exit code "
                f"{container.attrs['State'].get('ExitCode')}); run_command must keep it running. "
                f"Its output:\n{output}"
            )
        return str(getattr(exc, "explanation", None) or exc)

    def _kill(self, token: str) -> None:
        # The engine cannot kill an exec'd process; every process carrying the token in its environment
        # (the command and whatever it started) is killed from inside the container instead.
        script = (
            f"for p in /proc/[0-9]*; do grep -q {TOKEN_VAR}={token} $p/environ 2>/dev/null"
            " && kill -9 ${p#/proc/} 2>/dev/null; done; true"
        )
        try:
            exec_id = self.api.exec_create(self.container_id, ["/bin/sh", "-c", script], user="0")["Id"]
            self.api.exec_start(exec_id)
        except Exception:  # nothing more can be done; the caller reports the timeout
            pass

    # -- files

    def upload(self, local_path: str, remote_path: str) -> None:
        """Copy a file, or a folder: "dir/" copies its contents into remote_path, "dir" the folder itself."""
        src = Path(local_path)
        if not src.exists():
            raise BuildError(f"cannot upload {local_path}: no such file or folder")
        uid_gid = self._upload_owner()
        with _spool() as buf:
            with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
                if src.is_dir():
                    dest_dir, prefix = remote_path, ""
                    if not local_path.endswith("/"):
                        tar.add(src, arcname=src.name, recursive=False, filter=_owned(uid_gid))
                        prefix = src.name + "/"
                    for entry in sorted(src.rglob("*")):  # symlinks are copied as links, never followed
                        arc = prefix + entry.relative_to(src).as_posix()
                        tar.add(entry, arcname=arc, recursive=False, filter=_owned(uid_gid))
                else:
                    if remote_path.endswith("/"):
                        dest_dir, name = remote_path, src.name
                    else:
                        dest_dir, name = posixpath.split(remote_path)
                    tar.add(src, arcname=name, recursive=False, filter=_owned(uid_gid))
            buf.seek(0)
            self._put(dest_dir or "/", buf)

    def upload_bytes(self, data: bytes, remote_path: str, mode: int = 0o644) -> None:
        if remote_path.endswith("/"):
            raise BuildError(f"cannot upload to {remote_path}: a file name is needed")
        dest_dir, name = posixpath.split(remote_path)
        uid, gid = self._upload_owner() or (0, 0)
        with _spool() as buf:
            with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.uid, info.gid = len(data), mode, uid, gid
                info.mtime = int(time.time())
                tar.addfile(info, io.BytesIO(data))
            buf.seek(0)
            self._put(dest_dir or "/", buf)

    def _put(self, dest_dir: str, data: IO[bytes]) -> None:
        import docker.errors

        try:
            ok = self.api.put_archive(self.container_id, dest_dir, data)
        except docker.errors.NotFound:
            ok = False
        if not ok:  # the folder is missing: make it (as Packer's docker communicator does) and try again
            result = self.run(["mkdir", "-p", dest_dir], user="0")
            if result.exit_code != 0:
                raise BuildError(f"cannot create {dest_dir} in the container: {result.output_tail}")
            data.seek(0)
            try:
                ok = self.api.put_archive(self.container_id, dest_dir, data)
            except docker.errors.APIError as exc:
                raise BuildError(f"cannot upload to {dest_dir}: {exc.explanation or exc}") from exc
            if not ok:
                raise BuildError(f"cannot upload to {dest_dir}")

    def _upload_owner(self) -> tuple[int, int] | None:
        """The uid and gid uploaded files get: the container's user with fix_upload_owner, else as on this host."""
        if not self.fix_upload_owner:
            return None
        if self._owner is None:
            user = str(self.client.containers.get(self.container_id).attrs["Config"].get("User") or "")
            name, _, group = user.partition(":")
            if name in ("", "root", "0") and group in ("", "root", "0"):
                self._owner = (0, 0)
            else:
                ids = self.run(["/bin/sh", "-c", f"id -u {shlex.quote(name)}; id -g {shlex.quote(name)}"], user="0")
                numbers = ids.output_tail.split()
                if ids.exit_code != 0 or len(numbers) != 2:
                    raise BuildError(f"cannot find the uid and gid of the container user {user!r}")
                uid, gid = int(numbers[0]), int(numbers[1])
                if group:
                    gid = int(group) if group.isdigit() else gid
                self._owner = (uid, gid)
        return self._owner

    def download(self, remote_path: str, local_path: str) -> None:
        """Copy a file or folder out; as for uploads, "dir/" copies the folder's contents into local_path."""
        import docker.errors

        source = remote_path.rstrip("/") or "/"
        try:
            stream, stat = self.api.get_archive(self.container_id, source)
        except docker.errors.NotFound:
            raise BuildError(f"cannot download {remote_path}: no such file or folder in the container") from None
        except docker.errors.APIError as exc:
            raise BuildError(f"cannot download {remote_path}: {exc.explanation or exc}") from exc
        is_dir = bool(int(stat.get("mode", 0)) & (1 << 31))  # Go's os.ModeDir
        base = str(stat.get("name") or posixpath.basename(source))
        with _spool() as buf:
            for chunk in stream:
                buf.write(chunk)
            buf.seek(0)
            with tarfile.open(fileobj=buf, mode="r|") as tar:
                if is_dir:
                    root = Path(local_path) if remote_path.endswith("/") else Path(local_path) / base
                    root.mkdir(parents=True, exist_ok=True)
                else:
                    target = Path(local_path)
                    if local_path.endswith("/") or target.is_dir():
                        target = target / base
                    target.parent.mkdir(parents=True, exist_ok=True)
                    root = target.parent
                for member in tar:
                    first, _, rest = member.name.partition("/")
                    if first != base:
                        continue
                    if is_dir:
                        if not rest:
                            continue  # the folder itself: made above
                        member.name = rest
                    else:
                        member.name = target.name
                    tar.extract(member, root, filter=_local_filter)


def _local_filter(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    # Paths stay inside dest and setuid bits are dropped ("tar" filter); files belong to whoever runs bake.
    checked = tarfile.tar_filter(member, dest)
    return checked.replace(uid=os.getuid(), gid=os.getgid(), uname="", gname="", deep=False)


def _owned(uid_gid: tuple[int, int] | None) -> Any:
    def set_owner(info: tarfile.TarInfo) -> tarfile.TarInfo:
        if uid_gid is not None:
            info.uid, info.gid = uid_gid
        info.uname = info.gname = ""
        return info

    return set_owner


def _lines(stream: Any) -> Iterator[str]:
    """Decoded output lines of a demultiplexed exec stream; stdout and stderr keep separate partial lines."""
    decoders = [codecs.getincrementaldecoder("utf-8")(errors="replace") for _ in range(2)]
    pending = ["", ""]
    for frames in stream:
        for i, chunk in enumerate(frames):
            if not chunk:
                continue
            pending[i] += decoders[i].decode(chunk)
            *lines, pending[i] = pending[i].split("\n")
            for line in lines:
                yield line.rstrip("\r")
    for i in range(2):
        rest = pending[i] + decoders[i].decode(b"", final=True)
        if rest:
            yield rest.rstrip("\r")


def _close(stream: Any) -> None:
    """Close an exec's hijacked connection: the SDK leaves its socket open once the stream has ended."""
    response = stream._response
    sock = getattr(getattr(getattr(getattr(response.raw, "_fp", None), "fp", None), "raw", None), "_sock", None)
    with contextlib.suppress(OSError):
        stream.close()
    response.close()
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.close()


def _spool() -> tempfile.SpooledTemporaryFile[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
