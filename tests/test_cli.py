"""The `bake validate --syntax-only` and `bake fmt` commands, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_bake

GOOD = 'variable "x" {\n  default = "y"\n}\n'
BAD = 'a = "a value", b = "b value"\n'


def test_validate_valid_folder(bake_exe: str, tmp_path: Path) -> None:
    (tmp_path / "a.pkr.hcl").write_text(GOOD)
    (tmp_path / "v.auto.pkrvars.hcl").write_text('x = "z"\n')
    (tmp_path / "ignored.txt").write_text("not hcl {")
    r = run_bake(bake_exe, "validate", "--syntax-only", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert b"The configuration is valid." in r.stdout


def test_validate_json_contract(bake_exe: str, tmp_path: Path) -> None:
    f = tmp_path / "bad.pkr.hcl"
    f.write_text(BAD)
    r = run_bake(bake_exe, "validate", "--syntax-only", "--format", "json", str(f))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["valid"] is False
    (d,) = doc["diagnostics"]
    assert set(d) == {"severity", "summary", "detail", "range"}
    assert d["severity"] == "error"
    assert d["range"]["filename"] == str(f)
    assert d["range"]["start"] == {"line": 1, "column": 14, "byte": 13}
    assert d["range"]["end"] == {"line": 1, "column": 15, "byte": 14}


def test_validate_packer_spelling_and_relative_filename(bake_exe: str, tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text("a {\n")
    r = run_bake(bake_exe, "validate", "-syntax-only", "-format=json", "t.pkr.hcl", cwd=tmp_path)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["diagnostics"][0]["range"]["filename"] == "t.pkr.hcl"
    assert doc["diagnostics"][0]["summary"] == "Unclosed configuration block"


def test_validate_text_rendering(bake_exe: str, tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text('x = 1\ny = [1 2]\n')
    r = run_bake(bake_exe, "validate", "--syntax-only", "t.pkr.hcl", cwd=tmp_path)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "t.pkr.hcl:2:8: error: Missing item separator" in err
    assert "y = [1 2]" in err
    assert "\n      |        ^\n" in err
    assert "Traceback" not in err


def test_validate_several_errors_in_one_file(bake_exe: str, tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text("a = 1 +\nb = 2 3\nc {\n  d = [\n}\n")
    r = run_bake(bake_exe, "validate", "--syntax-only", "--format=json", "t.pkr.hcl", cwd=tmp_path)
    doc = json.loads(r.stdout)
    assert [x["range"]["start"]["line"] for x in doc["diagnostics"]] == [1, 2, 5]


def test_validate_missing_path_and_usage(bake_exe: str, tmp_path: Path) -> None:
    r = run_bake(bake_exe, "validate", "--syntax-only", str(tmp_path / "nope.pkr.hcl"))
    assert r.returncode == 1
    assert b"No such file or directory" in r.stderr
    r = run_bake(bake_exe, "validate")
    assert r.returncode == 2
    r = run_bake(bake_exe, "validate", "--bogus-flag", "x")
    assert r.returncode == 2


def test_validate_binary_garbage_file(bake_exe: str, tmp_path: Path) -> None:
    f = tmp_path / "g.pkr.hcl"
    f.write_bytes(bytes(range(256)) * 50)
    r = run_bake(bake_exe, "validate", "--syntax-only", "--format", "json", str(f))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["valid"] is False and doc["diagnostics"]
    assert b"Traceback" not in r.stderr


def test_fmt_check_diff_write_and_stdin(bake_exe: str, tmp_path: Path) -> None:
    f = tmp_path / "t.pkr.hcl"
    ugly = 'source "docker" "x" {\n    image="a"\n  commit   = true\n}\n'
    f.write_text(ugly)
    r = run_bake(bake_exe, "fmt", "--check", str(f))
    assert r.returncode == 3
    assert f.read_text() == ugly
    r = run_bake(bake_exe, "fmt", "-diff", "-write=false", str(f))
    assert r.returncode == 0 and b"+  image  = " in r.stdout
    assert f.read_text() == ugly
    r = run_bake(bake_exe, "fmt", str(f))
    assert r.returncode == 0 and str(f).encode() in r.stdout
    pretty = f.read_text()
    assert pretty == 'source "docker" "x" {\n  image  = "a"\n  commit = true\n}\n'
    assert run_bake(bake_exe, "fmt", "--check", str(f)).returncode == 0
    r = run_bake(bake_exe, "fmt", "-", stdin=ugly.encode())
    assert r.returncode == 0 and r.stdout.decode() == pretty


def test_fmt_refuses_invalid_files(bake_exe: str, tmp_path: Path) -> None:
    f = tmp_path / "t.pkr.hcl"
    f.write_text(BAD)
    r = run_bake(bake_exe, "fmt", str(f))
    assert r.returncode == 1
    assert b"Unexpected comma after argument" in r.stderr
    assert f.read_text() == BAD


def test_fmt_recursive(bake_exe: str, tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.pkr.hcl").write_text("a=1\n")
    assert run_bake(bake_exe, "fmt", "--check", str(tmp_path)).returncode == 0
    assert run_bake(bake_exe, "fmt", "--check", "--recursive", str(tmp_path)).returncode == 3
    assert run_bake(bake_exe, "fmt", "--recursive", str(tmp_path)).returncode == 0
    assert (sub / "a.pkr.hcl").read_text() == "a = 1\n"


def test_parser_tables_cached_outside_package(bake_exe: str, tmp_path: Path) -> None:
    """The first run builds the LALR tables into the user's cache; later runs load them."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("BAKE_PARSER_CACHE_DIR", None)
    (tmp_path / "t.pkr.hcl").write_text(GOOD)
    for _ in range(2):
        r = subprocess.run(
            [bake_exe, "validate", "--syntax-only", str(tmp_path / "t.pkr.hcl")],
            env=env, capture_output=True, check=False,
        )
        assert r.returncode == 0, r.stderr
    cached = list((tmp_path / "cache" / "bake" / "parser").glob("hcl2-*.tables"))
    assert len(cached) == 1
    import bake

    pkg = Path(bake.__file__).parent
    for d in (pkg, ROOT / "grammar", ROOT / "compiler"):
        assert not list(d.rglob("*.tables")), d


def test_parser_tables_unwritable_cache_still_works(bake_exe: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    env = dict(os.environ, BAKE_PARSER_CACHE_DIR=str(blocker / "sub"))
    (tmp_path / "t.pkr.hcl").write_text(GOOD)
    r = subprocess.run(
        [bake_exe, "validate", "--syntax-only", str(tmp_path / "t.pkr.hcl")],
        env=env, capture_output=True, check=False,
    )
    assert r.returncode == 0, r.stderr


def test_help_does_not_import_the_parser() -> None:
    code = (
        "import sys\nfrom bake import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'lark' not in sys.modules, 'help imported lark'\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert r.returncode == 0, r.stderr
