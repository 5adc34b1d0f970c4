"""The daemonless rootfs builder end to end through the bake CLI: reproducible tar/OCI outputs, cache, faults."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from test_apply_faults import Apply

BAKE = str(Path(sys.executable).with_name("bake"))
BUSYBOX = Path("/bin/busybox")
EPOCH = 1700000000

pytestmark = pytest.mark.skipif(not BUSYBOX.exists(), reason="needs /bin/busybox (Debian package busybox-static)")

# A scratch base bootstrapped with the host's static busybox (Debian's ash runs applets without symlinks).
BOOTSTRAP = """
  provisioner "file" {
    source      = var.busybox
    destination = "/bin/sh"
  }
  provisioner "shell" {
    remote_path = "/bootstrap.sh"
    inline = ["ln /bin/sh /bin/busybox", "/bin/busybox --install -s /bin", "mkdir -p /tmp /etc && chmod 1777 /tmp"]
  }
"""
BUSYBOX_VARIABLE = """
variable "busybox" {
  type    = string
  default = "/bin/busybox"
}
"""


def shell(*lines: str) -> str:
    return f'  provisioner "shell" {{\n    inline = {json.dumps(list(lines))}\n  }}\n'


def source(name: str, output: str, output_path: str, base: str = "scratch", checksum: str = "") -> str:
    extra = f'  base_checksum = "{checksum}"\n' if checksum else ""
    return (f'source "rootfs" "{name}" {{\n  base        = "{base}"\n{extra}  output      = "{output}"\n'
            f'  output_path = "{output_path}"\n}}\n')  # fmt: skip


def write_template(folder: Path, sources: Iterable[str], provisioners: str, scratch: bool = False) -> None:
    sources = list(sources)
    names = [s.split('"')[3] for s in sources]
    body = (BUSYBOX_VARIABLE if scratch else "") + "".join(sources)
    listed = ", ".join(f'"source.rootfs.{n}"' for n in names)
    body += f"build {{\n  sources = [{listed}]\n{BOOTSTRAP if scratch else ''}{provisioners}}}\n"
    (folder / "t.pkr.hcl").write_text(body)


def events(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def no_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr


class Project:
    """A template folder with a cache of its own (both under `top`)."""

    def __init__(self, top: Path, folder: str = "proj", cache: str = "cache", **env: str) -> None:
        self.top = top
        self.work = top / folder
        self.work.mkdir(parents=True)
        self.cache = top / cache
        self.env = {**os.environ, "BAKE_CACHE_DIR": str(self.cache), "SOURCE_DATE_EPOCH": str(EPOCH), **env}
        self.umask: int | None = None

    def bake(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([BAKE, *args], cwd=self.work, env=env or self.env, capture_output=True, text=True,
                              timeout=timeout, check=False, umask=-1 if self.umask is None else self.umask)  # fmt: skip

    def plan(self) -> dict[str, Any]:
        r = self.bake("plan", "--out", "plan.json", ".")
        assert r.returncode == 0, r.stdout + r.stderr
        return dict(json.loads((self.work / "plan.json").read_text()))

    def apply(self, *args: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """`bake apply --format json` that must succeed; its events."""
        r = self.bake("apply", "--format", "json", *args, "plan.json", env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        found = events(r.stdout)
        assert found[-1]["event"] == "apply_complete" and found[-1]["ok"], found[-1]
        return found

    def step_keys(self) -> list[str]:
        data = json.loads((self.work / "plan.json").read_text())
        return [s["key"] for s in data["builds"][0]["steps"]]

    def work_folders(self) -> list[str]:
        work = self.cache / "work"
        return sorted(os.listdir(work)) if work.exists() else []

    def cached_keys(self) -> set[str]:
        index = self.cache / "index.sqlite"
        if not index.exists():
            return set()
        with sqlite3.connect(index) as con:
            return {row[0] for row in con.execute("SELECT key FROM layers")}

    def check_cache(self) -> None:
        """The index is intact and every layer blob it names for a rootfs step exists."""
        with sqlite3.connect(self.cache / "index.sqlite") as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            layers = [row[0] for row in con.execute("SELECT layer FROM layers WHERE builder = 'rootfs'")]
        assert layers
        for layer in layers:
            for digest in filter(None, layer.split(",")):
                algo, _, hexdigest = digest.partition(":")
                assert algo == "sha256" and len(hexdigest) == 64, digest
                assert (self.cache / "blobs" / "sha256" / hexdigest).is_file(), digest


def members(path: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(path, "r:*") as tar:
        return {m.name: m for m in tar.getmembers()}


def file_text(path: Path, name: str) -> str:
    with tarfile.open(path, "r:*") as tar:
        f = tar.extractfile(name)
        assert f is not None, name
        return f.read().decode()


def all_files(top: Path, skip: Iterable[Path] = ()) -> set[str]:
    skipped = [str(p) for p in skip]
    found = set()
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skipped]
        for name in [*dirnames, *filenames]:
            found.add(os.path.relpath(os.path.join(dirpath, name), top))
    return found


# --- a busybox base tarball, made once ---


def _add(tar: tarfile.TarFile, name: str, kind: bytes = tarfile.DIRTYPE, mode: int = 0o755, data: bytes = b"",
         linkname: str = "") -> None:  # fmt: skip
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.linkname = kind, mode, EPOCH - 1000, linkname
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    else:
        tar.addfile(info)


def busybox_tar(path: Path, extra: Callable[[tarfile.TarFile], None] | None = None, compress: bool = False) -> Path:
    """A root filesystem tarball: /bin/busybox, /bin/sh (a hard link to it), a symlink per applet, /etc, /tmp;
    plus `extra` members."""
    with tarfile.open(path, "w:gz" if compress else "w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, "bin")
        _add(tar, "bin/busybox", tarfile.REGTYPE, 0o755, BUSYBOX.read_bytes())
        _add(tar, "bin/sh", tarfile.LNKTYPE, 0o755, linkname="bin/busybox")
        for applet in APPLETS:
            _add(tar, f"bin/{applet}", tarfile.SYMTYPE, 0o777, linkname="busybox")
        _add(tar, "etc")
        _add(tar, "etc/gone", tarfile.REGTYPE, 0o644, b"from the base\n")
        _add(tar, "etc/hostname", tarfile.REGTYPE, 0o644, b"base\n")
        _add(tar, "tmp", mode=0o1777)
        if extra is not None:
            extra(tar)
    return path


APPLETS = (
    sorted(
        set(subprocess.run([str(BUSYBOX), "--list"], capture_output=True, text=True, check=False).stdout.split())
        - {"sh", "busybox"}
    )
    if BUSYBOX.exists()
    else []
)


@pytest.fixture(scope="session")
def base_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return busybox_tar(tmp_path_factory.mktemp("base") / "base.tar")


# --- 1. two clean builds in two folders on two caches ---

REPRO_STEPS = shell(
    "mkdir -p /srv/app /var/empty",
    "echo hello > /hello.txt",
    "printf 'a\\nb\\n' > /srv/app/data",
    "chmod 640 /srv/app/data",
    "ln -s ../hello.txt /srv/link",
    "chown 1000:1000 /srv/app",
) + shell("rm /srv/app/data", "echo again > /srv/app/data2", "touch -d '2001-01-01 00:00:00' /var/empty")


@pytest.mark.parametrize("output", ["tar", "tar.gz", "oci"])
def test_two_clean_builds_in_two_folders_are_identical(tmp_path: Path, output: str) -> None:
    out_path = {"tar": "output/img.tar", "tar.gz": "output/img.tar.gz", "oci": "output/img.oci"}[output]
    one = Project(tmp_path / "one" / "deeper" / "nested", cache="cache-one")
    two = Project(tmp_path / "two", cache="cache-two", TZ="Asia/Kathmandu", LC_ALL="C.UTF-8")
    two.umask = 0o027
    results = []
    for p in (one, two):
        write_template(p.work, [source("repro", output, out_path)], REPRO_STEPS, scratch=True)
        plan = p.plan()
        done = p.apply()[-1]
        assert done["steps_run"] == len(plan["builds"][0]["steps"]) and done["steps_cached"] == 0
        (artifact,) = done["artifacts"]
        assert artifact["files"] == [out_path]
        assert (p.work / artifact["provenance"]).is_file()
        assert not p.work_folders()
        results.append((plan["plan_hash"], artifact["digest"]))
    assert results[0] == results[1]
    a, b = one.work / out_path, two.work / out_path
    if output == "oci":
        assert (a / "index.json").read_bytes() == (b / "index.json").read_bytes()
        index = json.loads((a / "index.json").read_text())
        assert index["manifests"][0]["digest"] == results[0][1]
        assert sorted(os.listdir(a / "blobs" / "sha256")) == sorted(os.listdir(b / "blobs" / "sha256"))
        for blob in os.listdir(a / "blobs" / "sha256"):  # every blob is named by its content
            assert sha256(a / "blobs" / "sha256" / blob) == f"sha256:{blob}"
    else:
        assert sha256(a) == sha256(b) == results[0][1]
        entries = members(a)
        names = list(entries)
        assert names == sorted(names, key=lambda n: n.encode())
        assert all(m.mtime <= EPOCH and m.uname == "" and m.gname == "" for m in entries.values())
        assert entries["var/empty"].mtime == 978307200  # older than the epoch: kept
        assert entries["srv/app"].uid == 1000 and entries["srv/app"].gid == 1000
        assert "srv/app/data" not in entries and file_text(a, "hello.txt") == "hello\n"
        if output == "tar.gz":
            raw = a.read_bytes()
            assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # no mtime in the gzip header
            assert gzip.decompress(raw)[:512]


# --- 2. deletions, modes, symlinks, hard links are reflected exactly ---

SETUP = shell(
    "mkdir -p /a/sub /a/tree/x/y",
    "echo del > /a/del.txt",
    "echo z > /a/tree/x/y/z.txt",
    "echo repl > /a/repl",
    "echo mod > /a/mod.txt",
    "echo suid > /a/suid",
    "echo owned > /a/owned",
)
MUTATE = shell(
    "rm /a/del.txt /etc/gone",
    "chmod 4755 /a/suid",
    "chmod 700 /a/sub",
    "chmod 600 /a/mod.txt",
    "chown 1234:5678 /a/owned",
    "ln -s mod.txt /a/rel-link",
    "ln -s /etc/hostname /a/abs-link",
    "ln /a/mod.txt /a/hard",
    "rm /a/repl && mkdir /a/repl && echo inner > /a/repl/inner",
    "rm -rf /a/tree",
)


def oci_layers(layout: Path) -> list[dict[str, tarfile.TarInfo]]:
    index = json.loads((layout / "index.json").read_text())
    blob = layout / "blobs" / "sha256"
    manifest = json.loads((blob / index["manifests"][0]["digest"].partition(":")[2]).read_text())
    config = json.loads((blob / manifest["config"]["digest"].partition(":")[2]).read_text())
    layers = []
    for desc, diff_id in zip(manifest["layers"], config["rootfs"]["diff_ids"], strict=True):
        raw = gzip.decompress((blob / desc["digest"].partition(":")[2]).read_bytes())
        assert "sha256:" + hashlib.sha256(raw).hexdigest() == diff_id
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            layers.append({m.name: m for m in tar.getmembers()})
    return layers


def test_changes_are_reflected_exactly_in_tar_and_oci(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    sources = [source("flat", "tar", "output/flat.tar", "base.tar"), source("image", "oci", "output/image", "base.tar")]
    write_template(p.work, sources, SETUP + MUTATE)
    p.plan()
    p.apply()

    tar = members(p.work / "output/flat.tar")
    assert not [n for n in tar if ".wh." in n]
    for gone in ("a/del.txt", "etc/gone", "a/tree"):
        assert gone not in tar
    assert not [n for n in tar if n.startswith("a/tree/")]
    assert tar["a/suid"].isreg() and tar["a/suid"].mode == 0o4755
    assert tar["a/sub"].isdir() and tar["a/sub"].mode == 0o700
    assert (tar["a/owned"].uid, tar["a/owned"].gid, tar["a/owned"].uname) == (1234, 5678, "")
    assert tar["a/rel-link"].issym() and tar["a/rel-link"].linkname == "mod.txt"
    assert tar["a/abs-link"].issym() and tar["a/abs-link"].linkname == "/etc/hostname"
    # a hard link pair: the first name (in byte order) holds the data, the second links to it
    assert tar["a/hard"].isreg() and tar["a/hard"].mode == 0o600
    assert tar["a/mod.txt"].islnk() and tar["a/mod.txt"].linkname == "a/hard"
    assert file_text(p.work / "output/flat.tar", "a/hard") == "mod\n"
    assert tar["a/repl"].isdir() and tar["a/repl/inner"].isreg()
    assert file_text(p.work / "output/flat.tar", "a/repl/inner") == "inner\n"
    assert tar["bin/sh"].islnk() and tar["bin/sh"].linkname == "bin/busybox"  # the base's hard link survives
    assert tar["tmp"].mode == 0o1777 and file_text(p.work / "output/flat.tar", "etc/hostname") == "base\n"

    base, setup, mutate = oci_layers(p.work / "output/image")  # the finalize step changed nothing: no layer
    assert "etc/gone" in base and "a/tree/x/y/z.txt" in setup and "a/del.txt" in setup
    assert not [n for n in (*base, *setup) if ".wh." in n]
    whiteouts = {n for n in mutate if ".wh." in n}
    assert whiteouts == {"a/.wh.del.txt", "a/.wh.tree", "etc/.wh.gone"}
    assert all(mutate[n].isreg() and mutate[n].size == 0 for n in whiteouts)
    assert not [n for n in mutate if n.startswith("a/tree/")]
    assert mutate["a/repl"].isdir() and mutate["a/suid"].mode == 0o4755 and mutate["a/sub"].mode == 0o700
    assert mutate["a/mod.txt"].islnk() and mutate["a/mod.txt"].linkname == "a/hard"
    assert "etc/hostname" not in mutate and "bin/busybox" not in mutate  # unchanged paths stay below


# --- 3. a cache hit produces the same bytes as a miss ---


@pytest.mark.parametrize("output", ["tar", "oci"])
def test_a_cache_hit_gives_the_same_bytes_as_a_miss(tmp_path: Path, base_tar: Path, output: str) -> None:
    out_path = "output/img.tar" if output == "tar" else "output/img.oci"
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    src = [source("cached", output, out_path, "base.tar")]
    write_template(p.work, src, shell("echo one > /one", "chmod 600 /one") + shell("echo two > /two"))
    p.plan()
    out = p.work / out_path

    def fingerprint() -> str:
        return sha256(out / "index.json") if output == "oci" else sha256(out)

    miss = p.apply()[-1]
    first = fingerprint()
    assert miss["steps_run"] == 4
    shutil.rmtree(out) if output == "oci" else out.unlink()
    hit = p.apply()[-1]
    assert (hit["steps_run"], hit["steps_cached"]) == (0, 4)
    assert fingerprint() == first and hit["artifacts"][0]["digest"] == miss["artifacts"][0]["digest"]

    # the last step changes: only it (and finalize) run, the rest comes from the cache
    write_template(p.work, src, shell("echo one > /one", "chmod 600 /one") + shell("echo TWO > /two"))
    p.plan()
    keys = p.step_keys()
    found = p.apply()
    assert [e["key"] for e in found if e["event"] == "step_cached"] == keys[:2]
    assert [e["key"] for e in found if e["event"] == "step_start"] == keys[2:]
    assert found[-1]["steps_run"] == 2
    edited, digest = fingerprint(), found[-1]["artifacts"][0]["digest"]
    assert edited != first

    # ... and gives what a build with no cache at all gives
    shutil.rmtree(out) if output == "oci" else out.unlink()
    fresh = {**p.env, "BAKE_CACHE_DIR": str(tmp_path / "fresh-cache")}
    clean = p.apply("--no-cache", env=fresh)
    assert not [e for e in clean if e["event"] == "step_cached"]
    assert clean[-1]["artifacts"][0]["digest"] == digest and fingerprint() == edited


# --- 4. the OCI output runs in the real Docker Engine ---


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed (.ci/run installs it)")
def test_oci_output_runs_in_docker(tmp_path: Path, docker_host: str) -> None:
    p = Project(tmp_path)
    changes = '  changes = ["ENV GREETING=\\"hi there\\"", "WORKDIR /srv", "CMD [\\"cat\\", \\"hello.txt\\"]"]\n'
    oci = source("hello", "oci", "output/hello.oci").replace("}\n", changes + "}\n")
    write_template(p.work, [oci], shell("mkdir /srv", "echo hello > /srv/hello.txt"), scratch=True)
    p.plan()
    p.apply()
    image = f"bake/rootfs-oci-test-{uuid.uuid4().hex[:12]}:latest"
    env = {**os.environ, "DOCKER_HOST": docker_host}
    copy = subprocess.run(
        ["skopeo", "copy", "--dest-daemon-host", docker_host, f"oci:{p.work / 'output/hello.oci'}:latest",
         f"docker-daemon:{image}"],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip
    try:
        assert copy.returncode == 0, copy.stdout + copy.stderr
        run = subprocess.run(["docker", "run", "--rm", "--network", "none", image],
                             capture_output=True, text=True, timeout=120, check=False, env=env)  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout == "hello\n"  # the CMD, run in the WORKDIR the changes set
        run = subprocess.run(["docker", "run", "--rm", "--network", "none", image, "/bin/sh", "-c", 'echo "$GREETING"'],
                             capture_output=True, text=True, timeout=120, check=False, env=env)  # fmt: skip
        assert run.stdout == "hi there\n", run.stdout + run.stderr
    finally:
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True, timeout=60, check=False, env=env)


# --- 5. bad input and faults ---


def _bad_dotdot(tar: tarfile.TarFile) -> None:
    _add(tar, "../x", tarfile.REGTYPE, 0o644, b"escaped\n")


def _bad_absolute(name: str) -> Callable[[tarfile.TarFile], None]:
    return lambda tar: _add(tar, name, tarfile.REGTYPE, 0o644, b"escaped\n")


def _bad_symlink(target: str) -> Callable[[tarfile.TarFile], None]:
    def add(tar: tarfile.TarFile) -> None:
        _add(tar, "evil", tarfile.SYMTYPE, 0o777, linkname=target)
        _add(tar, "evil/file", tarfile.REGTYPE, 0o644, b"escaped\n")

    return add


def _bad_device(tar: tarfile.TarFile) -> None:
    info = tarfile.TarInfo("dev/evil-null")
    info.type, info.mode, info.devmajor, info.devminor = tarfile.CHRTYPE, 0o666, 1, 3
    tar.addfile(info)


def _bad_hardlink(tar: tarfile.TarFile) -> None:
    _add(tar, "etc/passwd-link", tarfile.LNKTYPE, 0o644, linkname="/etc/passwd")


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "device", "hardlink"])
def test_a_bad_base_tarball_is_refused(tmp_path: Path, kind: str) -> None:
    unique = f"bake-rootfs-{uuid.uuid4().hex[:12]}"
    outside = {
        "dotdot": tmp_path / "x",
        "absolute": Path("/etc") / unique,
        "symlink": Path("/tmp") / unique,
        "device": tmp_path / "dev",
        "hardlink": tmp_path / "etc",
    }[kind]
    extra, message = {
        "dotdot": (_bad_dotdot, "member name with '..': ../x"),
        "absolute": (_bad_absolute(f"/etc/{unique}"), f"absolute member name: /etc/{unique}"),
        "symlink": (_bad_symlink(str(outside)), "evil/file: its parent evil is a symlink"),
        "device": (_bad_device, "device nodes are not allowed in a rootfs base: dev/evil-null"),
        "hardlink": (_bad_hardlink, "absolute hard link target of etc/passwd-link: /etc/passwd"),
    }[kind]
    p = Project(tmp_path)
    busybox_tar(p.work / "base.tar.gz", extra, compress=True)
    write_template(p.work, [source("bad", "tar", "output/bad.tar", "base.tar.gz")], shell("echo never"))
    p.plan()
    before = all_files(tmp_path, skip=[p.cache])
    r = p.bake("apply", "plan.json")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "the base base.tar.gz cannot be used" in r.stdout and message in r.stdout, r.stdout
    assert "bad: never" not in r.stdout  # no provisioner ran
    no_traceback(r)
    assert not outside.exists() and not os.path.lexists(outside)
    new = all_files(tmp_path, skip=[p.cache]) - before
    assert new <= {"proj/.bake", "proj/.bake/audit.jsonl"}, new  # the audit record of the failed build only
    assert not p.work_folders()
    assert not p.cached_keys()


def test_base_checksum(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    wrong = "sha256:" + "0" * 64
    write_template(p.work, [source("sum", "tar", "output/sum.tar", "base.tar", wrong)], shell("echo hi > /hi"))
    r = p.bake("plan", "--out", "plan.json", ".")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "does not match" in r.stdout + r.stderr and "base.tar" in r.stdout + r.stderr
    no_traceback(r)
    assert not (p.work / "plan.json").exists()
    right = sha256(base_tar)
    write_template(p.work, [source("sum", "tar", "output/sum.tar", "base.tar", right)], shell("echo hi > /hi"))
    p.plan()
    p.apply()
    assert file_text(p.work / "output/sum.tar", "hi") == "hi\n"


def test_a_base_changed_after_planning_makes_the_plan_stale(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    write_template(p.work, [source("stale", "tar", "output/stale.tar", "base.tar")], shell("echo hi > /hi"))
    p.plan()
    busybox_tar(p.work / "base.tar", lambda tar: _add(tar, "etc/extra", tarfile.REGTYPE, 0o644, b"x\n"))
    r = p.bake("apply", "--format", "json", "plan.json")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "stale" in r.stderr and "base.tar" in r.stderr
    assert not events(r.stdout)
    no_traceback(r)
    assert not (p.cache / "work").exists() or not p.work_folders()
    assert not (p.work / "output").exists()


def test_a_provisioner_that_kills_its_own_shell(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    steps = shell("echo fine > /fine") + shell("echo before", "kill -9 $$", "echo after")
    write_template(p.work, [source("killed", "tar", "output/killed.tar", "base.tar")], steps)
    p.plan()
    keys = p.step_keys()
    before = all_files(tmp_path, skip=[p.cache])
    t0 = time.monotonic()
    r = p.bake("apply", "--format", "json", "plan.json", timeout=60)
    assert time.monotonic() - t0 < 30
    assert r.returncode == 1, r.stdout + r.stderr
    no_traceback(r)
    found = events(r.stdout)
    lines = [e["line"] for e in found if e["event"] == "output"]
    assert "before" in lines and "after" not in lines
    (done,) = [e for e in found if e["event"] == "build_done"]
    assert not done["ok"] and "137" in done["error"], done
    assert not p.work_folders()
    assert all_files(tmp_path, skip=[p.cache]) - before <= {"proj/.bake", "proj/.bake/audit.jsonl"}
    assert not (p.work / "output").exists()
    assert {keys[0], keys[1]} <= p.cached_keys() and keys[2] not in p.cached_keys()
    p.check_cache()


def processes_with_arg(arg: str) -> list[int]:
    """Pids of the processes that have `arg` among their arguments."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if arg.encode() in argv:
            found.append(int(pid))
    return found


