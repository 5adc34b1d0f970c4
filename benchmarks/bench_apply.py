"""Time bake apply (docker on a real engine, and the daemonless rootfs builder): first, no-op, one-step rebuild."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import dockerd  # noqa: E402  (tests/dockerd.py: $DOCKER_HOST if it answers, else a private dockerd)

BAKE = str(Path(sys.executable).with_name("bake"))
NOOP_GOAL = 0.30  # a no-op re-apply must take at most this fraction of the first apply
EPOCH = "1700000000"

TEMPLATE = """
variable "last" {
  default = "LAST"
}

source "docker" "NAME" {
  image  = "bake/busybox:latest"
  pull   = false
  commit = true
}

build {
  sources = ["source.docker.NAME"]

  provisioner "shell" {
    inline = ["mkdir -p /srv/app", "echo hello > /srv/app/greeting"]
  }

  provisioner "file" {
    source      = "files/"
    destination = "/srv/app/files"
  }

  provisioner "shell" {
    script           = "setup.sh"
    environment_vars = ["TARGET=/srv/app/setup.txt"]
  }

  provisioner "shell" {
    inline = ["for i in 1 2 3 4 5; do echo line $i >> /srv/app/log; done", "sync"]
  }

  provisioner "shell" {
    inline = ["echo ${var.last} > /srv/app/last"]
  }
}
"""


# The same steps on the rootfs builder, from an empty tree bootstrapped with the host's static busybox.
ROOTFS_SOURCE = """
variable "busybox" {
  default = "/bin/busybox"
}

source "rootfs" "NAME" {
  base        = "scratch"
  output      = "tar"
  output_path = "out/image.tar"
}
"""
ROOTFS_BOOTSTRAP = """
  provisioner "file" {
    source      = var.busybox
    destination = "/bin/sh"
  }

  provisioner "shell" {
    remote_path = "/bootstrap.sh"
    inline      = ["ln /bin/sh /bin/busybox", "/bin/busybox --install -s /bin", "mkdir -p /tmp && chmod 1777 /tmp"]
  }
