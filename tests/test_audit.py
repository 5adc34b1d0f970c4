"""The hash-chained audit log: concurrent appends, tamper detection by record number, and `bake audit`."""

from __future__ import annotations

import base64
import hashlib
import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from conftest import run_bake
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from typer.testing import CliRunner

from bake.cli import app
from bake.runtime import provenance as prov
from bake.runtime.audit import GENESIS, AuditError, AuditLog, apply_record, build_record

PLAN = "sha256:" + hashlib.sha256(b"plan").hexdigest()


def sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def new_key() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _statement(build: str, digest: str) -> dict[str, Any]:
    steps = [prov.StepRecord(sha(build + "0"), "source", "docker", False)]
    return prov.statement(
        subjects=[(build, digest)], plan_hash=PLAN, build=build, builder="docker", variables={}, inputs={},
        base=None, steps=steps, invocation_id="inv", started=1_700_000_000, finished=1_700_000_010, version="0.1.0",
    )  # fmt: skip


def make_log(root: Path, applies: int = 3, key: bytes | None = None) -> AuditLog:
    """A log of `applies` × (apply record, build record): build records at lines 2, 4, 6..."""
    log = AuditLog(root / ".bake" / "audit.jsonl")
    for i in range(applies):
        build = f"b{i}.docker.box"
        digest = sha(f"artifact {i}")
        st = _statement(build, digest)
        path = prov.provenance_path([], root, build)
        file_digest = prov.write(path, prov.sign(st, key) if key else st)
        log.append(
            apply_record(plan_hash=PLAN, plan="plan.json", ok=True, steps_run=1, steps_cached=0, invocation=f"inv{i}")
        )
        log.append(
            build_record(
                build=build, ok=True, invocation=f"inv{i}", plan_hash=PLAN, artifact=digest, digest=digest,
                provenance=str(path.relative_to(root)), provenance_digest=file_digest,
                public_key=prov.public_key_pem(key) if key else None,
                steps=[prov.StepRecord(sha(build + "0"), "source", "docker", False)],
            )
        )  # fmt: skip
    return log


def lines_of(log: AuditLog) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


# ------------------------------------------------------------------ format and appending


