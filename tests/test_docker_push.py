"""The docker-push post-processor, end to end: a real engine pushing to a real local registry."""

from __future__ import annotations

import base64
import json
import re
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import LocalRegistry
from test_apply_docker import bake, docker, events
from test_postprocessors import e2e_project, make_build

from bake.runtime.interfaces import Artifact
from bake.runtime.postprocessors import POST_PROCESSORS
from bake.runtime.steps import StepContext, StepFailed

PUSH_TEMPLATE = """
source "docker" "BUILDNAME" {
  image  = "bake/busybox:latest"
  pull   = false
  commit = true
}

build {
  sources = ["source.docker.BUILDNAME"]

  provisioner "shell" {
    inline = ["echo pushed > /pushed.txt"]
  }

  post-processors {
    post-processor "docker-tag" {
      repository = "REPOSITORY"
      tags       = ["v1", "v2"]
    }
    post-processor "docker-push" {
      PUSH
    }
  }
}
"""

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)


def push_project(tmp_path: Path, registry: LocalRegistry, push: str) -> tuple[Path, str, str, dict[str, str]]:
    """A project that tags its image into the registry and pushes it; (folder, build name, repository, env)."""
    repo = f"bake/pushtest-{uuid.uuid4().hex[:10]}"
    text = PUSH_TEMPLATE.replace("REPOSITORY", f"{registry.host}/{repo}").replace("PUSH", push)
    work, name, env = e2e_project(tmp_path, text)
    return work, name, repo, env


def plan_and_apply(work: Path, env: dict[str, str]) -> tuple[int, str]:
    r = bake(["plan", "--out", "plan.json", "."], work, env)
    assert r.returncode == 0, r.stdout + r.stderr
    r = bake(["apply", "--format", "json", "plan.json"], work, env)
    return r.returncode, r.stdout + r.stderr


def pushed_digests(out: str) -> dict[str, str]:
    """The digests docker-push reported, by "repo:tag"."""
    lines = [e["line"] for e in events(out) if e["event"] == "output"]
    return dict(m.groups() for line in lines if (m := re.search(r"pushed (\S+) digest: (sha256:[0-9a-f]{64})", line)))


def test_push_tags_to_the_registry_and_caches(
    tmp_path: Path, docker_host: str, base_image: str, registry: LocalRegistry
) -> None:
    # login = false: the login fields are not used (a login to this server would fail)
    work, name, repo, env = push_project(
        tmp_path, registry, 'login = false\n      login_server = "127.0.0.1:9"\n      login_username = "nobody"'
    )
    code, out = plan_and_apply(work, env)
    assert code == 0, out
    done = events(out)[-1]
    assert done["event"] == "apply_complete" and done["ok"], out
    ran = [(e["kind"], e["type"]) for e in events(out) if e["event"] == "step_start"]
    assert ran[-2:] == [("post-processor", "docker-tag"), ("post-processor", "docker-push")]
    assert "logging in" not in out
    (artifact,) = done["artifacts"]
    names = [f"{registry.host}/{repo}:v1", f"{registry.host}/{repo}:v2"]
    assert artifact["files"] == names  # the same image is handed on

    status, _, body = registry.get(f"/v2/{repo}/tags/list")
    assert status == 200 and sorted(json.loads(body)["tags"]) == ["v1", "v2"]
    digests = pushed_digests(out)
    assert sorted(digests) == names
    for tag in ("v1", "v2"):
        status, headers, body = registry.get(f"/v2/{repo}/manifests/{tag}", accept=MANIFEST_TYPES)
        assert status == 200
        assert headers["Docker-Content-Digest"] == digests[f"{registry.host}/{repo}:{tag}"]
        manifest = json.loads(body)
        # the registry holds this very image: its config (classic store) or its manifest (containerd store)
        assert artifact["id"] in (manifest.get("config", {}).get("digest"), headers["Docker-Content-Digest"])
    assert not docker(env, "ps", "-aq", "--filter", f"label=bake.build=docker.{name}")

    # re-applying pushes nothing: every step, docker-push included, is cached
    again = bake(["apply", "--format", "json", "plan.json"], work, env)
    assert again.returncode == 0, again.stdout + again.stderr
    done = events(again.stdout)[-1]
    assert done["steps_run"] == 0 and done["steps_cached"] >= 4
    assert "pushing" not in again.stdout