"""


def template(builder: str, name: str) -> str:
    """The benchmark template for a builder: the docker one, or the same steps on a bootstrapped rootfs."""
    text = TEMPLATE.replace("NAME", name)
    if builder == "docker":
        return text
    head, _, rest = text.partition('source "docker"')
    _, _, build = rest.partition("\n}\n")
    build = build.replace(f"source.docker.{name}", f"source.rootfs.{name}")
    sources = f'sources = ["source.rootfs.{name}"]\n'
    build = build.replace(sources, sources + ROOTFS_BOOTSTRAP, 1)
    return head + ROOTFS_SOURCE.replace("NAME", name) + build


def bake(work: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([BAKE, *args], cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False)
    if r.returncode != 0:
        raise SystemExit(f"bench_apply: bake {' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


def timed_apply(work: Path, env: dict[str, str], plan: str) -> tuple[float, list[dict[str, Any]]]:
    t0 = time.perf_counter()
    r = bake(work, env, "apply", "--format", "json", plan)
    took = time.perf_counter() - t0
    return took, [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def ran(events: list[dict[str, Any]]) -> list[str]:
    return [f"{e['kind']} {e['type']}" for e in events if e["event"] == "step_start"]


def one_round(tmp: Path, host: str, builder: str) -> tuple[float, float, float, list[str], list[str], list[str]]:
    """A fresh project and cache: first apply, no-op re-apply, rebuild after editing the last provisioner."""
    name = f"bench{uuid.uuid4().hex[:8]}"
    work = tmp / name
    (work / "files").mkdir(parents=True)
    for i in range(3):
        (work / "files" / f"f{i}.txt").write_text(f"file {i}\n" * 100)
    (work / "setup.sh").write_text('echo "set up" > "$TARGET"\n')
    (work / "t.pkr.hcl").write_text(template(builder, name))
    env = {**os.environ, "DOCKER_HOST": host, "BAKE_CACHE_DIR": str(tmp / f"cache-{name}"), "SOURCE_DATE_EPOCH": EPOCH}
    bake(work, env, "plan", "--out", "plan.json", ".")
    first, _ = timed_apply(work, env, "plan.json")
    noop, ev2 = timed_apply(work, env, "plan.json")
    bake(work, env, "plan", "--out", "plan2.json", "-var", "last=EDITED", ".")
    edit, ev3 = timed_apply(work, env, "plan2.json")
    steps = [f"{s['kind']} {s['type']}" for s in json.loads((work / "plan2.json").read_text())["builds"][0]["steps"]]
    return first, noop, edit, ran(ev2), ran(ev3), steps


def cached(tmp: Path) -> dict[str, str]:
    """Every cache entry the rounds made: key to layer."""
    found: dict[str, str] = {}
    for index in tmp.glob("cache-*/index.sqlite"):
        with sqlite3.connect(index) as con:
            found.update(con.execute("SELECT key, layer FROM layers").fetchall())
    return found


def cleanup(client: Any, tmp: Path) -> None:
    """Remove the layers and artifacts this benchmark made (an engine given by $DOCKER_HOST keeps the rest)."""
    import docker.errors

    entries = cached(tmp)
    artifacts = [i.id for i in client.images.list(all=True, filters={"label": "bake.artifact"})
                 if i.labels.get("bake.artifact") in entries]  # fmt: skip
    for image in [*artifacts, *reversed(list(entries.values()))]:  # children before their parents
        with contextlib.suppress(docker.errors.APIError):
            client.images.remove(image, force=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3, help="rounds, each with a fresh cache; medians shown (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the images the benchmark made")
    ap.add_argument("--builder", choices=["docker", "rootfs", "both"], default="both", help="which builder to time")
    args = ap.parse_args(argv)
    builders = ["docker", "rootfs"] if args.builder == "both" else [args.builder]
    rounds: dict[str, list[tuple[float, float, float, list[str], list[str], list[str]]]] = {}
    if "rootfs" in builders:
        tmp = Path(tempfile.mkdtemp(prefix="bench_apply."))
        try:
            rounds["rootfs"] = [one_round(tmp, "", "rootfs") for _ in range(args.repeat)]
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if "docker" in builders:
        rounds["docker"] = docker_rounds(args.repeat, args.keep)
    print(f"{args.repeat} rounds each, medians, seconds\n")
    print(f"{'builder':<10}{'first apply':>14}{'no-op re-apply':>18}{'rebuild last step':>20}{'no-op/first':>14}"
          f"{'rebuild/first':>16}")  # fmt: skip
    for builder in builders:
        first, noop, edit = (statistics.median(r[i] for r in rounds[builder]) for i in range(3))
        print(f"{builder:<10}{first:>14.3f}{noop:>18.3f}{edit:>20.3f}{noop / first:>14.1%}{edit / first:>16.1%}")
    if len(builders) == 2:
        d, r = (statistics.median(x[0] for x in rounds[b]) for b in ("docker", "rootfs"))
        print(f"\nrootfs first apply / docker first apply: {r / d:.2f}x")
    for builder in builders:
        first = statistics.median(r[0] for r in rounds[builder])
        noop = statistics.median(r[1] for r in rounds[builder])
        noop_ran, edit_ran, steps = rounds[builder][-1][3], rounds[builder][-1][4], rounds[builder][-1][5]
        print(f"\n{builder}: {len(steps)} steps ({', '.join(steps)})")
        ratio = noop / first
        print(f"  no-op re-apply / first apply: {ratio:.1%} (goal <= {NOOP_GOAL:.0%}): {verdict(ratio <= NOOP_GOAL)}")
        print(f"  steps run by the no-op re-apply: {noop_ran or 'none'}: {verdict(not noop_ran)}")
        last = max(i for i, s in enumerate(steps) if s.startswith("provisioner "))
        expected = steps[last:]
        print(f"  steps run by the rebuild: {edit_ran}")
        print(f"  only the edited provisioner and what follows it: {verdict(edit_ran == expected)}")
    return 0


def docker_rounds(repeat: int, keep: bool) -> list[tuple[float, float, float, list[str], list[str], list[str]]]:
    """The rounds on a Docker Engine ($DOCKER_HOST if it answers, else a private dockerd)."""
    import docker

    given = os.environ.get("DOCKER_HOST", "")
    daemon: dockerd.PrivateDaemon | None = None
    if given and dockerd.answers(given):
        host = given
    else:
        daemon = dockerd.PrivateDaemon(f"bench{os.getpid()}")
        host = daemon.acquire()
    try:
        client = docker.DockerClient(base_url=host, timeout=300)
        dockerd.ensure_base_image(client)
        print(f"engine: {host}{' (private dockerd)' if daemon else ''}; base image {dockerd.BASE_IMAGE}")
        tmp = Path(tempfile.mkdtemp(prefix="bench_apply."))
        try:
            rounds = [one_round(tmp, host, "docker") for _ in range(repeat)]
            if not keep and daemon is None:
                cleanup(client, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            client.close()
    finally:
        if daemon is not None:
            daemon.release()
    return rounds


if __name__ == "__main__":
    sys.exit(main())
