"""Shared fixtures: the repository root and a runner for the installed `bake` command."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bake_exe() -> str:
    exe = Path(sys.executable).with_name("bake")
    assert exe.exists(), f"bake is not installed next to {sys.executable}"
    return str(exe)


def run_bake(
    bake_exe: str, *args: str, stdin: bytes | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    return subprocess.run(
        [bake_exe, *args], input=stdin, capture_output=True, cwd=cwd, env=env, timeout=timeout, check=False
    )


# Property tests are deterministic in CI: the same examples every run, no shared example database.
settings.register_profile("bake", derandomize=True, database=None, deadline=None)
settings.load_profile("bake")


# --- Docker Engine (tests/dockerd.py): $DOCKER_HOST if it answers, else a private dockerd per run ---


@pytest.fixture(scope="session")
def docker_host() -> Iterator[str]:
    """The engine's address; also exported as $DOCKER_HOST for code (and `bake`) started by the tests."""
    import dockerd

    given = os.environ.get("DOCKER_HOST", "")
    if given and dockerd.answers(given):
        yield given
        return
    # xdist workers of one run share its uid, so they share one daemon; a plain run gets its own.
    daemon = dockerd.PrivateDaemon(os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex)
    try:
        host = daemon.acquire()
    except dockerd.DockerdError as e:
        pytest.fail(str(e), pytrace=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOCKER_HOST", host)
        try:
            yield host
        finally:
            daemon.release()


@pytest.fixture(scope="session")
def docker_client(docker_host: str) -> Iterator[Any]:
    import docker

    client = docker.DockerClient(base_url=docker_host, timeout=120)
    yield client
    client.close()


@pytest.fixture(scope="session")
def base_image(docker_client: Any) -> str:
    """`bake/busybox:latest`, imported from a busybox-static rootfs when the engine lacks it; returns its name."""
    import dockerd

    try:
        dockerd.ensure_base_image(docker_client)
    except dockerd.DockerdError as e:
        pytest.fail(str(e), pytrace=False)
    return dockerd.BASE_IMAGE


# --- a local registry for docker-push: Debian's docker-registry (distribution v2) on 127.0.0.1 ---

REGISTRY_EXE = "/usr/bin/docker-registry"


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash for an htpasswd file, from the system's libcrypt (libxcrypt)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("crypt")
    if name is None:
        pytest.skip("libcrypt not found")
    lib = ctypes.CDLL(name)
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    salt = lib.crypt_gensalt(b"$2b$", 5, None, 0)
    hashed = lib.crypt(password.encode(), salt) if salt else None
    if not hashed or not hashed.startswith(b"$2"):
        pytest.skip("libcrypt cannot make bcrypt hashes")
    return str(hashed.decode())


class LocalRegistry:
    """One docker-registry process serving plain HTTP on 127.0.0.1 (dockerd trusts 127.0.0.0/8 registries)."""

    def __init__(self, folder: Path, users: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.users = users or {}
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        """host:port, the prefix of a repository name in this registry."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def get(self, path: str, accept: str = "") -> tuple[int, dict[str, str], bytes]:
        """An anonymous GET on the registry's HTTP API: (status, headers, body)."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.url + path, headers={"Accept": accept} if accept else {})
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                return int(reply.status), dict(reply.headers.items()), bytes(reply.read())
        except urllib.error.HTTPError as e:
            return int(e.code), dict(e.headers.items()), bytes(e.read())

    def _config(self) -> str:
        import json

        config: dict[str, Any] = {
            "version": 0.1,
            "log": {"level": "warn", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(self.folder / "data")}, "delete": {"enabled": True}},
            "http": {"addr": self.host},
        }
        if self.users:
            htpasswd = self.folder / "htpasswd"
            htpasswd.write_text("".join(f"{u}:{bcrypt_hash(p)}\n" for u, p in self.users.items()))
            config["auth"] = {"htpasswd": {"realm": "bake-test", "path": str(htpasswd)}}
        path = self.folder / "config.yml"
        path.write_text(json.dumps(config, indent=1))  # JSON is YAML
        return str(path)

    def start(self, timeout: float = 15.0) -> LocalRegistry:
        import time
        import urllib.error
        import urllib.request

        if not Path(REGISTRY_EXE).exists():
            pytest.fail(f"{REGISTRY_EXE} not found: apt-get install docker-registry", pytrace=False)
        self.folder.mkdir(parents=True, exist_ok=True)
        log_path = self.folder / "registry.log"
        for _attempt in range(3):  # another process may take the free port first
            self.port = _free_port()
            config = self._config()
            with log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [REGISTRY_EXE, "serve", config],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # away from the terminal's ^C; stopped by stop()
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    with urllib.request.urlopen(self.url + "/v2/", timeout=1):
                        return self
                except urllib.error.HTTPError:
                    return self  # 401: up, and asking for credentials
                except OSError:
                    time.sleep(0.05)
            self.stop()
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
        pytest.fail(
            f"docker-registry did not answer GET /v2/ on {self.host}; the end of its log:\n{tail}", pytrace=False
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRegistry]:
    """A running registry for this worker's session, without authentication."""
    reg = LocalRegistry(tmp_path_factory.mktemp("registry")).start()
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture
def start_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LocalRegistry]]:
    """Start extra registries for one test (with `users`: htpasswd authentication); stopped at its end."""
    started: list[LocalRegistry] = []

    def start(users: dict[str, str] | None = None) -> LocalRegistry:
        reg = LocalRegistry(tmp_path_factory.mktemp("registry"), users).start()
        started.append(reg)
        return reg

    yield start
    for reg in started:
        reg.stop()