def test_push_to_a_stopped_registry_fails_clearly(
    tmp_path: Path, docker_host: str, base_image: str, start_registry: Callable[..., LocalRegistry]
) -> None:
    down = start_registry()
    down.stop()
    work, name, _repo, env = push_project(tmp_path, down, "")
    code, out = plan_and_apply(work, env)
    assert code == 1, out
    failed = [e for e in events(out) if e["event"] == "apply_complete"]
    assert failed and not failed[-1]["ok"]
    assert "docker-push" in out and down.host in out
    assert re.search(r"connection refused|connect", out, re.IGNORECASE), out
    assert not docker(env, "ps", "-aq", "--filter", f"label=bake.build=docker.{name}")


def test_login_to_a_registry_with_htpasswd(
    tmp_path: Path, docker_host: str, base_image: str, start_registry: Callable[..., LocalRegistry]
) -> None:
    secured = start_registry(users={"baker": "right-pass"})
    login = f'login = true\n      login_server = "{secured.host}"\n      login_username = "baker"\n'
    work, _name, repo, env = push_project(tmp_path, secured, login + '      login_password = "wrong-pass"')

    code, out = plan_and_apply(work, env)  # a wrong password: the login fails, nothing is pushed
    assert code == 1, out
    assert f"docker-push could not log in to {secured.host} as baker" in out, out
    assert "wrong-pass" not in out

    text = (work / "t.pkr.hcl").read_text()
    (work / "t.pkr.hcl").write_text(text.replace("login = true", "login = false"))
    code, out = plan_and_apply(work, env)  # no login: the registry refuses the anonymous push
    assert code == 1, out
    assert "docker-push" in out and "logging in" not in out
    assert re.search(r"auth|unauthorized", out, re.IGNORECASE), out

    (work / "t.pkr.hcl").write_text(text.replace("wrong-pass", "right-pass"))
    code, out = plan_and_apply(work, env)
    assert code == 0, out
    ran = [(e["kind"], e["type"]) for e in events(out) if e["event"] == "step_start"]
    assert ran == [("post-processor", "docker-push")]  # the build and docker-tag were cached
    assert len(pushed_digests(out)) == 2
    status, _, _ = secured.get(f"/v2/{repo}/tags/list")
    assert status == 401  # anonymous reads are refused; the user's are not
    credentials = base64.b64encode(b"baker:right-pass").decode()
    request = urllib.request.Request(
        f"{secured.url}/v2/{repo}/tags/list", headers={"Authorization": f"Basic {credentials}"}
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        assert sorted(json.loads(reply.read())["tags"]) == ["v1", "v2"]


# --- unit: what docker-push refuses before it talks to an engine ---


def run_push(config: dict[str, Any], artifact: Artifact | None) -> Artifact | None:
    build = make_build([("docker-push", config)])
    step = build.steps[-1]
    return POST_PROCESSORS["docker-push"](StepContext(step, build, Path("."), lambda _line: None, artifact=artifact))


@pytest.mark.parametrize(
    ("config", "artifact", "message"),
    [
        ({}, None, "can only push a docker image artifact"),
        ({}, Artifact("docker", "out/rootfs.tar", ["out/rootfs.tar"]), "can only push a docker image artifact"),
        ({}, Artifact("docker", "sha256:" + "a" * 64, []), "put docker-tag (or docker-import) before it"),
        ({"ecr_login": True}, Artifact("docker", "sha256:" + "a" * 64, ["r:t"]), "ecr_login is not supported"),
    ],
)
def test_push_refuses_what_it_cannot_push(config: dict[str, Any], artifact: Artifact | None, message: str) -> None:
    with pytest.raises(StepFailed, match=re.escape(message)):
        run_push(config, artifact)
