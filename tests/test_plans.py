"""The committed example plans in plans/ re-plan byte for byte, decode, render, and match docs/plan.schema.json."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from bake.compiler import planfile as pf

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"
SCHEMA = ROOT / "docs" / "plan.schema.json"
EPOCH = "1700000000"

CASES = sorted(p.name for p in PLANS.iterdir() if (p / "plan.json").is_file())


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Nothing from the caller's environment may reach the plan: no PKR_VAR_*, no layer cache.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PKR_VAR_", "SOURCE_DATE_EPOCH", "BAKE_"))}
    env.update(SOURCE_DATE_EPOCH=EPOCH, BAKE_CACHE_DIR=str(tmp_path / "cache"), **extra)
    return env


def _bake(bake_exe: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([bake_exe, *args], cwd=ROOT, env=env, capture_output=True, timeout=120, check=False)


def test_there_are_cases() -> None:
    assert {"hello", "rootfs-hello", "docker-app", "multi-source"} <= set(CASES)


def test_every_template_folder_has_a_plan() -> None:
    missing = [p.name for p in sorted(PLANS.iterdir()) if any(p.glob("*.pkr.hcl")) and not (p / "plan.json").is_file()]
    assert not missing, f"plans/ folders without a committed plan.json: {missing}"


@pytest.mark.parametrize("case", CASES)
def test_replan_is_byte_identical(case: str, bake_exe: str, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    # Another hash seed, time zone and locale than whoever made the committed plan, most likely.
    env = _env(tmp_path, PYTHONHASHSEED="4242", TZ="Pacific/Kiritimati", LC_ALL="C")
    r = _bake(bake_exe, ["plan", "--out", str(out), f"plans/{case}"], env)
    assert r.returncode == 0, r.stderr.decode()
    committed = (PLANS / case / "plan.json").read_bytes()
    fresh = out.read_bytes()
    if fresh != committed:
        old, new = pf.decode(committed), pf.decode(fresh)
        from bake.compiler.planner import changed_inputs

        modes = {k: (old.inputs.modes.get(k), v) for k, v in new.inputs.modes.items() if old.inputs.modes.get(k) != v}
        pytest.fail(
            f"plans/{case}/plan.json is stale or planning is not reproducible; changed inputs: "
            f"{dict(changed_inputs(old, new))}; changed file modes: {modes} (a checkout under umask 002?). "
            "If the change is intended, re-run from the repository root: "
            f"SOURCE_DATE_EPOCH={EPOCH} bake plan --out plans/{case}/plan.json plans/{case}"
        )


@pytest.mark.parametrize("case", CASES)
def test_committed_plan_decodes(case: str) -> None:
    data = (PLANS / case / "plan.json").read_bytes()
    plan = pf.decode(data, f"plans/{case}/plan.json")
    assert plan.template == f"plans/{case}"
    assert plan.inputs.source_date_epoch == int(EPOCH)
    assert pf.encode(plan) == data  # the committed file is exactly what bake writes


@pytest.mark.parametrize("case", CASES)
def test_bake_show_renders_it(case: str, bake_exe: str, tmp_path: Path) -> None:
    path = f"plans/{case}/plan.json"
    plan = pf.decode((ROOT / path).read_bytes())
    r = _bake(bake_exe, ["show", path], _env(tmp_path))
    assert r.returncode == 0, r.stderr.decode()
    text = r.stdout.decode()
    assert plan.plan_hash in text
    for build in plan.builds:
        assert build.name in text
    r = _bake(bake_exe, ["show", "--format", "json", path], _env(tmp_path))
    assert r.returncode == 0, r.stderr.decode()
    json.loads(r.stdout)


def test_sensitive_default_never_shows(bake_exe: str, tmp_path: Path) -> None:
    secret = "insecure-default-token"
    case = PLANS / "multi-source"
    assert secret in (case / "multi-source.pkr.hcl").read_text(encoding="utf-8")
    plan = pf.decode((case / "plan.json").read_bytes())
    assert plan.inputs.sensitive == {"api_token": "default"}
    assert "api_token" not in plan.inputs.variables
    assert secret.encode() not in (case / "plan.json").read_bytes()
    for args in (
        ["plan", "--out", str(tmp_path / "p.json"), "plans/multi-source"],
        ["show", "plans/multi-source/plan.json"],
        ["show", "--format", "markdown", "plans/multi-source/plan.json"],
    ):
        r = _bake(bake_exe, args, _env(tmp_path))
        assert r.returncode == 0, r.stderr.decode()
        assert secret.encode() not in r.stdout + r.stderr


# ------------------------------------------------------------------ JSON Schema


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_plan_schema", ROOT / "tools" / "gen_plan_schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == _generator().render(), (
        "docs/plan.schema.json is stale: run .venv/bin/python tools/gen_plan_schema.py"
    )


@pytest.mark.parametrize("case", CASES)
def test_plan_validates_against_schema(case: str) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads((PLANS / case / "plan.json").read_bytes())
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_schema_rejects_what_decode_rejects() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    doc = json.loads((PLANS / CASES[0] / "plan.json").read_bytes())
    doc["builds"][0]["steps"][0]["unexpected"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(doc)
