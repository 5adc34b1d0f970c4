"""bake apply end to end on a real Docker Engine: layers, cache hits, resume after a failure, cleanup."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

SECRET = "s3cr3t-value-7731"

TEMPLATE = """
variable "greeting" {
  default = "hello"
}

source "docker" "BUILDNAME" {
  image   = "bake/busybox:latest"
  pull    = false
  commit  = true
  changes = ["ENV APP_MODE=prod", "WORKDIR /srv"]
}

build {
  sources = ["source.docker.BUILDNAME"]

  provisioner "shell" {
    inline = [
      "mkdir -p /srv",
      "echo ${var.greeting} > /srv/greeting.txt",
      "%{ for n in ["one", "two"] }echo ${upper(n)} >> /srv/list.txt; %{ endfor }true",
    ]
  }

  provisioner "file" {
    source      = "files/"
    destination = "/srv/files"
  }

  provisioner "shell" {
    script           = "scripts/setup.sh"
    environment_vars = ["TARGET=/srv/setup.txt"]
  }

  provisioner "shell-local" {
    inline = ["echo local > local-ran.txt"]
  }

  provisioner "shell" {
    inline = ["echo LAST > /srv/last.txt"]
  }

  post-processors {
    post-processor "docker-tag" {
      repository = "bake/e2e-test"
      tags       = ["v1"]
    }
    post-processor "manifest" {
      output = "manifest.json"
    }
  }
}
"""


def template(work: Path, text: str = TEMPLATE) -> str:
    """The template with a build name of its own (the test's folder name)."""
    return text.replace("BUILDNAME", work.parent.name)


def bake(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import sys
    from pathlib import Path as _P

    exe = str(_P(sys.executable).with_name("bake"))
    return subprocess.run([exe, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def events(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.fixture
def project(tmp_path: Path, docker_host: str, base_image: str) -> tuple[Path, dict[str, str]]:
    work = tmp_path / "proj"
    (work / "files").mkdir(parents=True)
    (work / "scripts").mkdir()
    (work / "t.pkr.hcl").write_text(template(work))
    (work / "files" / "a.txt").write_text("file a\n")
    (work / "scripts" / "setup.sh").write_text('echo "set up" > "$TARGET"\n')
    env = {
        **os.environ,
        "DOCKER_HOST": docker_host,
        "BAKE_CACHE_DIR": str(tmp_path / "cache"),
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    return work, env


def docker(env: dict[str, str], *args: str) -> str:
    r = subprocess.run(["docker", *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_apply_builds_caches_and_resumes(project: tuple[Path, dict[str, str]]) -> None:
    work, env = project
    assert bake(["plan", "--out", "plan.json", "."], work, env).returncode == 0
    first = bake(["apply", "--format", "json", "plan.json"], work, env)
    assert first.returncode == 0, first.stdout + first.stderr
    done = events(first.stdout)[-1]
    assert done["event"] == "apply_complete" and done["ok"]
    assert done["steps_run"] == 9 and done["steps_cached"] == 0
    (artifact,) = done["artifacts"]
    image = artifact["id"]
    show = "cat /srv/greeting.txt /srv/list.txt /srv/files/a.txt /srv/setup.txt /srv/last.txt; echo $APP_MODE; pwd"
    # as with Packer, the image keeps the build container's entrypoint (/bin/sh) unless `changes` set one
    out = docker(env, "run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image, "-c", show)
    assert out.splitlines() == ["hello", "ONE", "TWO", "file a", "set up", "LAST", "prod", "/srv"]
    assert (work / "local-ran.txt").read_text() == "local\n"
    manifest = json.loads((work / "manifest.json").read_text())
    assert manifest["builds"][0]["artifact_id"] == image
    assert image in docker(env, "images", "--no-trunc", "-q", "bake/e2e-test:v1")

    # the same plan again: nothing runs
    again = bake(["apply", "--format", "json", "plan.json"], work, env)
    assert again.returncode == 0, again.stderr
    done = events(again.stdout)[-1]
    assert done["steps_run"] == 0 and done["steps_cached"] == 9
    assert done["artifacts"][0]["id"] == image
    assert bake(["plan", "--detailed-exitcode", "."], work, env).returncode == 0

    # editing the last provisioner reruns only it (and what follows it)
    (work / "t.pkr.hcl").write_text(template(work, TEMPLATE.replace("echo LAST", "echo CHANGED")))
    assert bake(["plan", "--out", "plan2.json", "."], work, env).returncode == 0
    third = bake(["apply", "--format", "json", "plan2.json"], work, env)
    ran = [(e["kind"], e["type"]) for e in events(third.stdout) if e["event"] == "step_start"]
    assert ran == [("provisioner", "shell"), ("finalize", "docker"), ("post-processor", "docker-tag"),
                   ("post-processor", "manifest")]  # fmt: skip
    assert not docker(env, "ps", "-aq", "--filter", f"label=bake.build=docker.{work.parent.name}")


def test_failed_step_cleans_up_and_fix_resumes(project: tuple[Path, dict[str, str]]) -> None:
    work, env = project
    broken = TEMPLATE.replace('inline = ["echo LAST > /srv/last.txt"]', 'inline = ["echo failing; exit 7"]')
    (work / "t.pkr.hcl").write_text(template(work, broken))
    assert bake(["plan", "--out", "plan.json", "."], work, env).returncode == 0
    failed = bake(["apply", "plan.json"], work, env)
    assert failed.returncode == 1
    assert "exited with status 7" in failed.stdout and "failing" in failed.stdout
    assert not docker(env, "ps", "-aq", "--filter", f"label=bake.build=docker.{work.parent.name}")
    (work / "t.pkr.hcl").write_text(template(work))
    assert bake(["plan", "--out", "plan.json", "."], work, env).returncode == 0
    fixed = bake(["apply", "--format", "json", "plan.json"], work, env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    starts = [(e["kind"], e["type"]) for e in events(fixed.stdout) if e["event"] == "step_start"]
    cached = [(e["kind"], e["type"]) for e in events(fixed.stdout) if e["event"] == "step_cached"]
    assert cached[:5] == [("source", "docker"), ("provisioner", "shell"), ("provisioner", "file"),
                          ("provisioner", "shell"), ("provisioner", "shell-local")]  # fmt: skip
    assert starts[0] == ("provisioner", "shell")


def test_secrets_never_reach_the_output(project: tuple[Path, dict[str, str]]) -> None:
    work, env = project
    text = TEMPLATE.replace(
        'variable "greeting" {',
        f'variable "token" {{\n  default = "{SECRET}"\n  sensitive = true\n}}\n\nvariable "greeting" {{',
    )
    (work / "t.pkr.hcl").write_text(template(work, text))
    r = bake(["plan", "--out", "plan.json", "."], work, env)
    assert r.returncode == 0 and SECRET not in r.stdout + r.stderr
    assert SECRET not in (work / "plan.json").read_text()
    # the secret is used by a provisioner: apply obtains it again, uses it, and masks it everywhere
    used = text.replace(
        'inline = ["echo LAST > /srv/last.txt"]',
        'inline = ["echo token=$TOKEN", "echo $TOKEN > /srv/token.txt"]\n    environment_vars = ["TOKEN=${var.token}"]',
    ).replace(
        'environment_vars = ["TARGET=/srv/setup.txt"]',
        'environment_vars = ["TARGET=/srv/setup.txt", "TOKEN=${var.token}"]',
    )
    (work / "scripts" / "setup.sh").write_text('echo "set up" > "$TARGET"\necho "token-in-script=$TOKEN"\n')
    (work / "t.pkr.hcl").write_text(template(work, used))
    r = bake(["plan", "--out", "plan.json", "."], work, env)
    assert r.returncode == 0 and SECRET not in r.stdout + r.stderr, r.stderr
    assert SECRET not in (work / "plan.json").read_text()
    for fmt in ("json", "text"):
        applied = bake(["apply", "--no-cache", "--format", fmt, "plan.json"], work, env)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert SECRET not in applied.stdout + applied.stderr
        assert "token=<sensitive>" in applied.stdout and "token-in-script=<sensitive>" in applied.stdout
    image = events(bake(["apply", "--format", "json", "plan.json"], work, env).stdout)[-1]["artifacts"][0]["id"]
    out = docker(env, "run", "--rm", "--network", "none", "--entrypoint", "/bin/cat", image, "/srv/token.txt")
    assert out.strip() == SECRET
    for path in (Path(env["BAKE_CACHE_DIR"]), work):
        for f in path.rglob("*"):
            if f.is_file() and f.name != "t.pkr.hcl":  # the template holds it, as the user wrote it
                assert SECRET.encode() not in f.read_bytes(), f


def test_secret_given_with_var_is_asked_for_again(project: tuple[Path, dict[str, str]]) -> None:
    work, env = project
    text = TEMPLATE.replace(
        'variable "greeting" {', 'variable "token" {\n  sensitive = true\n}\n\nvariable "greeting" {'
    ).replace(
        'environment_vars = ["TARGET=/srv/setup.txt"]', 'environment_vars = ["TARGET=/srv/setup.txt", "T=${var.token}"]'
    )
    (work / "t.pkr.hcl").write_text(template(work, text))
    assert bake(["plan", "--out", "plan.json", "--var", f"token={SECRET}", "."], work, env).returncode == 0
    refused = bake(["apply", "plan.json"], work, env)
    assert refused.returncode == 3
    assert "-var token=" in refused.stderr and SECRET not in refused.stdout + refused.stderr
    right = bake(["apply", "--format", "json", "--var", f"token={SECRET}", "plan.json"], work, env)
    assert right.returncode == 0, right.stdout + right.stderr
    assert SECRET not in right.stdout + right.stderr


def test_apply_on_a_terminal_shows_live_progress(project: tuple[Path, dict[str, str]]) -> None:
    import pty
    import sys

    work, env = project
    assert bake(["plan", "--out", "plan.json", "."], work, env).returncode == 0
    master, slave = pty.openpty()
    exe = str(Path(sys.executable).with_name("bake"))
    proc = subprocess.Popen(
        [exe, "apply", "plan.json"], cwd=work, env={**env, "COLUMNS": "120"}, stdout=slave, stderr=slave
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=300) == 0
    shown = b"".join(chunks).decode(errors="replace")
    assert "Applying:" in shown and "\x1b[" in shown  # the live table, drawn with terminal controls
    assert "steps (0 cached)" in shown
    assert "Apply complete: 9 steps run, 0 cached." in shown
    assert "+ " in shown and "provisioner shell" in shown  # the step lines scroll above it


def test_error_cleanup_provisioner_runs_in_the_machine_after_a_failure(project: tuple[Path, dict[str, str]]) -> None:
    work, env = project
    broken = TEMPLATE.replace('inline = ["echo LAST > /srv/last.txt"]', 'inline = ["echo failing; exit 7"]').replace(
        "  post-processors {",
        '  error-cleanup-provisioner "shell" {\n'
        '    inline = ["echo cleaning up after $REASON; cat /srv/greeting.txt"]\n'
        '    environment_vars = ["REASON=failure"]\n'
        "  }\n\n  post-processors {",
    )
    (work / "t.pkr.hcl").write_text(template(work, broken))
    assert bake(["plan", "--out", "plan.json", "."], work, env).returncode == 0
    failed = bake(["apply", "--format", "json", "plan.json"], work, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    evs = events(failed.stdout)
    lines = [e["line"] for e in evs if e["event"] == "output"]
    assert "cleaning up after failure" in lines and "hello" in lines  # it ran inside the build's container
    kinds = [e["kind"] for e in evs if e["event"] == "step_start"]
    assert kinds[-1] == "error-cleanup-provisioner"
    assert not docker(env, "ps", "-aq", "--filter", f"label=bake.build=docker.{work.parent.name}")
    # a build that succeeds never runs it
    fixed = template(work, broken.replace('"echo failing; exit 7"', '"true"'))
    (work / "t.pkr.hcl").write_text(fixed)
    assert bake(["plan", "--out", "plan.json", "."], work, env).returncode == 0
    ok = bake(["apply", "--format", "json", "plan.json"], work, env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "error-cleanup-provisioner" not in [e.get("kind") for e in events(ok.stdout)]


def test_on_error_abort_keeps_the_container_and_says_how_to_remove_it(project: tuple[Path, dict[str, str]]) -> None:
    import shlex

    work, env = project
    broken = TEMPLATE.replace(
        'inline = ["echo LAST > /srv/last.txt"]', 'inline = ["echo kept > /srv/kept.txt; exit 3"]'
    )
    (work / "t.pkr.hcl").write_text(template(work, broken))
    assert bake(["plan", "--out", "plan.json", "."], work, env).returncode == 0
    failed = bake(["apply", "--on-error", "abort", "plan.json"], work, env)
    assert failed.returncode == 1
    label = f"label=bake.build=docker.{work.parent.name}"
    (kept,) = docker(env, "ps", "-aq", "--filter", label).split()
    assert docker(env, "exec", kept, "cat", "/srv/kept.txt").strip() == "kept"  # as the failed step left it
    hint = failed.stdout.split("remove it with: ", 1)[1].split(")", 1)[0]
    assert shlex.split(hint)[:3] == ["docker", "rm", "-f"]
    docker(env, *shlex.split(hint)[1:])
    assert not docker(env, "ps", "-aq", "--filter", label)


def test_secret_from_the_environment_is_read_again(project: tuple[Path, dict[str, str]]) -> None:
    work, env = project
    text = TEMPLATE.replace(
        'variable "greeting" {', 'variable "token" {\n  sensitive = true\n}\n\nvariable "greeting" {'
    ).replace('inline = ["echo LAST > /srv/last.txt"]', 'inline = ["echo tok=${var.token}"]')
    (work / "t.pkr.hcl").write_text(template(work, text))
    with_token = {**env, "PKR_VAR_token": SECRET}
    assert bake(["plan", "--out", "plan.json", "."], work, with_token).returncode == 0
    refused = bake(["apply", "plan.json"], work, env)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "$PKR_VAR_token" in refused.stderr and not refused.stdout
    applied = bake(["apply", "--format", "json", "plan.json"], work, with_token)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "tok=<sensitive>" in [e.get("line") for e in events(applied.stdout)]
    assert SECRET not in applied.stdout + applied.stderr