def test_sigterm_during_a_step(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    nap = f"30.{uuid.uuid4().int % 10**6:06d}"  # a sleep whose arguments no other process has
    steps = shell("echo one > /one") + shell("echo two > /two") + shell("echo sleeping", f"sleep {nap}")
    write_template(p.work, [source("term", "tar", "output/term.tar", "base.tar")], steps)
    p.plan()
    keys = p.step_keys()
    finished, sleeper = keys[:3], keys[3]
    for attempt in range(2):  # the second apply resumes after the steps the first one finished
        run = Apply(p)
        run.wait_for(lambda e: e["event"] == "output" and e["line"] == "sleeping")
        deadline = time.monotonic() + 10
        while not processes_with_arg(nap) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert processes_with_arg(nap), "the step's sleep is not running"
        t0 = time.monotonic()
        _, err = run.stop(signal.SIGTERM)
        assert run.proc.returncode == 143, err
        assert time.monotonic() - t0 < 15
        assert "Interrupted" in err and "Traceback" not in err, err
        last = run.events[-1]
        assert last["event"] == "apply_complete" and not last["ok"] and last["interrupted"] == "SIGTERM"
        deadline = time.monotonic() + 5
        while processes_with_arg(nap) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not processes_with_arg(nap), "a process of the interrupted step is still running"
        assert not p.work_folders()
        assert not (p.work / "output").exists()
        p.check_cache()
        cached = p.cached_keys()
        assert set(finished) <= cached and sleeper not in cached  # the step cut short is never cached
        started = [e["key"] for e in run.events if e["event"] == "step_start"]
        hits = [e["key"] for e in run.events if e["event"] == "step_cached"]
        if attempt == 0:
            assert started == keys[:4] and not hits
        else:
            assert hits == finished and started == [sleeper]


# --- 6. bake verify ---


def test_verify_before_any_apply_says_so(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    write_template(p.work, [source("early", "tar", "output/early.tar", "base.tar")], shell("echo hi > /hi"))
    p.plan()
    r = p.bake("verify", "plan.json")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "records no successful apply" in r.stderr and "apply it first" in r.stderr, r.stderr
    no_traceback(r)
    assert not (p.work / "output").exists()


def test_verify_a_deterministic_plan(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    write_template(p.work, [source("det", "tar.gz", "output/det.tar.gz", "base.tar")], REPRO_STEPS)
    p.plan()
    digest = p.apply()[-1]["artifacts"][0]["digest"]
    r = p.bake("verify", "plan.json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"identical ({digest})" in r.stdout
    no_traceback(r)
    assert sha256(p.work / "output/det.tar.gz") == digest  # the artifact is left as it was
    assert not p.work_folders()


def test_verify_names_the_files_that_differ(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    steps = shell("echo fixed > /fixed", "date +%s%N > /stamp", "head -c 16 /dev/urandom > /rand")
    write_template(p.work, [source("rnd", "tar", "output/rnd.tar", "base.tar")], steps)
    p.plan()
    recorded = p.apply()[-1]["artifacts"][0]["digest"]
    # the rebuild must run in a later second than the apply, so that the time it writes differs
    stamp = int(file_text(p.work / "output/rnd.tar", "stamp").strip().rstrip("%N")[:10])
    while time.time() < stamp + 1:
        time.sleep(0.05)
    r = p.bake("verify", "plan.json")
    assert r.returncode == 1, r.stdout + r.stderr
    no_traceback(r)
    assert "DIFFERS" in r.stdout and "Not reproducible" in r.stdout
    lines = r.stdout.splitlines()
    start = lines.index("  2 differing path(s):") + 1
    assert [line.strip() for line in lines[start : start + 3]] == ["rand", "stamp", "Not reproducible: see above."]
    j = p.bake("verify", "--format", "json", "plan.json")
    assert j.returncode == 1, j.stdout + j.stderr
    done = events(j.stdout)[-1]
    assert done["event"] == "verify_complete" and done["ok"] is False
    (build,) = done["builds"]
    assert build["identical"] is False and build["recorded"] == recorded and build["rebuilt"] != recorded
    assert build["differences"] == ["rand", "stamp"]
    assert sha256(p.work / "output/rnd.tar") == recorded  # verify rebuilt elsewhere
    assert not p.work_folders()


# --- 7. re-applying an applied plan does nothing ---


def test_noop_reapply(tmp_path: Path, base_tar: Path) -> None:
    p = Project(tmp_path)
    shutil.copy(base_tar, p.work / "base.tar")
    write_template(p.work, [source("noop", "oci", "output/noop.oci", "base.tar")], shell("echo hi > /hi"))
    p.plan()
    pending = p.bake("plan", "--detailed-exitcode", ".")
    assert pending.returncode == 2, pending.stdout + pending.stderr
    first = p.apply()[-1]
    index = (p.work / "output/noop.oci/index.json").read_bytes()
    again = p.apply()
    assert again[-1]["steps_run"] == 0 and again[-1]["steps_cached"] == first["steps_run"]
    assert not [e for e in again if e["event"] == "step_start"]
    assert again[-1]["artifacts"][0]["digest"] == first["artifacts"][0]["digest"]
    assert (p.work / "output/noop.oci/index.json").read_bytes() == index
    done = p.bake("plan", "--detailed-exitcode", ".")
    assert done.returncode == 0, done.stdout + done.stderr
