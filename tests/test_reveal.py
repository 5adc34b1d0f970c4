"""Secrets at apply time (compiler/reveal.py): obtained again from their sources, checked against the plan."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bake.compiler.reveal import RevealError, reveal
from bake.runtime.verify import PlanRefused, verify

KEY = "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQAB\nQ29mZmVlIGlzIGdvb2Q=\n-----END KEY-----\n"

TEMPLATE = """
variable "key" {
  sensitive = true
}

variable "plain" {
  default = "visible"
}

source "docker" "x" {
  image  = "bake/busybox:latest"
  pull   = false
  commit = true
}

build {
  sources = ["source.docker.x"]

  provisioner "shell" {
    inline           = ["echo ${var.plain}"]
    environment_vars = ["KEY=${var.key}"]
  }
}
"""


def plan(tmp_path: Path, bake_exe: str, key: str = KEY) -> Path:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE)
    (tmp_path / "secret.pkrvars.hcl").write_text(f"key = {json.dumps(key)}\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "BAKE_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run(
        [bake_exe, "plan", "--out", "plan.json", "--var-file", "secret.pkrvars.hcl", "."],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "AAAAB3" not in (tmp_path / "plan.json").read_text()
    return tmp_path / "plan.json"


def test_secrets_come_back_from_the_var_file_with_every_line_masked(
    tmp_path: Path, bake_exe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = plan(tmp_path, bake_exe)
    monkeypatch.chdir(tmp_path)
    found = reveal("plan.json")
    (config,) = found["configs"].values()
    assert config["environment_vars"] == [f"KEY={KEY}"]
    assert config["inline"] == ["echo visible"]
    for line in ("AAAAB3NzaC1yc2EAAAADAQAB", "Q29mZmVlIGlzIGdvb2Q=", "-----BEGIN KEY-----", KEY):
        assert line in found["secrets"]
    assert found["secrets"][0] == KEY  # longest first: masked whole before its lines
    # the var file changed since the plan: refused, the plan is stale for this secret
    (tmp_path / "secret.pkrvars.hcl").write_text('key = "another"\n')
    assert reveal(str(path))["configs"]  # keys do not cover secrets (as in BuildKit), but the file's digest does:
    with pytest.raises(PlanRefused, match=r"secret\.pkrvars\.hcl changed"):
        verify(str(path))  # so bake apply refuses the plan before it asks for secrets
    (tmp_path / "secret.pkrvars.hcl").unlink()
    with pytest.raises(RevealError):
        reveal(str(path))