def test_records_are_chained_canonical_lines(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    records = log.records()
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5, 6]
    assert [r["type"] for r in records] == ["apply", "build"] * 3
    assert records[0]["prev"] == GENESIS
    raw = lines_of(log)
    for i, (rec, line) in enumerate(zip(records, raw, strict=True)):
        assert line == json.dumps(rec, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        without = {k: v for k, v in rec.items() if k != "hash"}
        assert rec["hash"] == sha(json.dumps(without, sort_keys=True, separators=(",", ":")))
        if i:
            assert rec["prev"] == "sha256:" + hashlib.sha256(raw[i - 1].rstrip(b"\n")).hexdigest()
        assert prov.is_rfc3339(rec["time"]) and rec["time"].endswith("Z")
    build = records[1]
    assert build["signed"] is False and "public_key" not in build
    assert build["steps"] == [{"key": sha("b0.docker.box0"), "kind": "source", "type": "docker", "cached": False}]
    assert records[0]["user"] and records[0]["host"]
    assert log.verify() == []
    assert log.head() == (6, "sha256:" + hashlib.sha256(raw[-1].rstrip(b"\n")).hexdigest())


def test_build_record_keeps_the_first_line_of_an_error_and_the_key(tmp_path: Path) -> None:
    key = new_key()
    rec = build_record(build="b", ok=False, invocation="i", plan_hash=PLAN, error="boom\nTraceback...\n")
    assert rec["error"] == "boom" and rec["signed"] is False
    signed = build_record(build="b", ok=True, invocation="i", plan_hash=PLAN, public_key=prov.public_key_pem(key))
    assert signed["signed"] is True
    assert signed["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert signed["keyid"] == prov.keyid(prov.public_key_pem(key))


def test_append_refuses_bad_payloads(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(AuditError, match="cannot set seq"):
        log.append({"type": "apply", "seq": 7})
    with pytest.raises(AuditError, match="type must be one of apply, build"):
        log.append({"type": "other"})
    with pytest.raises(AuditError, match="float"):
        log.append({"type": "apply", "seconds": 1.5})
    assert not log.path.exists()


def test_append_masks_secrets(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    log.append(build_record(build="b", ok=False, invocation="i", plan_hash=PLAN, error="token t0p-s3cret refused"),
               secrets=["t0p-s3cret"])  # fmt: skip
    assert b"t0p-s3cret" not in log.path.read_bytes()
    assert log.records()[0]["error"] == "<sensitive>"
    assert log.verify() == []


def test_append_does_not_extend_a_damaged_log(tmp_path: Path) -> None:
    log = make_log(tmp_path, applies=1)
    data = log.path.read_bytes()
    log.path.write_bytes(data[:-10])  # a torn last write
    with pytest.raises(AuditError, match="last line is incomplete"):
        log.append(apply_record(plan_hash=PLAN, plan="p", ok=True, steps_run=0, steps_cached=0, invocation="x"))
    log.path.write_bytes(data + b"{garbage\n")
    with pytest.raises(AuditError, match="last record is damaged"):
        log.append(apply_record(plan_hash=PLAN, plan="p", ok=True, steps_run=0, steps_cached=0, invocation="x"))


def _append_many(path: str, who: str, count: int, start: Any) -> None:
    start.wait()
    log = AuditLog(Path(path))
    for i in range(count):
        log.append(apply_record(plan_hash=PLAN, plan=who, ok=True, steps_run=i, steps_cached=0, invocation=who))


def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / ".bake" / "audit.jsonl"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_append_many, args=(str(path), who, 50, start)) for who in ("a", "b")]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    log = AuditLog(path)
    records = log.records()
    assert [r["seq"] for r in records] == list(range(1, 101))
    assert log.verify() == []
    for who in ("a", "b"):
        assert [r["steps_run"] for r in records if r["plan"] == who] == list(range(50))  # each in its own order


# ------------------------------------------------------------------ tampering, reported by record number


def test_every_changed_byte_of_a_record_is_reported_at_that_record(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    raw = lines_of(log)
    k = 3
    start = sum(len(x) for x in raw[: k - 1])
    original = log.path.read_bytes()
    for pos in range(start, start + len(raw[k - 1]) - 1):  # every byte but the newline
        changed = bytearray(original)
        changed[pos] ^= 0x01
        log.path.write_bytes(bytes(changed))
        problems = log.verify(check_files=False)
        assert problems, f"byte {pos - start} of record {k} changed unnoticed"
        assert problems[0].record == k, (pos - start, problems)


def test_a_changed_record_with_a_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    raw = lines_of(log)
    rec = json.loads(raw[2])
    rec["ok"] = False
    del rec["hash"]
    rec["hash"] = sha(json.dumps(rec, sort_keys=True, separators=(",", ":")))
    raw[2] = json.dumps(rec, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    log.path.write_bytes(b"".join(raw))
    problems = log.verify(check_files=False)
    assert [p.record for p in problems] == [4]
    assert "prev does not match record 3" in problems[0].message


def test_a_value_bake_never_writes_is_reported_not_raised(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    raw = lines_of(log)
    raw[2] = raw[2].replace(b'"steps_run":1', b'"steps_run":1.5')
    log.path.write_bytes(b"".join(raw))
    problems = log.verify()
    assert [p.record for p in problems] == [3, 4]
    assert "changed after it was written" in problems[0].message


@pytest.mark.parametrize("k", [1, 3, 6])
def test_a_removed_record_is_reported(tmp_path: Path, k: int) -> None:
    log = make_log(tmp_path)
    raw = lines_of(log)
    del raw[k - 1]
    log.path.write_bytes(b"".join(raw))
    problems = log.verify()
    if k == 6:  # removing the last record leaves a valid shorter chain: only an anchored head shows it
        assert problems == []
        assert log.head()[0] == 5
        return
    assert [p.record for p in problems] == [k]
    assert "removed" in problems[0].message


@pytest.mark.parametrize("k", [1, 2, 5])
def test_two_swapped_records_are_reported(tmp_path: Path, k: int) -> None:
    log = make_log(tmp_path)
    raw = lines_of(log)
    raw[k - 1], raw[k] = raw[k], raw[k - 1]
    log.path.write_bytes(b"".join(raw))
    problems = log.verify()
    assert problems[0].record == k
    assert k + 1 in [p.record for p in problems]
    assert "reordered" in problems[0].message


def test_a_truncated_last_line_is_reported(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    data = log.path.read_bytes()
    log.path.write_bytes(data[:-40])
    problems = log.verify()
    assert [p.record for p in problems] == [6]
    assert "incomplete" in problems[0].message
    log.path.write_bytes(data[:-1])  # only the newline lost
    problems = log.verify()
    assert [p.record for p in problems] == [6]


def test_records_names_the_malformed_line(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    raw = lines_of(log)
    raw[1] = b"{oops\n"
    log.path.write_bytes(b"".join(raw))
    with pytest.raises(AuditError, match=r"record 2 \(line 2\)"):
        log.records()


def test_a_missing_log_is_an_audit_error(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="no audit log at"):
        AuditLog(tmp_path / "nope.jsonl").verify()
    with pytest.raises(AuditError, match="no audit log at"):
        AuditLog(tmp_path / "nope.jsonl").records()


# ------------------------------------------------------------------ provenance files


def test_signed_provenance_verifies_with_the_recorded_or_given_key(tmp_path: Path) -> None:
    key = new_key()
    log = make_log(tmp_path, key=key)
    assert log.records()[1]["signed"] is True
    assert log.verify() == []
    assert log.verify(public_key_pem=prov.public_key_pem(key)) == []
    problems = log.verify(public_key_pem=prov.public_key_pem(new_key()))
    assert [p.record for p in problems] == [2, 4, 6]
    assert all("signature" in p.message for p in problems)


def test_a_provenance_file_edited_after_the_fact_is_reported(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    path = prov.provenance_path([], tmp_path, "b1.docker.box")
    st = prov.read(path)
    st["predicate"]["buildDefinition"]["externalParameters"]["build"] = "forged"
    prov.write(path, st)
    problems = log.verify()
    assert [p.record for p in problems] == [4]
    assert "changed after the build" in problems[0].message
    assert log.verify(check_files=False) == []


def test_a_provenance_file_about_another_artifact_is_reported(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    path = prov.provenance_path([], tmp_path, "b0.docker.box")
    prov.write(path, _statement("b0.docker.box", sha("another artifact")))
    problems = log.verify()
    assert [p.record for p in problems] == [2]
    assert "another artifact" in problems[0].message


def test_a_missing_provenance_file_is_reported(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    prov.provenance_path([], tmp_path, "b2.docker.box").unlink()
    problems = log.verify()
    assert [(p.record, "missing" in p.message) for p in problems] == [(6, True)]


def test_a_broken_signature_is_reported(tmp_path: Path) -> None:
    key = new_key()
    log = make_log(tmp_path, key=key)
    path = prov.provenance_path([], tmp_path, "b1.docker.box")
    env = json.loads(path.read_bytes())
    sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
    sig[5] ^= 0x10
    env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
    prov.write(path, env)
    problems = log.verify()
    assert [p.record for p in problems] == [4]
    assert "signature" in problems[0].message and "does not verify" in problems[0].message


def test_a_signed_record_whose_file_lost_its_signature_is_reported(tmp_path: Path) -> None:
    key = new_key()
    log = make_log(tmp_path, key=key)
    path = prov.provenance_path([], tmp_path, "b0.docker.box")
    prov.write(path, prov.read(path, prov.public_key_pem(key)))  # the statement without its envelope
    problems = log.verify()
    assert [p.record for p in problems] == [2]
    assert "not a DSSE envelope" in problems[0].message


# ------------------------------------------------------------------ the CLI


def test_cli_verify_intact_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = new_key()
    make_log(tmp_path, key=key)
    monkeypatch.chdir(tmp_path)  # the default log: .bake/audit.jsonl here
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "audit log OK: 6 records, chain intact\n"
    (tmp_path / "key.pub").write_bytes(prov.public_key_pem(key))
    result = CliRunner().invoke(app, ["audit", "verify", "--key", "key.pub", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["records"] == 6 and doc["problems"] == []


def test_cli_verify_names_the_first_bad_record(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    raw = lines_of(log)
    raw[2] = raw[2].replace(b'"ok":true', b'"ok":false')
    log.path.write_bytes(b"".join(raw))
    result = CliRunner().invoke(app, ["audit", "verify", "--audit-log", str(log.path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("record 3: its content was changed")
    result = CliRunner().invoke(app, ["audit", "verify", "--audit-log", str(log.path), "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["problems"][0]["record"] == 3


def test_cli_verify_with_a_wrong_or_missing_key(tmp_path: Path) -> None:
    log = make_log(tmp_path, key=new_key())
    (tmp_path / "other.pub").write_bytes(prov.public_key_pem(new_key()))
    result = CliRunner().invoke(
        app, ["audit", "verify", "--audit-log", str(log.path), "--key", str(tmp_path / "other.pub")]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("record 2: the signature of its provenance file")
    result = CliRunner().invoke(
        app, ["audit", "verify", "--audit-log", str(log.path), "--key", str(tmp_path / "no.pub")]
    )
    assert result.exit_code == 1
    assert "Error: cannot read the public key" in result.stderr
    assert "Traceback" not in result.output


def test_cli_missing_log_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for command in ("verify", "ls"):
        result = CliRunner().invoke(app, ["audit", command])
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: there is no audit log at .bake/audit.jsonl")
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_ls(tmp_path: Path) -> None:
    log = make_log(tmp_path, applies=2)
    result = CliRunner().invoke(app, ["audit", "ls", "--audit-log", str(log.path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SEQ", "TIME", "TYPE", "BUILD/PLAN", "OK", "DIGEST"]
    assert lines[1].split()[:5] == ["1", log.records()[0]["time"], "apply", "plan", PLAN[:19]]
    assert lines[2].split()[2:] == ["build", "b0.docker.box", "yes", sha("artifact 0")[:19]]
    assert lines[-1] == f"4 records in {log.path}"
    result = CliRunner().invoke(app, ["audit", "ls", "--audit-log", str(log.path), "--format", "json"])
    assert json.loads(result.stdout) == {"records": log.records()}


def test_bake_audit_with_packer_spelling(bake_exe: str, tmp_path: Path) -> None:
    key = new_key()
    log = make_log(tmp_path, key=key)
    (tmp_path / "key.pub").write_bytes(prov.public_key_pem(key))
    r = run_bake(bake_exe, "audit", "verify", f"-audit-log={log.path}", "-key", "key.pub", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"audit log OK: 6 records, chain intact\n"
    log.path.write_bytes(log.path.read_bytes()[:-5])
    r = run_bake(bake_exe, "audit", "verify", "-audit-log", str(log.path), cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.startswith(b"record 6: ")
    r = run_bake(bake_exe, "audit", "verify", "-audit-log", str(tmp_path / "none.jsonl"), cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith(b"Error: there is no audit log") and b"Traceback" not in r.stderr
