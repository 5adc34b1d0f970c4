"""tools/engine.py, the quick start's first step: finds the engine and its base image, or says clearly why not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def run_tool(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "engine.py")], env=env, capture_output=True, text=True, timeout=120
    )


def test_uses_the_engine_at_docker_host_and_its_base_image(docker_host: str, base_image: str) -> None:
    r = run_tool({**os.environ, "DOCKER_HOST": docker_host})
    assert r.returncode == 0, r.stderr
    assert f"Docker Engine at {docker_host}; base image {base_image}" in r.stdout


def test_a_dead_docker_host_is_a_clear_error(tmp_path: Path) -> None:
    dead = f"unix://{tmp_path}/nothing.sock"
    r = run_tool({**os.environ, "DOCKER_HOST": dead})
    assert r.returncode == 1
    assert r.stderr.strip() == f"Error: no Docker Engine for bake: $DOCKER_HOST ({dead}) does not answer"
    assert "Traceback" not in r.stderr
