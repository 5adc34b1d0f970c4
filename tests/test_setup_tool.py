"""tools/setup.py, the quick start's setup: which Debian packages are missing here, and a no-op when none are."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bake_setup_tool", ROOT / "tools" / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_programs_name_their_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = load()
    (tmp_path / "skopeo").write_text("#!/bin/sh\n")
    (tmp_path / "skopeo").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert tool.missing(tool.TESTS) == ["docker.io", "docker-registry"]


def test_a_dynamic_busybox_is_not_enough(tmp_path: Path) -> None:
    tool = load()
    dynamic = tmp_path / "busybox"
    dynamic.write_bytes(b"\x7fELF" + b"\0" * 60 + b"/lib64/ld-linux-x86-64.so.2\0")
    assert tool.missing([("busybox-static", str(dynamic))]) == ["busybox-static"]
    static = tmp_path / "static"
    static.write_bytes(b"\x7fELF" + b"\0" * 200)
    assert tool.missing([("busybox-static", str(static))]) == []


def test_nothing_to_do_here_is_a_quiet_success() -> None:
    # This machine has what the suite needs (.ci/run installs it), so the tool changes nothing.
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "setup.py")], capture_output=True, text=True,
                       timeout=60, check=False, env={**os.environ})  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "setup: everything bake needs here is installed"
