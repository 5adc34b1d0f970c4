"""Shared fixtures: the repository root and a runner for the installed `bake` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
