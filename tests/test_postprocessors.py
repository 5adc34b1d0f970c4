"""The checksum, compress, docker-import and docker-save post-processors: on files, and end to end on a real engine."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import platform
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from test_apply_docker import bake, docker, events

from bake.compiler import planfile as pf
from bake.runtime.interfaces import Artifact
from bake.runtime.postprocessors import POST_PROCESSORS
from bake.runtime.postprocessors.compress import detect
from bake.runtime.steps import StepContext, StepFailed

EPOCH = 1700000000


# --- unit: post-processors run on files, outside the apply loop ---


def make_build(*chains: list[tuple[str, dict[str, Any]]]) -> pf.Build:
    steps = [pf.Step(key="sha256:src", kind="source", type="docker", config={})]
    for n, chain in enumerate(chains):
        for i, (kind, config) in enumerate(chain):
            steps.append(pf.Step(key=f"sha256:{n}-{i}", kind="post-processor", type=kind, config=config, chain=n))
    return pf.Build(name="box.docker.ex", builder="docker", supported=True, steps=steps)


def run_chains(root: Path, build: pf.Build, artifact: Artifact) -> list[Artifact | None]:
    """Run every chain as the apply loop does; the last artifact of each chain."""
    lines: list[str] = []
    results: list[Artifact | None] = []
    for chain in sorted({s.chain for s in build.steps if s.kind == "post-processor"}, key=lambda c: c or 0):
        current: Artifact | None = artifact
        for step in [s for s in build.steps if s.kind == "post-processor" and s.chain == chain]:
            current = POST_PROCESSORS[step.type](StepContext(step, build, root, lines.append, artifact=current))
        results.append(current)
    return results


def run_one(root: Path, kind: str, config: dict[str, Any], artifact: Artifact) -> Artifact | None:
    return run_chains(root, make_build([(kind, config)]), artifact)[0]


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Artifact]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    root = tmp_path / "root"
    (root / "out").mkdir(parents=True)
    (root / "out" / "disk.img").write_bytes(b"disk image\n" * 1000)
    (root / "out" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "out" / "run.sh").chmod(0o755)
    (root / "out" / "disk.img").chmod(0o640)
    return root, Artifact("docker", "out/disk.img", ["out/run.sh", "out/disk.img"], "sha256:x")


def test_checksum_lines_default_name_and_fresh_file(inputs: tuple[Path, Artifact]) -> None:
    root, artifact = inputs
    for _ in range(2):  # the second run rewrites the file instead of appending to it
        made = run_one(root, "checksum", {"checksum_types": ["sha256", "md5"]}, artifact)
    assert made is not None
    names = ["packer_ex_docker_sha256.checksum", "packer_ex_docker_md5.checksum"]
    assert made.files == ["out/run.sh", "out/disk.img", *names]
    for name, algo in zip(names, ("sha256", "md5"), strict=True):
        expected = "".join(
            f"{hashlib.new(algo, (root / 'out' / f).read_bytes()).hexdigest()}\t{f}\n" for f in ("run.sh", "disk.img")
        )
        assert (root / name).read_text() == expected
    assert (root / "out" / "disk.img").exists()  # checksum always keeps its input


def test_checksum_default_type_output_template_and_errors(inputs: tuple[Path, Artifact]) -> None:
    root, artifact = inputs
    made = run_one(root, "checksum", {"output": "sums/{{ .BuildName }}.{{.ChecksumType}}"}, artifact)
    assert made is not None and made.files[-1] == "sums/ex.md5"
    assert (root / "sums" / "ex.md5").read_text().splitlines()[1].endswith("\tdisk.img")
    with pytest.raises(StepFailed, match="unrecognized checksum type crc32"):
        run_one(root, "checksum", {"checksum_types": ["crc32"]}, artifact)
    with pytest.raises(StepFailed, match="Nope"):
        run_one(root, "checksum", {"output": "{{.Nope}}.sum"}, artifact)
    with pytest.raises(StepFailed, match="works on files"):
        run_one(root, "checksum", {}, Artifact("docker", "sha256:abc", ["repo:tag"], "sha256:abc"))


@pytest.mark.parametrize(
    ("output", "fmt", "expected"),
    [
        ("out/x.tar.gz", "", ("tar", "gzip")),
        ("out/x.tgz", "", ("tar", "gzip")),
        ("out/x.tar", "", ("tar", "")),
        ("out/x.zip", "", ("zip", "")),
        ("out/x.gz", "", ("", "gzip")),
        ("out/x.tar.xz", "", ("tar", "xz")),
        ("out/x", "zip", ("zip", "")),
        ("out/x.tar", "gz", ("tar", "gzip")),
        ("packer_{{.BuildName}}_{{.BuilderType}}", "", ("tar", "gzip")),
    ],
)
def test_compress_format_detection(output: str, fmt: str, expected: tuple[str, str]) -> None:
    assert detect(output, fmt) == expected


def _touch_differently(root: Path) -> None:
    for p in (root / "out").iterdir():
        os.utime(p, (time.time() - 12345, time.time() - 12345))


def test_compress_tar_gz_is_deterministic(inputs: tuple[Path, Artifact]) -> None:
    root, artifact = inputs
    config = {"output": "dist/{{.BuildName}}.tar.gz", "keep_input_artifact": True, "compression_level": 9}
    made = run_one(root, "compress", config, artifact)
    first = (root / "dist" / "ex.tar.gz").read_bytes()
    _touch_differently(root)
    run_one(root, "compress", config, artifact)
    assert (root / "dist" / "ex.tar.gz").read_bytes() == first
    digest = "sha256:" + hashlib.sha256(first).hexdigest()
    assert made == Artifact("compress", "dist/ex.tar.gz", ["dist/ex.tar.gz"], digest)
    # gzip header: no file name flag, mtime 0
    assert first[:2] == b"\x1f\x8b" and first[3] == 0 and first[4:8] == b"\0\0\0\0"
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(first))) as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == ["disk.img", "run.sh"]  # sorted base names, as Packer names them
        assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(EPOCH, 0, 0, "", "")}
        assert [m.mode for m in members] == [0o640, 0o755]
        extracted = tar.extractfile("run.sh")
        assert extracted is not None and extracted.read() == b"#!/bin/sh\necho hi\n"
    assert (root / "out" / "disk.img").exists()  # keep_input_artifact = true


def test_compress_zip_is_deterministic_with_modes(inputs: tuple[Path, Artifact]) -> None:
    root, artifact = inputs
    config = {"output": "dist/a", "format": "zip", "keep_input_artifact": True}
    run_one(root, "compress", config, artifact)
    first = (root / "dist" / "a").read_bytes()
    _touch_differently(root)
    run_one(root, "compress", config, artifact)
    assert (root / "dist" / "a").read_bytes() == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["out/disk.img", "out/run.sh"]  # zip keeps the relative names (Packer)
        assert {i.date_time for i in infos} == {time.gmtime(EPOCH)[:6]}
        assert [i.external_attr >> 16 & 0o7777 for i in infos] == [0o640, 0o755]
        assert zf.read("out/run.sh") == b"#!/bin/sh\necho hi\n"


def test_compress_single_file_gz_xz_and_folders(inputs: tuple[Path, Artifact], monkeypatch: pytest.MonkeyPatch) -> None:
    root, artifact = inputs
    one = Artifact("docker", "out/disk.img", ["out/disk.img"], "")
    run_one(root, "compress", {"output": "disk.img.gz", "keep_input_artifact": True}, one)
    data = (root / "disk.img.gz").read_bytes()
    assert data[3] == 0 and gzip.decompress(data) == (root / "out" / "disk.img").read_bytes()
    run_one(root, "compress", {"output": "disk.img.xz", "keep_input_artifact": True}, one)
    assert lzma.decompress((root / "disk.img.xz").read_bytes()) == (root / "out" / "disk.img").read_bytes()
    with pytest.raises(StepFailed, match="1 input file"):
        run_one(root, "compress", {"output": "both.gz"}, artifact)
    with pytest.raises(StepFailed, match="lz4"):
        run_one(root, "compress", {"output": "x.lz4"}, one)
    # a folder brings its contents, sorted; SOURCE_DATE_EPOCH unset means 0
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    tree = Artifact("docker", "out", ["out"], "")
    run_one(root, "compress", {"output": "tree.tar", "keep_input_artifact": True}, tree)
    with tarfile.open(root / "tree.tar") as tar:
        assert [(m.name, m.isdir(), m.mtime) for m in tar.getmembers()] == [
            ("out", True, 0), ("out/disk.img", False, 0), ("out/run.sh", False, 0),
        ]  # fmt: skip


def test_keep_input_artifact_follows_packer(inputs: tuple[Path, Artifact]) -> None:
    root, _ = inputs
    one = Artifact("docker", "out/disk.img", ["out/disk.img"], "")
    # compress's default: the input goes once the new archive is made
    run_one(root, "compress", {"output": "a.tar.gz"}, one)
    assert not (root / "out" / "disk.img").exists() and (root / "a.tar.gz").exists()
    (root / "out" / "disk.img").write_bytes(b"again")
    # checksum forces keep; the compress after it deletes its input (the files plus the checksum file)
    build = make_build([("checksum", {"keep_input_artifact": False}), ("compress", {"output": "b.tar"})])
    (made,) = run_chains(root, build, one)
    assert made is not None and made.files == ["b.tar"]
    assert not (root / "out" / "disk.img").exists() and not (root / "packer_ex_docker_md5.checksum").exists()
    with tarfile.open(root / "b.tar") as tar:
        assert tar.getnames() == ["disk.img", "packer_ex_docker_md5.checksum"]
    # two chains share the build's artifact: it goes only when the first post-processor of every chain lets it go
    (root / "out" / "disk.img").write_bytes(b"again")
    run_chains(root, make_build([("compress", {"output": "c.tar"})], [("compress", {"output": "d.zip"})]), one)
    assert not (root / "out" / "disk.img").exists() and (root / "c.tar").exists() and (root / "d.zip").exists()
    (root / "out" / "disk.img").write_bytes(b"again")
    build = make_build([("compress", {"output": "e.tar"})], [("checksum", {})])
    run_chains(root, build, one)
    assert (root / "out" / "disk.img").exists()


# --- end to end: bake plan + bake apply on a real Docker Engine ---

SAVE_TEMPLATE = """
source "docker" "BUILDNAME" {
  image  = "bake/busybox:latest"
  pull   = false
  commit = true
}

