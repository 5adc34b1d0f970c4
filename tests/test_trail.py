"""Provenance statements and the audit log as real `bake apply` runs write them, checked with `bake audit`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from copy import copy as shallow_copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bake.runtime import provenance as prov

BAKE = str(Path(sys.executable).with_name("bake"))
BUSYBOX = "/bin/busybox"
TOKEN = "s3cr3t-tok-9911"
BUILD = "rootfs.hello"

ROOTFS = """
variable "busybox" {
  type    = string
  default = "/bin/busybox"
}
variable "token" {
  type      = string
  sensitive = true
  default   = "TOKEN"
}
source "rootfs" "hello" {
  base        = "scratch"
  output      = "tar"
  output_path = "output/hello.tar"
}
build {
  sources = ["source.rootfs.hello"]
  provisioner "file" {
    source      = var.busybox
    destination = "/bin/sh"
  }
  provisioner "shell" {
    remote_path = "/bootstrap.sh"
    inline = ["ln /bin/sh /bin/busybox", "/bin/busybox --install -s /bin", "mkdir -p /tmp /etc && chmod 1777 /tmp"]
  }
  provisioner "shell" {
    environment_vars = ["TOKEN=${var.token}"]
    inline = [LAST]
  }
}
""".replace("TOKEN", TOKEN, 1)
HELLO = '"echo hello > /hello.txt", "echo token is $TOKEN"'


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def events(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def no_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr


class Project:
    """A template folder with a cache of its own; every command runs the installed `bake` in it."""

    def __init__(self, base: Path, template: str, env: dict[str, str] | None = None) -> None:
        self.work = base / "proj"
        self.work.mkdir(parents=True)
        self.cache = base / "cache"
        self.env = {**os.environ, **(env or {}), "BAKE_CACHE_DIR": str(self.cache),
                    "SOURCE_DATE_EPOCH": "1700000000"}  # fmt: skip
        (self.work / "t.pkr.hcl").write_text(template)

    @property
    def log(self) -> Path:
        return self.work / ".bake" / "audit.jsonl"

    def bake(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([BAKE, *args], cwd=self.work, env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)  # fmt: skip

    def plan(self) -> subprocess.CompletedProcess[str]:
        r = self.bake("plan", "--out", "plan.json", ".")
        assert r.returncode == 0, r.stdout + r.stderr
        return r

    def apply(self, *args: str, code: int = 0) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
        r = self.bake("apply", "--format", "json", *args, "plan.json")
        assert r.returncode == code, r.stdout + r.stderr
        no_traceback(r)
        return r, events(r.stdout)

    def plan_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads((self.work / "plan.json").read_text())
        return doc

    def records(self, log: Path | None = None) -> list[dict[str, Any]]:
        return [json.loads(line) for line in lines_of(log or self.log)]

    def verify(self, *args: str) -> subprocess.CompletedProcess[str]:
        r = self.bake("audit", "verify", *args)
        no_traceback(r)
        return r


def rootfs_project(base: Path, last: str = HELLO) -> Project:
    return Project(base, ROOTFS.replace("LAST", last))


def complete(evs: list[dict[str, Any]]) -> dict[str, Any]:
    assert evs and evs[-1]["event"] == "apply_complete", evs
    return evs[-1]


# --- one rootfs project applied several times, shared by the module's tests ---


@dataclass
class Applied:
    project: Project
    plan_run: subprocess.CompletedProcess[str]
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)
    completes: list[dict[str, Any]] = field(default_factory=list)
    provenances: list[bytes] = field(default_factory=list)  # the provenance file after each apply
    log_after_two: bytes = b""
    verify_after_two: subprocess.CompletedProcess[str] | None = None


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Applied:
    """Plan, apply, apply again (all cached), apply with --no-cache, apply again: 4 applies, 8 records."""
    project = rootfs_project(tmp_path_factory.mktemp("applied"))
    done = Applied(project, project.plan())
    for args in ((), (), ("--no-cache",), ()):
        r, evs = project.apply(*args)
        done.runs.append(r)
        done.completes.append(complete(evs))
        done.provenances.append((project.work / "output" / "hello.tar.intoto.json").read_bytes())
        if len(done.runs) == 2:
            done.log_after_two = project.log.read_bytes()
            done.verify_after_two = project.verify()
    return done


def test_provenance_beside_the_artifact_describes_it(applied: Applied) -> None:
    project = applied.project
    first = applied.completes[0]
    (artifact,) = first["artifacts"]
    assert first["ok"] and first["steps_run"] == 5 and first["steps_cached"] == 0
    assert artifact["build"] == BUILD and artifact["files"] == ["output/hello.tar"]
    assert artifact["provenance"] == "output/hello.tar.intoto.json"
    assert (project.work / artifact["provenance"]).is_file()
    tar = sha256(project.work / "output" / "hello.tar")
    assert artifact["digest"] == "sha256:" + tar

    doc = json.loads(applied.provenances[0])
    assert applied.provenances[0].endswith(b"}\n") and applied.provenances[0].count(b"\n") == 1
    assert not prov.is_envelope(doc)
    assert prov.validate_statement(doc) == []
    assert doc["subject"] == [{"name": "output/hello.tar", "digest": {"sha256": tar}}]
    definition = doc["predicate"]["buildDefinition"]
    plan = project.plan_doc()
    assert definition["externalParameters"]["plan_hash"] == plan["plan_hash"] == first["plan_hash"]
    assert definition["externalParameters"]["build"] == BUILD
    assert definition["internalParameters"]["builder"] == "rootfs"
    deps = definition["resolvedDependencies"]
    assert {"uri": "file:" + BUSYBOX, "digest": {"sha256": sha256(Path(BUSYBOX))}} in deps
    assert {"uri": "file:t.pkr.hcl", "digest": {"sha256": sha256(project.work / "t.pkr.hcl")}} in deps
    meta = doc["predicate"]["runDetails"]["metadata"]
    assert prov.is_rfc3339(meta["startedOn"]) and meta["startedOn"] <= meta["finishedOn"]

    # every step of the plan, in order, with whether its cached result was reused
    (build,) = plan["builds"]
    steps = build["steps"]
    assert len(steps) == 5
    for n, cached in ((0, False), (1, True), (2, False), (3, True)):
        got = json.loads(applied.provenances[n])["predicate"]["runDetails"]["byproducts"]
        assert [b["digest"]["sha256"] for b in got] == [s["key"].removeprefix("sha256:") for s in steps]
        assert [b["name"] for b in got] == [f"step/{i}/{s['kind']}/{s['type']}" for i, s in enumerate(steps)]
        assert [b["annotations"]["cached"] for b in got] == [cached] * len(steps), n
        assert json.loads(applied.provenances[n])["subject"] == doc["subject"]  # the build is reproducible


def test_the_sensitive_value_is_used_but_written_nowhere(applied: Applied) -> None:
    project = applied.project
    first = applied.runs[0]
    assert "token is <sensitive>" in first.stdout  # the secret reached the step, masked in its output
    outputs = {"plan stdout": applied.plan_run.stdout, "plan stderr": applied.plan_run.stderr}
    for n, r in enumerate(applied.runs):
        outputs[f"apply {n} stdout"], outputs[f"apply {n} stderr"] = r.stdout, r.stderr
    for name, text in outputs.items():
        assert TOKEN not in text, name
    files = [project.work / "plan.json", project.log, *project.work.glob("output/*.intoto.json")]
    files += [p for p in project.cache.rglob("*") if p.is_file()]
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path
    for blob in applied.provenances:
        assert TOKEN.encode() not in blob


def test_audit_log_after_two_applies(applied: Applied, tmp_path: Path) -> None:
    project = applied.project
    verified = applied.verify_after_two
    assert verified is not None and verified.returncode == 0, verified
    assert verified.stdout == "audit log OK: 4 records, chain intact\n"
    log = tmp_path / "proj" / ".bake" / "audit.jsonl"
    log.parent.mkdir(parents=True)
    log.write_bytes(applied.log_after_two)
    records = project.records(log)
    assert [(r["seq"], r["type"]) for r in records] == [(1, "build"), (2, "apply"), (3, "build"), (4, "apply")]
    assert records[0]["prev"] == "sha256:" + "0" * 64
    raw = lines_of(log)
    for before, rec in zip(raw, records[1:], strict=False):
        assert rec["prev"] == "sha256:" + hashlib.sha256(before.rstrip(b"\n")).hexdigest()
    plan_hash = project.plan_doc()["plan_hash"]
    assert all(r["plan_hash"] == plan_hash and r["ok"] for r in records)
    assert records[0]["invocation"] == records[1]["invocation"] != records[2]["invocation"]
    build = records[0]
    assert build["build"] == BUILD and build["digest"] == applied.completes[0]["artifacts"][0]["digest"]
    assert build["provenance"] == "output/hello.tar.intoto.json"
    assert build["provenance_digest"] == "sha256:" + hashlib.sha256(applied.provenances[0]).hexdigest()
    assert [s["cached"] for s in build["steps"]] == [False] * 5
    assert [s["cached"] for s in records[2]["steps"]] == [True] * 5
    assert (records[1]["steps_run"], records[1]["steps_cached"]) == (5, 0)
    assert (records[3]["steps_run"], records[3]["steps_cached"]) == (0, 5)

    ls = project.bake("audit", "ls", "--format", "json", "--audit-log", str(log))
    assert ls.returncode == 0, ls.stdout + ls.stderr
    assert json.loads(ls.stdout) == {"records": records}


def test_the_log_stays_valid_after_many_applies_of_one_plan(applied: Applied) -> None:
    project = applied.project
    r = project.verify()
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == "audit log OK: 8 records, chain intact\n"
    records = project.records()
    builds = [rec for rec in records if rec["type"] == "build"]
    assert len(builds) == 4 and {b["provenance"] for b in builds} == {"output/hello.tar.intoto.json"}
    assert [rec["steps_run"] for rec in records if rec["type"] == "apply"] == [5, 0, 5, 0]
    # each apply rewrote the file: only the last record still matches it, and the earlier ones are not reported
    digests = [b["provenance_digest"] for b in builds]
    assert len(set(digests)) == 4
    assert digests[-1] == "sha256:" + sha256(project.work / "output" / "hello.tar.intoto.json")
    j = project.verify("--format", "json")
    assert j.returncode == 0 and json.loads(j.stdout)["problems"] == []
    assert json.loads(j.stdout)["records"] == 8


def copy_of(applied: Applied, tmp_path: Path) -> Project:
    """A copy of the applied project folder (template, plan, artifact, provenance, log) to damage."""
    copy = shallow_copy(applied.project)
    copy.work = tmp_path / "proj"
    shutil.copytree(applied.project.work, copy.work, symlinks=True)
    return copy


def tamper_line(raw: list[bytes], n: int) -> list[bytes]:
    """Record n (1-based) with one byte changed inside its JSON (a digit of its hash)."""
    line = bytearray(raw[n - 1])
    at = line.index(b'"hash":"sha256:') + len(b'"hash":"sha256:')
    line[at] = ord("0") if line[at] != ord("0") else ord("1")
    return [*raw[: n - 1], bytes(line), *raw[n:]]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda raw: tamper_line(raw, 2), "record 2: its content was changed after it was written"),
        (lambda raw: [raw[0], *raw[2:]], "record 2: seq is 3 where 2 was expected"),
        (lambda raw: [raw[0], raw[2], raw[1], *raw[3:]], "record 2: seq is 3 where 2 was expected"),
    ],
    ids=["one-byte", "removed", "swapped"],
)
def test_a_damaged_copy_of_the_log_is_reported_at_record_2(
    applied: Applied, tmp_path: Path, damage: Any, expected: str
) -> None:
    copy = copy_of(applied, tmp_path)
    before = copy.verify()
    assert before.returncode == 0, before.stdout
    copy.log.write_bytes(b"".join(damage(lines_of(copy.log))))
    r = copy.verify()
    assert r.returncode == 1, r.stdout + r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith(expected), r.stdout
    assert "prev does not match record 1" in first or "content was changed" in first
    j = copy.verify("--format", "json")
    assert j.returncode == 1 and json.loads(j.stdout)["problems"][0]["record"] == 2
    assert applied.project.verify().returncode == 0  # the original is untouched


def test_an_edited_provenance_file_is_reported_at_the_last_build_record(applied: Applied, tmp_path: Path) -> None:
    copy = copy_of(applied, tmp_path)
    records = copy.records()
    last = max(r["seq"] for r in records if r["type"] == "build")
    assert last == 7
    path = copy.work / records[last - 1]["provenance"]
    doc = json.loads(path.read_bytes())
    doc["subject"][0]["digest"]["sha256"] = "0" * 64  # still valid provenance, about another artifact
    path.write_bytes(prov.encode(doc) + b"\n")
    r = copy.verify()
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith("record 7: its provenance file output/hello.tar.intoto.json was changed after the build")
    assert "about another artifact" in r.stdout
    assert len(r.stdout.splitlines()) == 1  # the records it superseded are not held to it


# --- signed provenance ---


def write_key(path: Path) -> tuple[Path, Path]:
    """An ed25519 key pair as PKCS#8 PEM (path) and SubjectPublicKeyInfo PEM (path.pub.pem)."""
    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))  # fmt: skip
    pub = path.with_suffix(".pub.pem")
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))  # fmt: skip
    return path, pub


