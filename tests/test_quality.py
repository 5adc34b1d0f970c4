"""House rules as tests: ruff with bugbear, mypy --strict, and a one-line docstring on each module."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGES = ("bake", "compiler", "runtime", "grammar")


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    assert exe.exists(), f"{name} is a test dependency (pip install -e '.[test]')"
    return str(exe)


def test_ruff_clean() -> None:
    args = [_tool("ruff"), "check", *PACKAGES, "tests", "benchmarks"]
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict(tmp_path: Path) -> None:
    # mypy resolves modules by folder; mirror the installed layout (bake.compiler, ...) with links.
    pkg = tmp_path / "bake"
    shutil.copytree(ROOT / "bake", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for sub in ("compiler", "runtime", "grammar"):
        (pkg / sub).symlink_to(ROOT / sub, target_is_directory=True)
    r = subprocess.run(
        [_tool("mypy"), "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / ".mypy"),
         "-p", "bake"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_module_has_a_one_line_docstring() -> None:
    missing = []
    for folder in (*PACKAGES, "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            if not doc or "\n" in doc.strip():
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, missing


def test_every_package_folder_is_installed() -> None:
    # setuptools installs only the packages listed (a wheel would miss a folder left out).
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {"bake"} | {
        "bake." + ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("compiler", "runtime", "grammar")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert found == listed