build {
  sources = ["source.docker.BUILDNAME"]

  provisioner "shell" {
    inline = ["echo saved > /saved.txt"]
  }

  post-processors {
    post-processor "docker-tag" {
      repository = "bake/pp-BUILDNAME"
      tags       = ["v1"]
    }
    post-processor "docker-save" {
      path = "out/image.tar"
    }
  }
}
"""

IMPORT_TEMPLATE = """
source "docker" "BUILDNAME" {
  image       = "bake/busybox:latest"
  pull        = false
  export_path = "out/rootfs.tar"
}

build {
  sources = ["source.docker.BUILDNAME"]

  provisioner "shell" {
    inline = ["mkdir -p /srv", "echo imported > /srv/hello.txt"]
  }

  post-processors {
    post-processor "docker-import" {
      repository = "bake/pp-BUILDNAME"
      tag        = "v2"
      changes    = ["ENV IMPORTED=yes", "WORKDIR /srv"]
      PLATFORM
    }
    post-processor "docker-save" {
      path = "out/imported.tar"
    }
  }

  post-processors {
    post-processor "compress" {
      output = "out/{{.BuildName}}.tar.gz"
    }
    post-processor "checksum" {
      checksum_types = ["sha256"]
      output         = "out/{{.BuildName}}.{{.ChecksumType}}"
    }
  }
}
"""


def e2e_project(tmp_path: Path, text: str) -> tuple[Path, str, dict[str, str]]:
    work = tmp_path / "proj"
    work.mkdir()
    name = tmp_path.name.lower().replace("_", "-")[-40:].strip("-")
    (work / "t.pkr.hcl").write_text(text.replace("BUILDNAME", name))
    env = {
        **os.environ,
        "DOCKER_HOST": os.environ["DOCKER_HOST"],
        "BAKE_CACHE_DIR": str(tmp_path / "cache"),
        "SOURCE_DATE_EPOCH": str(EPOCH),
    }
    return work, name, env


def apply(work: Path, env: dict[str, str]) -> dict[str, Any]:
    r = bake(["plan", "--out", "plan.json", "."], work, env)
    assert r.returncode == 0, r.stdout + r.stderr
    r = bake(["apply", "--format", "json", "plan.json"], work, env)
    assert r.returncode == 0, r.stdout + r.stderr
    done = events(r.stdout)[-1]
    assert done["event"] == "apply_complete" and done["ok"], r.stdout
    return done


def test_docker_save_writes_the_tagged_image(tmp_path: Path, docker_host: str, base_image: str) -> None:
    work, name, env = e2e_project(tmp_path, SAVE_TEMPLATE)
    done = apply(work, env)
    assert done["steps_run"] == 5
    (artifact,) = done["artifacts"]
    with tarfile.open(work / "out" / "image.tar") as tar:
        manifest = tar.extractfile("manifest.json")
        assert manifest is not None
        (entry,) = json.load(manifest)
    assert entry["RepoTags"] == [f"bake/pp-{name}:v1"]  # saved by the name docker-tag gave it
    assert artifact["id"] in docker(env, "images", "--no-trunc", "-q", f"bake/pp-{name}:v1")
    assert not docker(env, "ps", "-aq", "--filter", f"label=bake.build=docker.{name}")


def test_docker_import_from_export_path(tmp_path: Path, docker_host: str, base_image: str) -> None:
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine())
    text = IMPORT_TEMPLATE.replace("PLATFORM", f'platform   = "linux/{arch}"' if arch else "")
    work, name, env = e2e_project(tmp_path, text)
    done = apply(work, env)
    assert done["steps_run"] == 7
    image = f"bake/pp-{name}:v2"
    out = docker(env, "run", "--rm", "--network", "none", image, "/bin/sh", "-c", "cat hello.txt; echo $IMPORTED; pwd")
    assert out.splitlines() == ["imported", "yes", "/srv"]
    with tarfile.open(work / "out" / "imported.tar") as tar:
        assert "manifest.json" in tar.getnames()
    # both chains let the exported tar go (keep_input_artifact defaults to false): Packer deletes it at the end
    assert not (work / "out" / "rootfs.tar").exists()
    archive = work / "out" / f"{name}.tar.gz"
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["rootfs.tar"]
        inner = tar.extractfile("rootfs.tar")
        assert inner is not None
        with tarfile.open(fileobj=inner) as rootfs:
            assert "srv/hello.txt" in rootfs.getnames()
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (work / "out" / f"{name}.sha256").read_text() == f"{digest}\t{name}.tar.gz\n"
    assert not docker(env, "ps", "-aq", "--filter", f"label=bake.build=docker.{name}")

    # re-applying runs nothing, and does not bring back the exported tar the chains consumed
    again = bake(["apply", "--format", "json", "plan.json"], work, env)
    assert again.returncode == 0, again.stdout + again.stderr
    done = events(again.stdout)[-1]
    assert done["steps_run"] == 0 and done["steps_cached"] == 7
    assert not (work / "out" / "rootfs.tar").exists()
    # a cached post-processor whose output was deleted runs again, fed by the one before it
    (work / "out" / f"{name}.sha256").unlink()
    third = bake(["apply", "--format", "json", "plan.json"], work, env)
    ran = [(e["kind"], e["type"]) for e in events(third.stdout) if e["event"] == "step_start"]
    assert ran == [("post-processor", "checksum")], third.stdout
    assert (work / "out" / f"{name}.sha256").read_text() == f"{digest}\t{name}.tar.gz\n"
