"""The runtime stands alone: bake apply never imports the parser, the evaluator or Lark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_bake

CHECK = """
import sys
from bake import cli
try:
    cli.main(["apply", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
prefixes = ("lark.", "bake.compiler.hcl", "bake.compiler.packer", "bake.compiler.functions", "bake.compiler.planner")
forbidden = [m for m in sys.modules if m == "lark" or m.startswith(prefixes)]
print("FORBIDDEN", forbidden, "EXIT", code)
"""


def test_apply_imports_no_compiler(tmp_path: Path, bake_exe: str) -> None:
    plan = tmp_path / "plan.json"
    r = run_bake(bake_exe, "plan", "--out", str(plan), "plans/hello", cwd=ROOT)
    assert r.returncode == 0, r.stderr
    tampered = tmp_path / "tampered.json"
    text = plan.read_text()
    assert "/hello.txt" in text
    tampered.write_text(text.replace("/hello.txt", "/other.txt"))
    r2 = subprocess.run(
        [sys.executable, "-c", CHECK, str(tampered)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert "FORBIDDEN [] EXIT 3" in r2.stdout, (r2.stdout, r2.stderr)
    assert "altered after planning" in r2.stderr


def test_apply_refuses_unknown_format_and_stale_plans(tmp_path: Path, bake_exe: str) -> None:
    work = tmp_path / "proj"
    work.mkdir()
    (work / "t.pkr.hcl").write_text(
        'source "docker" "x" {\n  image  = "bake/busybox:latest"\n  commit = true\n}\n'
        'build {\n  sources = ["source.docker.x"]\n  provisioner "shell" {\n    script = "s.sh"\n  }\n}\n'
    )
    (work / "s.sh").write_text("echo one\n")
    r = run_bake(bake_exe, "plan", "--out", "plan.json", ".", cwd=work)
    assert r.returncode == 0, r.stderr
    (work / "s.sh").write_text("echo two\n")
    r = run_bake(bake_exe, "apply", "plan.json", cwd=work)
    assert r.returncode == 3
    assert b"plan is stale: s.sh changed since the plan was made" in r.stderr
    (work / "v2.json").write_text(
        (work / "plan.json").read_text().replace('"format_version": "1"', '"format_version": "2"')
    )
    r = run_bake(bake_exe, "apply", "v2.json", cwd=work)
    assert r.returncode == 3 and b"format_version" in r.stderr


def test_apply_from_another_folder_says_where_to_run_it(tmp_path: Path, bake_exe: str) -> None:
    work = tmp_path / "repo"
    (work / "tpl").mkdir(parents=True)
    (work / "tpl" / "t.pkr.hcl").write_text(
        'source "docker" "x" {\n  image  = "bake/busybox:latest"\n  commit = true\n}\n'
        'build {\n  sources = ["source.docker.x"]\n}\n'
    )
    assert run_bake(bake_exe, "plan", "--out", "plan.json", "tpl", cwd=work).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = run_bake(bake_exe, "apply", str(work / "plan.json"), cwd=elsewhere)
    assert r.returncode == 3 and not r.stdout
    assert b"the plan's template tpl is not found from this folder" in r.stderr
    assert b"run bake apply in the folder where bake plan ran" in r.stderr
