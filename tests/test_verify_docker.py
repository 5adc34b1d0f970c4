"""bake verify on a docker build: a commit records its time, so it never matches; the check leaves no image."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_apply_faults import Project, no_traceback, shell, write_template


@pytest.fixture
def project(tmp_path: Path, docker_host: str, base_image: str) -> Project:
    return Project(tmp_path, docker_host)


def images(project: Project) -> set[str]:
    r = subprocess.run(["docker", "images", "-aq", "--no-trunc"], env=project.env, capture_output=True, text=True,
                       timeout=60, check=True)  # fmt: skip
    return set(r.stdout.split())


def test_verify_a_docker_commit(project: Project) -> None:
    write_template(project.work, project.name, shell("echo hi > /hi"), finish="commit = true")
    project.plan()
    r = project.bake("apply", "plan.json")
    assert r.returncode == 0, r.stdout + r.stderr
    before = images(project)
    r = project.bake("verify", "--format", "json", "plan.json")
    no_traceback(r)
    assert r.returncode == 1, r.stdout + r.stderr
    done = json.loads(r.stdout.splitlines()[-1])
    assert done["event"] == "verify_complete" and not done["ok"]
    (report,) = done["builds"]
    assert report["build"] == project.build and not report["identical"]
    assert report["recorded"].startswith("sha256:") and report["rebuilt"].startswith("sha256:")
    assert report["recorded"] != report["rebuilt"]
    assert images(project) <= before  # the rebuild's layers and image are gone again
    assert not project.containers()