def test_signed_provenance_is_a_dsse_envelope_the_audit_log_verifies(tmp_path: Path) -> None:
    project = rootfs_project(tmp_path)
    key, pub = write_key(tmp_path / "key.pem")
    _, other = write_key(tmp_path / "other.pem")
    project.plan()
    _, evs = project.apply("--sign-key", str(key))
    (artifact,) = complete(evs)["artifacts"]
    data = (project.work / artifact["provenance"]).read_bytes()
    envelope = json.loads(data)
    assert prov.is_envelope(envelope) and envelope["payloadType"] == "application/vnd.in-toto+json"
    statement = prov.verify_envelope(envelope, pub.read_bytes())
    assert prov.validate_statement(statement) == []
    assert json.loads(base64.b64decode(envelope["payload"])) == statement
    assert statement["subject"][0]["digest"]["sha256"] == artifact["digest"].removeprefix("sha256:")
    with pytest.raises(prov.ProvenanceError):
        prov.verify_envelope(envelope, other.read_bytes())
    assert TOKEN.encode() not in data

    (build,) = [r for r in project.records() if r["type"] == "build"]
    assert build["signed"] and build["public_key"].encode() == pub.read_bytes()
    assert build["keyid"] == envelope["signatures"][0]["keyid"] == prov.keyid(pub.read_bytes())

    assert project.verify().returncode == 0
    assert project.verify("--key", str(pub)).returncode == 0
    r = project.verify("--key", str(other))
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith("record 1: the signature of its provenance file output/hello.tar.intoto.json"), r.stdout


