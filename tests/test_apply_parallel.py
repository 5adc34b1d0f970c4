"""Builds run side by side under asyncio, `--parallel-builds N` at a time, on a real Docker Engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_apply_faults import Project, events, no_traceback


@pytest.fixture
def project(tmp_path: Path, docker_host: str, base_image: str) -> Project:
    return Project(tmp_path, docker_host)

# Each build says it started, then waits (up to WAIT seconds) to see the other build's start.
WAIT = 4
TEMPLATE = """
source "docker" "NAME-a" {
  image   = "bake/busybox:latest"
  pull    = false
  discard = true
}

source "docker" "NAME-b" {
  image   = "bake/busybox:latest"
  pull    = false
  discard = true
}

build {
  sources = ["source.docker.NAME-a", "source.docker.NAME-b"]

  provisioner "shell-local" {
    inline = [
      "touch started-${source.name}",
      "i=0; while [ $i -lt WAIT0 ] && [ $(ls started-* | wc -l) -lt 2 ]; do sleep 0.1; i=$((i+1)); done",
      "n=$(ls started-* | wc -l)",
      "if [ $n -eq 2 ]; then echo together > seen-${source.name}; else echo alone > seen-${source.name}; fi",
    ]
  }
}
"""


@pytest.mark.parametrize(("parallel", "expect"), [(None, "together"), ("1", "alone"), ("2", "together")])
def test_parallel_builds(project: Project, parallel: str | None, expect: str) -> None:
    (project.work / "t.pkr.hcl").write_text(
        TEMPLATE.replace("NAME", project.name).replace("WAIT0", str(WAIT * 10))
    )
    project.plan()
    args = ["apply", "--format", "json", *(["--parallel-builds", parallel] if parallel else []), "plan.json"]
    r = project.bake(*args)
    no_traceback(r)
    assert r.returncode == 0, r.stdout + r.stderr
    seen = sorted(p.read_text().strip() for p in project.work.glob("seen-*"))
    if expect == "alone":  # one at a time: the first waits in vain, the second finds the first's mark
        assert seen == ["alone", "together"]
        done = [e["build"] for e in events(r.stdout) if e["event"] == "build_done"]
        starts = [e["build"] for e in events(r.stdout) if e["event"] == "step_start"]
        # the second build starts no step before the first has finished
        first = done[0]
        assert starts.index(next(b for b in starts if b != first)) > len([b for b in starts if b == first]) - 1
    else:
        assert seen == ["together", "together"]
    assert events(r.stdout)[-1]["event"] == "apply_complete"


def test_parallel_builds_must_be_positive(project: Project) -> None:
    (project.work / "t.pkr.hcl").write_text(TEMPLATE.replace("NAME", project.name).replace("WAIT0", "1"))
    project.plan()
    r = project.bake("apply", "--parallel-builds", "-1", "plan.json")
    no_traceback(r)
    assert r.returncode == 2, r.stdout + r.stderr
