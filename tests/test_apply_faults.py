"""bake apply under faults on a real Docker Engine: missing images, a dead engine, hangs, stale plans, signals."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BAKE = str(Path(sys.executable).with_name("bake"))

SOURCE = """
source "docker" "NAME" {
  image  = "IMAGE"
  pull   = false
  FINISH
}
"""


def write_template(work: Path, name: str, provisioners: str, image: str = "bake/busybox:latest",
                   finish: str = "discard = true", extra: str = "") -> None:  # fmt: skip
    source = SOURCE.replace("NAME", name).replace("IMAGE", image).replace("FINISH", finish)
    if extra:
        source = source.replace("  pull   = false\n", extra)
    body = f'{source}\nbuild {{\n  sources = ["source.docker.{name}"]\n{provisioners}}}\n'
    (work / "t.pkr.hcl").write_text(body)


def shell(*lines: str, extra: str = "") -> str:
    return f'  provisioner "shell" {{\n    inline = {json.dumps(list(lines))}\n{extra}  }}\n'


class Project:
    """A template folder with a cache of its own and a build name no other test uses."""

    def __init__(self, tmp_path: Path, docker_host: str) -> None:
        self.work = tmp_path / "proj"
        self.work.mkdir()
        self.cache = tmp_path / "cache"
        self.name = f"f{uuid.uuid4().hex[:10]}"
        self.build = f"docker.{self.name}"
        self.env = {**os.environ, "DOCKER_HOST": docker_host, "BAKE_CACHE_DIR": str(self.cache),
                    "SOURCE_DATE_EPOCH": "1700000000"}  # fmt: skip

    def bake(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([BAKE, *args], cwd=self.work, env=env or self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)  # fmt: skip

    def plan(self, out: str = "plan.json") -> None:
        r = self.bake("plan", "--out", out, ".")
        assert r.returncode == 0, r.stdout + r.stderr

    def containers(self) -> list[str]:
        r = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=bake.build={self.build}"], env=self.env,
                           capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
        return r.stdout.split()

    def cached_keys(self) -> set[str]:
        index = self.cache / "index.sqlite"
        if not index.exists():
            return set()
        with sqlite3.connect(index) as con:
            return {row[0] for row in con.execute("SELECT key FROM layers")}

    def step_keys(self, plan: str = "plan.json") -> list[tuple[str, str, str]]:
        data = json.loads((self.work / plan).read_text())
        return [(s["kind"], s["type"], s["key"]) for s in data["builds"][0]["steps"]]


@pytest.fixture
def project(tmp_path: Path, docker_host: str, base_image: str) -> Project:
    return Project(tmp_path, docker_host)


def events(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def no_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr


# --- the engine and its images ---


@pytest.mark.parametrize(
    ("image", "pull", "message"),
    [
        ("bake/no-such-image:latest", False, "is not in the Docker Engine and pull = false"),
        ("localhost:1/bake/no-such-image:latest", True, "cannot pull image localhost:1/bake/no-such-image:latest"),
    ],
    ids=["pull-false", "pull-fails"],
)
def test_missing_base_image(project: Project, image: str, pull: bool, message: str) -> None:
    pull_line = "  pull   = true\n" if pull else "  pull   = false\n"
    write_template(project.work, project.name, shell("echo never"), image=image, extra=pull_line)
    project.plan()
    r = project.bake("apply", "plan.json")
    assert r.returncode == 1, r.stdout + r.stderr
    assert message in r.stdout and "FAILED" in r.stdout
    no_traceback(r)
    assert not project.containers()
    assert not project.cached_keys()


@pytest.mark.parametrize("kind", ["refused", "missing"])
def test_dead_docker_socket(tmp_path: Path, kind: str) -> None:
    project = Project(tmp_path, "unix://")
    path = tmp_path / "dead.sock"
    if kind == "refused":  # a socket file that nobody listens on
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
    write_template(project.work, project.name, shell("echo never"))
    project.plan()
    env = {**project.env, "DOCKER_HOST": f"unix://{path}"}
    t0 = time.monotonic()
    r = project.bake("apply", "plan.json", env=env, timeout=60)
    took = time.monotonic() - t0
    if kind == "refused":
        sock.close()
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"cannot reach the Docker Engine at unix://{path}" in r.stdout
    no_traceback(r)
    assert took < 20


# --- steps that misbehave ---


def test_provisioner_timeout_stops_the_step(project: Project) -> None:
    steps = shell("echo started", "sleep 60", extra='    timeout = "2s"\n') + shell("echo never-reached")
    write_template(project.work, project.name, steps)
    project.plan()
    t0 = time.monotonic()
    r = project.bake("apply", "--format", "json", "plan.json", timeout=60)
    took = time.monotonic() - t0
    assert r.returncode == 1, r.stdout + r.stderr
    assert 2 <= took < 15, took
    (done,) = [e for e in events(r.stdout) if e["event"] == "build_done"]
    assert "timed out after 2s" in done["error"] and "started" in done["error"]
    assert "never-reached" not in r.stdout
    no_traceback(r)
    assert not project.containers()
    # the source step finished before the hang: it stays cached, the step that timed out does not
    keys = project.cached_keys()
    (source, hung, _after, _finalize) = project.step_keys()[:4]
    assert source[2] in keys and hung[2] not in keys


def test_script_not_executable_on_the_host(project: Project) -> None:
    script = project.work / "setup.sh"
    script.write_text('echo "script ran as $(id -u)"\n')  # no shebang, not executable
    script.chmod(0o644)
    steps = '  provisioner "shell" {\n    script = "setup.sh"\n  }\n'
    write_template(project.work, project.name, steps)
    project.plan()
    r = project.bake("apply", "plan.json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "script ran as 0" in r.stdout
    assert script.stat().st_mode & 0o777 == 0o644  # the host file is left alone
    assert not project.containers()


@pytest.mark.parametrize("source", ["files/a.txt", "files/"])
def test_vanished_file_source_makes_the_plan_stale(project: Project, source: str) -> None:
    (project.work / "files").mkdir()
    (project.work / "files" / "a.txt").write_text("a\n")
    steps = f'  provisioner "file" {{\n    source      = "{source}"\n    destination = "/tmp/dest/"\n  }}\n'
    write_template(project.work, project.name, steps)
    project.plan()
    (project.work / "files" / "a.txt").unlink()
    if source.endswith("/"):
        (project.work / "files").rmdir()
    r = project.bake("apply", "--format", "json", "plan.json")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "plan is stale" in r.stderr and "files/" in r.stderr
    assert not events(r.stdout)  # nothing started, not even a step
    no_traceback(r)
    assert not project.containers()
    assert not (project.cache / "index.sqlite").exists()


# --- two applies at once ---


def test_two_applies_of_one_plan_at_once(project: Project) -> None:
    steps = shell("echo one > /one", "sleep 1") + shell("echo two > /two")
    write_template(project.work, project.name, steps, finish="commit = true")
    project.plan()
    cmd = [BAKE, "apply", "--format", "json", "plan.json"]
    procs = [subprocess.Popen(cmd, cwd=project.work, env=project.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]  # fmt: skip
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, out + err
        assert events(out)[-1]["ok"]
    # the index is intact, every entry names a layer the engine has, and it covers every step
    with sqlite3.connect(project.cache / "index.sqlite") as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        layers = dict(con.execute("SELECT key, layer FROM layers WHERE builder = 'docker'").fetchall())
    assert {k for _, _, k in project.step_keys()} <= set(layers)
    inspect = subprocess.run(["docker", "image", "inspect", *layers.values()], env=project.env,
                             capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert inspect.returncode == 0, inspect.stderr
    again = project.bake("apply", "--format", "json", "plan.json")
    assert again.returncode == 0, again.stdout + again.stderr
    done = events(again.stdout)[-1]
    assert done["steps_run"] == 0 and done["steps_cached"] == len(layers)
    assert not project.containers()


# --- signals ---


class Apply:
    """A `bake apply --format json` running in the background, its events read as they come."""

    def __init__(self, project: Project) -> None:
        self.proc = subprocess.Popen([BAKE, "apply", "--format", "json", "plan.json"], cwd=project.work,
                                     env=project.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)  # fmt: skip
        self.events: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                self._queue.put(json.loads(line))
        self._queue.put(None)

    def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            event = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            assert event is not None, f"bake apply ended first: {self.events}"
            self.events.append(event)
            if pred(event):
                return

    def stop(self, signum: int) -> tuple[float, str]:
        """Send a signal; how long bake took to exit, and its stderr."""
        t0 = time.monotonic()
        self.proc.send_signal(signum)
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        took = time.monotonic() - t0
        self._reader.join(10)
        while (event := self._queue.get_nowait()) is not None:
            self.events.append(event)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return took, err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_during_a_long_step(project: Project, signum: signal.Signals) -> None:
    steps = shell("echo one > /one") + shell("echo two > /two") + shell("echo sleeping", "sleep 30")
    write_template(project.work, project.name, steps, finish="commit = true")
    project.plan()
    keys = project.step_keys()
    finished, (_, _, long_key) = keys[:3], keys[3]

    def sleeping(e: dict[str, Any]) -> bool:
        return bool(e["event"] == "output" and e["line"] == "sleeping")

    for attempt in range(2):  # the second apply resumes after the steps the first one finished
        run = Apply(project)
        run.wait_for(sleeping)
        took, err = run.stop(signum)
        assert run.proc.returncode == 128 + signum, err
        assert took < 10, took
        assert "Interrupted" in err and "Traceback" not in err, err
        last = run.events[-1]
        assert last["event"] == "apply_complete" and not last["ok"] and last["interrupted"] == signum.name
        assert not project.containers()
        cached_keys = project.cached_keys()
        assert {k for _, _, k in finished} <= cached_keys
        assert long_key not in cached_keys  # the step cut short is never cached
        started = [e["key"] for e in run.events if e["event"] == "step_start"]
        hits = [e["key"] for e in run.events if e["event"] == "step_cached"]
        if attempt == 0:
            assert started == [k for _, _, k in keys[:4]]
        else:
            assert hits == [k for _, _, k in finished] and started == [long_key]