@pytest.mark.parametrize("kind", ["missing", "garbage", "public"])
def test_a_bad_signing_key_refuses_before_any_step(tmp_path: Path, kind: str) -> None:
    project = rootfs_project(tmp_path)
    project.plan()
    key = tmp_path / "key.pem"
    if kind == "garbage":
        key.write_text("not a key\n")
    elif kind == "public":  # the public half given where the private key belongs
        _, pub = write_key(tmp_path / "pair.pem")
        key = pub
    r, evs = project.apply("--sign-key", str(key), code=1)
    assert evs == [], r.stdout
    assert r.stderr.startswith("Error: --sign-key: ") and str(key) in r.stderr, r.stderr
    assert not (project.work / "output").exists()
    assert not project.log.exists()
    assert not (project.cache / "index.sqlite").exists()


# --- where the log goes, and a damaged one ---


def test_audit_log_option_writes_there_only(tmp_path: Path) -> None:
    project = rootfs_project(tmp_path)
    project.plan()
    project.apply("--audit-log", "other.jsonl")
    assert not project.log.exists()
    records = project.records(project.work / "other.jsonl")
    assert [r["type"] for r in records] == ["build", "apply"]
    assert records[0]["provenance"] == "output/hello.tar.intoto.json"
    r = project.verify("--audit-log", "other.jsonl")
    assert r.returncode == 0, r.stdout + r.stderr
    assert project.bake("audit", "verify").returncode == 1  # the default log was never written


