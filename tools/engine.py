"""Make sure a Docker Engine answers and has bake's base image (the quick start's first step).

Uses the engine at $DOCKER_HOST (or the default socket) when one answers. Otherwise it installs
Debian's docker.io and busybox-static when they are missing, and starts dockerd on the default
socket (no bridge, no iptables: builds need no network). Then it imports `bake/busybox:latest`
from a busybox-static root filesystem when the engine lacks it: nothing is pulled from a registry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import docker
import dockerd

DEFAULT_HOST = "unix:///var/run/docker.sock"
STATE = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "bake"


def _install(packages: list[str]) -> None:
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"installing {' '.join(packages)} (apt-get)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", *packages], check=True, env=env, stdout=subprocess.DEVNULL
    )


def _start_dockerd() -> None:
    STATE.mkdir(parents=True, exist_ok=True)
    log = STATE / "dockerd.log"
    print(f"starting dockerd on {DEFAULT_HOST} (log: {log})", flush=True)
    args = ["dockerd", f"--host={DEFAULT_HOST}", "--bridge=none", "--iptables=false"]
    if os.geteuid() != 0:
        args = ["sudo", *args]
    with log.open("ab") as out:
        subprocess.Popen(args, stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + dockerd.START_TIMEOUT
    while time.monotonic() < deadline:
        if dockerd.answers(DEFAULT_HOST, timeout=1.0):
            return
        time.sleep(0.2)
    raise dockerd.DockerdError(f"dockerd did not answer within {dockerd.START_TIMEOUT:.0f} s; see {log}")


def main() -> int:
    host = os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    try:
        if not dockerd.answers(host):
            if os.environ.get("DOCKER_HOST"):
                raise dockerd.DockerdError(f"$DOCKER_HOST ({host}) does not answer")
            missing = [
                p for p, exe in (("docker.io", "dockerd"), ("busybox-static", "busybox")) if not shutil.which(exe)
            ]
            if missing:
                _install(missing)
            _start_dockerd()
        elif not shutil.which("busybox"):
            _install(["busybox-static"])
        client = docker.DockerClient(base_url=host, timeout=120)
        try:
            image = dockerd.ensure_base_image(client)
        finally:
            client.close()
    except (dockerd.DockerdError, subprocess.CalledProcessError, docker.errors.DockerException) as exc:
        print(f"Error: no Docker Engine for bake: {exc}", file=sys.stderr)
        return 1
    print(f"Docker Engine at {host}; base image {dockerd.BASE_IMAGE} ({image[:19]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
