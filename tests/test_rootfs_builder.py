"""The rootfs builder's own upkeep: work folders of dead applies swept, kept ones left, layer chains in the cache."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bake.runtime.builders.rootfs import KEPT, RootfsBuilder, chain_of, sweep
from bake.runtime.cache import LayerCache


def dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_sweep_removes_only_the_folders_of_dead_applies(tmp_path: Path) -> None:
    work = tmp_path / "work"
    dead = work / f"rootfs-{dead_pid()}-aaaa"
    (dead / "rootfs" / "etc").mkdir(parents=True)
    (dead / "rootfs" / "etc" / "ro").mkdir()
    os.chmod(dead / "rootfs" / "etc", 0o500)  # read-only parts, as builds leave them
    kept = work / f"rootfs-{dead_pid()}-bbbb"
    (kept / "rootfs").mkdir(parents=True)
    (kept / KEPT).touch()
    alive = work / f"rootfs-{os.getppid()}-cccc"
    (alive / "rootfs").mkdir(parents=True)
    other = work / "something-else"
    other.mkdir()
    sweep(work)
    assert not dead.exists()
    assert kept.exists() and alive.exists() and other.exists()


def test_a_layer_is_the_chain_of_blobs_and_exists_only_whole(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path / "cache")
    a = cache.put_blob(b"layer a")
    b = cache.put_blob(b"layer b")
    builder = RootfsBuilder(cache, tmp_path, {"source_date_epoch": 1700000000})
    assert chain_of(f"{a},{b}") == [a, b]
    assert builder.layer_exists(f"{a},{b}")
    assert not builder.layer_exists("")
    path = cache.blob_path(b)
    assert path is not None
    os.chmod(path, 0o644)
    path.unlink()
    assert not builder.layer_exists(f"{a},{b}")  # a hit whose layer vanished is a miss


def test_prune_keeps_a_blob_while_a_later_step_chain_holds_it(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path / "cache")
    base = cache.put_blob(b"base layer")
    step = cache.put_blob(b"step layer")
    cache.put("sha256:" + "1" * 64, "rootfs", base, 10)
    cache.put("sha256:" + "2" * 64, "rootfs", f"{base},{step}", 10)
    removed = cache.prune(max_size=10)  # the least recently used entry goes: the base step's
    assert [e.layer for e in removed] == [base]
    assert cache.blob_path(base) is not None  # the step's chain still needs it
    cache.prune(max_size=0)
    assert cache.blob_path(base) is None and cache.blob_path(step) is None


def test_adopt_blob_moves_a_file_into_the_store(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path / "cache")
    src = tmp_path / "cache" / "work" / "layer.tar"
    src.parent.mkdir(parents=True)
    src.write_bytes(b"tar bytes")
    digest = cache.adopt_blob(src)
    assert not src.exists()
    stored = cache.blob_path(digest)
    assert stored is not None and stored.read_bytes() == b"tar bytes"
    again = tmp_path / "cache" / "work" / "again.tar"
    again.write_bytes(b"tar bytes")
    assert cache.adopt_blob(again) == digest and not again.exists()


def test_a_script_that_cannot_be_removed_fails_the_step(tmp_path: Path, bake_exe: str) -> None:
    # Only /bin/sh in the tree: the script runs (busybox's ash has its applets built in) but no `rm`
    # exists to remove it afterwards; as in Packer, that fails the step instead of leaving it in the image.
    work = tmp_path / "proj"
    work.mkdir()
    (work / "t.pkr.hcl").write_text(
        'source "rootfs" "x" {\n  base = "scratch"\n  output_path = "out.tar"\n}\n'
        'build {\n  sources = ["source.rootfs.x"]\n'
        '  provisioner "file" {\n    source = "/bin/busybox"\n    destination = "/bin/sh"\n  }\n'
        '  provisioner "shell" {\n    inline = ["echo ran"]\n  }\n}\n'
    )
    env = {**os.environ, "BAKE_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([bake_exe, "plan", "--out", "plan.json", "."], cwd=work, env=env, capture_output=True,
                       text=True, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = subprocess.run([bake_exe, "apply", "plan.json"], cwd=work, env=env, capture_output=True, text=True,
                       check=False)  # fmt: skip
    assert r.returncode == 1, r.stdout + r.stderr
    assert "ran" in r.stdout
    assert "cannot remove the temporary script /tmp/script_" in r.stdout
    assert "set skip_clean = true to leave it" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_a_platform_without_namespaces_is_a_clear_error(tmp_path: Path, bake_exe: str) -> None:
    # An unshare that is refused, as on a kernel without user namespaces or in a locked-down container.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "unshare").write_text("#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n")
    (fake / "unshare").chmod(0o755)
    work = tmp_path / "proj"
    work.mkdir()
    (work / "t.pkr.hcl").write_text(
        'source "rootfs" "x" {\n  base = "scratch"\n}\n'
        'build {\n  sources = ["source.rootfs.x"]\n  provisioner "shell" {\n    inline = ["true"]\n  }\n}\n'
    )
    env = {**os.environ, "BAKE_CACHE_DIR": str(tmp_path / "cache"), "PATH": f"{fake}:{os.environ['PATH']}"}
    r = subprocess.run([bake_exe, "plan", "--out", "plan.json", "."], cwd=work, env=env, capture_output=True,
                       text=True, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = subprocess.run([bake_exe, "apply", "plan.json"], cwd=work, env=env, capture_output=True, text=True,
                       check=False)  # fmt: skip
    assert r.returncode == 1
    assert "the rootfs builder needs to run as root, or a kernel that allows unprivileged user namespaces" in r.stdout
    assert "Operation not permitted" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr
    assert not any((tmp_path / "cache" / "work").glob("rootfs-*"))


def test_two_applies_of_one_plan_at_once(tmp_path: Path, bake_exe: str) -> None:
    import hashlib
    import json
    import sqlite3

    work = tmp_path / "proj"
    work.mkdir()
    (work / "t.pkr.hcl").write_text(
        'source "rootfs" "x" {\n  base = "scratch"\n  output = "tar.gz"\n  output_path = "out/x.tar.gz"\n}\n'
        'build {\n  sources = ["source.rootfs.x"]\n'
        '  provisioner "file" {\n    source = "/bin/busybox"\n    destination = "/bin/sh"\n  }\n'
        '  provisioner "shell" {\n    remote_path = "/s.sh"\n    skip_clean = true\n'
        '    inline = ["ln /bin/sh /bin/busybox", "/bin/busybox --install -s /bin", "sleep 1"]\n  }\n}\n'
    )
    env = {**os.environ, "BAKE_CACHE_DIR": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "1700000000"}
    r = subprocess.run([bake_exe, "plan", "--out", "plan.json", "."], cwd=work, env=env, capture_output=True,
                       text=True, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    cmd = [bake_exe, "apply", "--format", "json", "plan.json"]
    procs = [subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]  # fmt: skip
    digests = set()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, out + err
        done = json.loads(out.splitlines()[-1])
        assert done["event"] == "apply_complete" and done["ok"]
        digests.add(done["artifacts"][0]["digest"])
    assert len(digests) == 1  # both made the same bytes
    data = (work / "out" / "x.tar.gz").read_bytes()
    assert "sha256:" + hashlib.sha256(data).hexdigest() in digests
    assert not list((work / "out").glob(".*part"))
    with sqlite3.connect(tmp_path / "cache" / "index.sqlite") as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        chains = [row[0] for row in con.execute("SELECT layer FROM layers WHERE builder = 'rootfs'")]
    for chain in chains:
        for digest in chain.split(","):
            assert (tmp_path / "cache" / "blobs" / "sha256" / digest.removeprefix("sha256:")).is_file()
    r = subprocess.run([bake_exe, "audit", "verify"], cwd=work, env=env, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_changes_make_the_oci_image_config() -> None:
    from bake.runtime.builders.rootfs import image_config

    config = image_config(
        [
            "ENV A=1 B='two words'",
            "ENV A 3",
            'CMD ["/app", "--serve"]',
            "WORKDIR /srv",
            "USER 1000:1000",
            "EXPOSE 8080 53/udp",
            'LABEL org.opencontainers.image.title="hello"',
            "VOLUME /data",
            "STOPSIGNAL SIGTERM",
        ],
        {"Env": ["PATH=/bin", "A=0"], "Cmd": ["/bin/sh"]},
    )
    assert config == {
        "Env": ["PATH=/bin", "B=two words", "A=3"],
        "Cmd": ["/app", "--serve"],
        "WorkingDir": "/srv",
        "User": "1000:1000",
        "ExposedPorts": {"8080/tcp": {}, "53/udp": {}},
        "Labels": {"org.opencontainers.image.title": "hello"},
        "Volumes": {"/data": {}},
        "StopSignal": "SIGTERM",
    }
    assert image_config(["ENTRYPOINT top -b"], {"Cmd": ["/bin/sh"]}) == {"Entrypoint": ["/bin/sh", "-c", "top -b"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("ONBUILD RUN true", "cannot be applied to an OCI image config"),
        ("CMD [1, 2]", "is not a JSON array of strings"),
        ("ENV", "has no value"),
        ("LABEL a=1 b", 'expected KEY=VALUE, got "b"'),
    ],
)
def test_bad_changes_are_clear_errors(change: str, message: str) -> None:
    from bake.runtime.builders.rootfs import image_config
    from bake.runtime.interfaces import BuildError

    with pytest.raises(BuildError, match=message):
        image_config([change], {})