def test_audit_log_outside_the_template_folder_verifies(tmp_path: Path) -> None:
    project = rootfs_project(tmp_path)
    project.plan()
    elsewhere = tmp_path / "logs" / "audit.jsonl"
    for where in ("logs/audit.jsonl", str(elsewhere)):
        project.apply("--audit-log", where)
        r = project.verify("--audit-log", where)
        assert r.returncode == 0, (where, r.stdout + r.stderr)
    project.apply()  # the default log beside the template keeps naming the file relative to it
    assert project.records()[0]["provenance"] == "output/hello.tar.intoto.json"


@pytest.mark.parametrize("tear", ["half-a-line", "no-final-newline"])
def test_a_torn_last_line_refuses_the_next_apply(tmp_path: Path, tear: str) -> None:
    project = rootfs_project(tmp_path)
    project.plan()
    project.apply()
    raw = project.log.read_bytes()
    torn = raw + raw.splitlines()[-1][:100] if tear == "half-a-line" else raw[:-1]
    project.log.write_bytes(torn)
    provenance = (project.work / "output" / "hello.tar.intoto.json").read_bytes()
    r, evs = project.apply("--no-cache", code=1)
    assert evs == [], r.stdout  # not one step started, nothing recorded
    assert "audit log" in r.stderr and "bake audit verify" in r.stderr, r.stderr
    assert project.log.read_bytes() == torn
    assert (project.work / "output" / "hello.tar.intoto.json").read_bytes() == provenance
    v = project.verify()
    assert v.returncode == 1 and v.stdout.startswith("record 3:" if tear == "half-a-line" else "record 2:"), v.stdout


