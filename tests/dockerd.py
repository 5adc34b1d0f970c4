"""A Docker Engine for the tests: $DOCKER_HOST when it answers, else one private dockerd per pytest run."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors

# One lock for every run on this machine: it only guards the short start/stop/import sections, and a
# well-known path that is never deleted cannot be raced by a worker that opened an unlinked copy.
LOCK_PATH = Path("/tmp/bake-dockerd.lock")
# Unix socket paths are limited to ~108 bytes, so the run's folder stays short.
DIR_PREFIX = "/tmp/bake-dk-"
START_TIMEOUT = 30.0
BASE_IMAGE = "bake/busybox:latest"


class DockerdError(Exception):
    """The test engine could not be reached or started."""


@contextlib.contextmanager
def locked() -> Iterator[None]:
    with LOCK_PATH.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def answers(host: str, timeout: float = 3.0) -> bool:
    """Whether an engine answers /_ping at host (a raw probe: the SDK leaks a socket when a connect fails)."""
    try:
        if host.startswith("unix://"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address: Any = host[len("unix://") :]
        elif host.startswith("tcp://") and not os.environ.get("DOCKER_TLS_VERIFY"):
            name, _, port = host[len("tcp://") :].rstrip("/").rpartition(":")
            sock = socket.socket(socket.AF_INET6 if ":" in name else socket.AF_INET, socket.SOCK_STREAM)
            address = (name.strip("[]"), int(port))
        else:
            return _sdk_answers(host, timeout)
        with sock:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = b""
            while chunk := sock.recv(4096):
                reply += chunk
        return reply.startswith(b"HTTP/1.") and b" 200 " in reply.split(b"\r\n", 1)[0]
    except (OSError, ValueError):
        return False


def _sdk_answers(host: str, timeout: float) -> bool:
    try:
        client = docker.DockerClient(base_url=host, timeout=timeout)
    except docker.errors.DockerException:
        return False
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it happens to be our child
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _is_our_dockerd(pid: int, folder: Path) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"dockerd" in cmdline and str(folder).encode() in cmdline


def log_tail(folder: Path, lines: int = 25) -> str:
    try:
        text = (folder / "dockerd.log").read_text(errors="replace")
    except OSError:
        return "(no daemon log)"
    return "\n".join(text.splitlines()[-lines:])


class PrivateDaemon:
    """A dockerd in its own folder, shared by the xdist workers of one pytest run through a holder list."""

    def __init__(self, run_id: str) -> None:
        self.folder = Path(DIR_PREFIX + run_id[:12])
        self.state_path = self.folder / "holders.json"

    @property
    def host(self) -> str:
        return f"unix://{self.folder}/docker.sock"

    def _holders(self) -> list[int]:
        try:
            holders: list[int] = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return []
        return [p for p in holders if _alive(p)]  # a crashed worker holds nothing

    def _write_holders(self, holders: list[int]) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(holders))
        tmp.replace(self.state_path)

    def _daemon_pid(self) -> int | None:
        try:
            pid = int((self.folder / "docker.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) and _is_our_dockerd(pid, self.folder) else None

    def acquire(self) -> str:
        with locked():
            sweep_stale(keep=self.folder)
            holders = self._holders()
            if not holders or self._daemon_pid() is None or not answers(self.host):
                self._stop()
                self._start()
            self._write_holders([*holders, os.getpid()])
        return self.host

    def release(self) -> None:
        with locked():
            holders = [p for p in self._holders() if p != os.getpid()]
            if holders:
                self._write_holders(holders)
            else:
                self._stop()

    def _start(self) -> None:
        dockerd = shutil.which("dockerd")
        if dockerd is None:
            raise DockerdError("dockerd not found and $DOCKER_HOST does not answer: apt-get install docker.io")
        self.folder.mkdir(parents=True, exist_ok=True)
        args = [
            dockerd,
            f"--host={self.host}",
            f"--data-root={self.folder}/root",
            f"--exec-root={self.folder}/exec",
            f"--pidfile={self.folder}/docker.pid",
            "--bridge=none",
            "--iptables=false",
        ]
        # Started through a shell that exits at once: the daemon is nobody's child here, so whichever
        # worker is last can stop it, and it is in its own session, away from the terminal's ^C.
        subprocess.run(
            ["sh", "-c", 'exec "$@" >"$0" 2>&1 </dev/null &', str(self.folder / "dockerd.log"), *args],
            check=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if answers(self.host, timeout=1.0):
                return
            time.sleep(0.1)
        tail = log_tail(self.folder)
        self._stop()
        raise DockerdError(
            f"dockerd did not answer on {self.host} within {START_TIMEOUT:.0f} s; the end of its log:\n{tail}"
        )

    def _stop(self) -> None:
        stop_folder(self.folder)


def stop_folder(folder: Path) -> None:
    """Stop the dockerd of a private folder (if any) and remove the folder."""
    pid_file = folder / "docker.pid"
    try:
        pid: int | None = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        pid = None
    if pid is not None and _alive(pid) and _is_our_dockerd(pid, folder):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    # Mounts left by a killed daemon would make rmtree fail half-way; lazily unmount them first.
    with contextlib.suppress(OSError):
        for line in reversed(Path("/proc/self/mounts").read_text().splitlines()):
            mountpoint = line.split()[1]
            if mountpoint.startswith(str(folder) + "/"):
                subprocess.run(["umount", "-l", mountpoint], check=False, capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def sweep_stale(keep: Path) -> None:
    """Stop daemons of earlier runs whose workers are all gone (a run killed before its teardown)."""
    for folder in Path("/tmp").glob(Path(DIR_PREFIX).name + "*"):
        if folder == keep or not folder.is_dir():
            continue
        try:
            holders = json.loads((folder / "holders.json").read_text())
        except (OSError, ValueError):
            holders = []
        if not any(_alive(p) for p in holders):
            stop_folder(folder)


def busybox_rootfs_tar() -> bytes:
    """A minimal root filesystem: a static busybox, its applets as symlinks, /tmp, /root and a root user."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not Path(busybox).exists():
        raise DockerdError("busybox not found: apt-get install busybox-static")
    if b"ld-linux" in Path(busybox).read_bytes()[:8192]:
        raise DockerdError(f"{busybox} is dynamically linked: apt-get install busybox-static")
    applets = subprocess.run([busybox, "--list-full"], capture_output=True, text=True, check=True).stdout.split()
    buf = io.BytesIO()
    now = int(time.time())

    def add(name: str, kind: bytes, mode: int, data: bytes = b"", link: str = "") -> None:
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime, info.linkname, info.size = kind, mode, now, link, len(data)
        tar.addfile(info, io.BytesIO(data) if data else None)

    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d, mode in [("bin", 0o755), ("sbin", 0o755), ("usr", 0o755), ("usr/bin", 0o755), ("usr/sbin", 0o755),
                        ("etc", 0o755), ("root", 0o700), ("tmp", 0o1777), ("var", 0o755), ("var/tmp", 0o1777),
                        ("proc", 0o755), ("sys", 0o755), ("dev", 0o755)]:  # fmt: skip
            add(d, tarfile.DIRTYPE, mode)
        add("bin/busybox", tarfile.REGTYPE, 0o755, Path(busybox).read_bytes())
        for applet in applets:
            if applet.strip("/") != "bin/busybox":
                add(applet.strip("/"), tarfile.SYMTYPE, 0o777, link="/bin/busybox")
        passwd = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
        add("etc/passwd", tarfile.REGTYPE, 0o644, passwd)
        add("etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\nnogroup:x:65534:\n")
    return buf.getvalue()


def ensure_base_image(client: Any) -> str:
    """Import bake/busybox:latest unless the engine has it; returns its id."""
    with locked():
        try:
            return str(client.images.get(BASE_IMAGE).id)
        except docker.errors.ImageNotFound:
            pass
        repo, tag = BASE_IMAGE.split(":")
        client.api.import_image_from_data(busybox_rootfs_tar(), repository=repo, tag=tag)
        return str(client.images.get(BASE_IMAGE).id)
