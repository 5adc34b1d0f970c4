"""Shared fixtures: the repository root and a runner for the installed `bake` command."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
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