# --- a docker image and a failed build ---


def test_docker_image_provenance(tmp_path: Path, docker_host: str, base_image: str) -> None:
    name = f"t{uuid.uuid4().hex[:10]}"
    template = (
        f'source "docker" "{name}" {{\n  image  = "{base_image}"\n  pull   = false\n  commit = true\n}}\n'
        f'build {{\n  sources = ["source.docker.{name}"]\n'
        '  provisioner "shell" {\n    inline = ["echo hi > /hi"]\n  }\n}\n'
    )
    project = Project(tmp_path, template, env={"DOCKER_HOST": docker_host})
    project.plan()
    _, evs = project.apply()
    (artifact,) = complete(evs)["artifacts"]
    image = artifact["id"]
    assert artifact["build"] == f"docker.{name}" and image.startswith("sha256:") and artifact["digest"] == image
    assert artifact["provenance"] == f".bake/provenance/docker.{name}.intoto.json"
    doc = json.loads((project.work / artifact["provenance"]).read_bytes())
    assert prov.validate_statement(doc) == []
    assert [s["digest"] for s in doc["subject"]] == [{"sha256": image.removeprefix("sha256:")}]
    assert doc["predicate"]["buildDefinition"]["internalParameters"]["builder"] == "docker"
    build, apply = project.records()
    assert build["artifact"] == image and build["digest"] == image and build["ok"] and apply["ok"]
    assert build["provenance"] == artifact["provenance"]
    assert project.verify().returncode == 0
    subprocess.run(["docker", "image", "rm", "-f", image], env=project.env, capture_output=True, timeout=60,
                   check=False)  # fmt: skip


def test_a_failed_build_is_recorded_without_provenance(tmp_path: Path) -> None:
    project = rootfs_project(tmp_path, last='"echo about to fail", "exit 3"')
    project.plan()
    _, evs = project.apply(code=1)
    (done,) = [e for e in evs if e["event"] == "build_done"]
    assert not done["ok"] and "3" in done["error"]
    last = complete(evs)
    assert not last["ok"] and last["artifacts"] == []
    build, apply = project.records()
    assert build["type"] == "build" and build["ok"] is False
    assert build["error"] == done["error"].strip().splitlines()[0] and "\n" not in build["error"]
    assert build["provenance"] == "" and build["digest"] == "" and build["artifact"] == ""
    assert [s["kind"] for s in build["steps"]] == ["source", "provisioner", "provisioner"]  # those that succeeded
    assert apply["type"] == "apply" and apply["ok"] is False and apply["steps_run"] == 3
    assert not list(project.work.rglob("*.intoto.json"))
    r = project.verify()
    assert r.returncode == 0, r.stdout + r.stderr
