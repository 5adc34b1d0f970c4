"""Tar layers of filesystem changes: round trips, byte-for-byte determinism, safe extraction, OCI layouts."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import platform
import shutil
import socket
import stat
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bake.runtime.layers import (
    Changes,
    Entry,
    LayerError,
    diff,
    extract_layer,
    gzip_deterministic,
    scan,
    write_layer,
    write_oci_layout,
    write_tree,
)

EPOCH = 1_700_000_000
OLD = 1_000_000_000  # an mtime below the epoch: kept as it is
ROOT_USER = os.geteuid() == 0
LONG = "long/" + "d" * 60 + "/" + "e" * 70 + "/" + "f" * 150  # > 100 characters, one part > 100 too
UNICODE = "ünïcødé/日本語 ファイル.txt"


# --- helpers ----------------------------------------------------------------------------------------


def tree_tar(root: Path, epoch: int = EPOCH) -> bytes:
    out = io.BytesIO()
    write_tree(root, epoch, out)
    return out.getvalue()


def layer_bytes(root: Path, changes: Changes, epoch: int = EPOCH) -> bytes:
    out = io.BytesIO()
    write_layer(root, changes, epoch, out)
    return out.getvalue()


def extract(data: bytes, root: Path) -> None:
    extract_layer(io.BytesIO(data), root)


def semantic(root: Path, epoch: int = EPOCH) -> dict[str, tuple[Any, ...]]:
    """What a tree holds, ignoring inode numbers, ctimes and mtimes above the epoch."""
    entries = scan(root)
    first_of: dict[int, str] = {}
    for name in sorted(entries):
        first_of.setdefault(entries[name].ino, name)
    found: dict[str, tuple[Any, ...]] = {}
    for name, e in entries.items():
        content = b""
        if stat.S_ISREG(e.mode):
            content = hashlib.sha256((root / name).read_bytes()).digest()
        is_dir = stat.S_ISDIR(e.mode)
        links = ("", 0) if is_dir else (first_of[e.ino], e.nlink)  # a directory's nlink counts subdirectories
        found[name] = (stat.filemode(e.mode), e.uid, e.gid, e.link, content, links, min(e.mtime_ns // 10**9, epoch))
    return found


def members(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return tar.getmembers()


def make_tar(*items: tuple[tarfile.TarInfo, bytes | None]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in items:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def member(name: str, kind: bytes = tarfile.REGTYPE, *, linkname: str = "", mode: int = 0o644) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.mtime = kind, linkname, mode, EPOCH
    return info


class Build:
    """A tree that changes step by step, with the layer of each step (as the rootfs builder makes them)."""

    def __init__(self, root: Path, offset: int = 0) -> None:
        self.root = root
        self.offset = offset  # shifts every mtime this build sets: real mtimes differ, all above the epoch
        self.state: dict[str, Entry] = {}
        self.layers: list[bytes] = []

    def p(self, name: str) -> Path:
        return self.root / name

    def stamp(self, name: str) -> None:
        """Give name (and its parent folder) an mtime of now + offset."""
        t = time.time() + 10 + self.offset
        os.utime(self.p(name), (t, t), follow_symlinks=False)
        parent = self.p(name).parent
        os.utime(parent, (t, t))

    def write(self, name: str, data: bytes | str, mode: int | None = None) -> None:
        path = self.p(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        if mode is not None:
            os.chmod(path, mode)
        self.stamp(name)

    def mkdir(self, name: str, mode: int = 0o755) -> None:
        self.p(name).mkdir(parents=True, exist_ok=True)
        os.chmod(self.p(name), mode)
        self.stamp(name)

    def link(self, existing: str, name: str) -> None:
        os.link(self.p(existing), self.p(name))
        self.stamp(name)

    def fifo(self, name: str, mode: int) -> None:
        os.mkfifo(self.p(name), mode)
        self.stamp(name)

    def symlink(self, name: str, target: str) -> None:
        os.symlink(target, self.p(name))
        self.stamp(name)

    def base(self) -> bytes:
        """The tree as it is now is the base: its write_tree is the first layer."""
        self.state = scan(self.root)
        data = tree_tar(self.root)
        self.layers.append(data)
        return data

    def step(self) -> bytes:
        now = scan(self.root)
        data = layer_bytes(self.root, diff(self.state, now))
        self.state = now
        self.layers.append(data)
        return data


def make_base(b: Build, *, reverse: bool = False) -> None:
    """A tree with every kind of entry: odd modes, setuid, links, a FIFO, long and unicode names."""
    chains: list[list[Callable[[], None]]] = [  # each chain in order; the chains in either order
        [lambda: b.mkdir("etc"), lambda: b.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
         lambda: b.write("etc/hostname", "box\n"), lambda: b.mkdir("etc/secret", 0o700),
         lambda: b.write("etc/secret/key", "k" * 3000, 0o600)],
        [lambda: b.mkdir("bin"), lambda: b.write("bin/su", b"\x7fELF" + bytes(range(256)) * 8, 0o4755),
         lambda: b.write("bin/a", "same inode\n", 0o755), lambda: b.link("bin/a", "bin/b")],
        [lambda: b.symlink("lib64", "bin")],
        [lambda: b.symlink("abs", "/etc/passwd")],
        [lambda: b.symlink("dangling", "../nowhere/at/all")],
        [lambda: b.mkdir("run"), lambda: b.fifo("run/fifo", 0o620)],
        [lambda: b.mkdir("tmp", 0o1777)],
        [lambda: b.mkdir("shared", 0o2775)],
        [lambda: b.mkdir("empty", 0o750)],
        [lambda: b.write("zero", "", 0o000)],
        [lambda: b.write(LONG, "a long way down\n")],
        [lambda: b.write(UNICODE, "こんにちは\n")],
        [lambda: b.mkdir("ro", 0o555)],
        [lambda: b.write("srv/app/data/blob.bin", b"\0" * 5000), lambda: b.write("srv/app/main.py", "print('hi')\n")],
    ]  # fmt: skip
    for chain in reversed(chains) if reverse else chains:
        for op in chain:
            op()
    if ROOT_USER:
        os.chown(b.p("etc/hostname"), 1000, 1000)
        os.lchown(b.p("abs"), 33, 33)
    os.utime(b.p("ro"), (OLD, OLD))  # kept as it is: below the epoch
    os.utime(b.p("etc/hostname"), (OLD, OLD))
    os.utime(b.p("abs"), (OLD, OLD), follow_symlinks=False)


def add_files(b: Build) -> None:
    b.write("srv/app/x", "x\n")
    b.mkdir("srv/app/new", 0o700)
    b.write("srv/app/new/y", "y" * 4000)


def same_size_same_mtime(b: Build) -> None:
    path = b.p("etc/passwd")
    before = os.lstat(path)
    path.write_text("ROOT:X:0:0:ROOT:/ROOT:/BIN/SH\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.lstat(path).st_size == before.st_size


def chown_only(b: Build) -> None:
    if ROOT_USER:
        os.chown(b.p("etc/hostname"), 4242, 4343)
    else:
        os.chmod(b.p("etc/hostname"), 0o640)


def replace_kinds(b: Build) -> None:
    b.p("etc/passwd").unlink()
    b.mkdir("etc/passwd", 0o711)  # a file becomes a directory
    b.write("etc/passwd/inside", "now a folder\n")
    shutil.rmtree(b.p("srv/app"))
    b.symlink("srv/app", "/opt/app")  # a directory becomes a symlink


def rename(b: Build) -> None:
    os.rename(b.p(UNICODE), b.p("renamed.txt"))
    os.rename(b.p("etc/secret"), b.p("etc/hidden"))
    b.stamp("renamed.txt")


def odd_swaps(b: Build) -> None:
    b.p("lib64").unlink()
    b.write("lib64", "a symlink became a file\n")
    b.p("bin/b").unlink()  # one of two hard links goes: bin/a is rewritten alone
    shutil.rmtree(b.p("etc/passwd"))
    b.symlink("etc/passwd", "hidden/key")  # a directory with content becomes a symlink
    b.mkdir("empty/now/deeper", 0o700)


STEPS: list[Callable[[Build], None]] = [
    add_files,
    same_size_same_mtime,
    lambda b: os.chmod(b.p("etc/passwd"), 0o600),  # a chmod only: caught through ctime
    chown_only,
    lambda b: b.p("zero").unlink(),
    lambda b: shutil.rmtree(b.p("long")),
    replace_kinds,
    lambda b: b.link("etc/hostname", "etc/hostname-link"),
    rename,
    odd_swaps,
]


def run_build(root: Path, offset: int = 0, *, reverse: bool = False) -> Build:
    root.mkdir(parents=True)
    b = Build(root, offset)
    make_base(b, reverse=reverse)
    b.base()
    for step in STEPS:
        step(b)
        b.step()
    return b


# --- round trip -------------------------------------------------------------------------------------


def test_round_trip_step_by_step(tmp_path: Path) -> None:
    b = Build(tmp_path / "src")
    b.root.mkdir()
    make_base(b)
    dst = tmp_path / "dst"
    extract(b.base(), dst)
    assert tree_tar(dst) == tree_tar(b.root)
    assert semantic(dst) == semantic(b.root)
    for i, step in enumerate(STEPS):
        step(b)
        data = b.step()
        assert members(data), f"step {i} recorded nothing"
        extract(data, dst)
        assert semantic(dst) == semantic(b.root), f"after step {i}"
        assert tree_tar(dst) == tree_tar(b.root), f"after step {i}"
    # and a fresh folder from all the layers at once: a cache hit replays them in order
    again = tmp_path / "again"
    for data in b.layers:
        extract(data, again)
    assert tree_tar(again) == tree_tar(b.root)


def test_round_trip_keeps_modes_owners_links_and_old_mtimes(tmp_path: Path) -> None:
    b = Build(tmp_path / "src")
    b.root.mkdir()
    make_base(b)
    dst = tmp_path / "dst"
    extract(b.base(), dst)
    assert stat.S_IMODE(os.lstat(dst / "bin/su").st_mode) == 0o4755
    assert stat.S_IMODE(os.lstat(dst / "tmp").st_mode) == 0o1777
    assert stat.S_IMODE(os.lstat(dst / "shared").st_mode) == 0o2775
    assert stat.S_IMODE(os.lstat(dst / "ro").st_mode) == 0o555
    assert stat.S_IMODE(os.lstat(dst / "zero").st_mode) == 0
    assert os.readlink(dst / "abs") == "/etc/passwd"
    assert os.readlink(dst / "dangling") == "../nowhere/at/all"
    assert os.lstat(dst / "bin/a").st_ino == os.lstat(dst / "bin/b").st_ino
    assert stat.S_ISFIFO(os.lstat(dst / "run/fifo").st_mode)
    assert (dst / LONG).read_text() == "a long way down\n"
    assert (dst / UNICODE).read_text() == "こんにちは\n"
    assert os.lstat(dst / "ro").st_mtime == OLD
    assert os.lstat(dst / "abs").st_mtime == OLD
    assert os.lstat(dst / "etc").st_mtime == EPOCH  # clamped
    if ROOT_USER:
        assert (os.lstat(dst / "etc/hostname").st_uid, os.lstat(dst / "etc/hostname").st_gid) == (1000, 1000)
        assert os.lstat(dst / "abs").st_uid == 33


# --- determinism ------------------------------------------------------------------------------------


def test_same_build_in_two_folders_gives_the_same_bytes(tmp_path: Path) -> None:
    one = run_build(tmp_path / "one" / "root")
    two = run_build(tmp_path / "two" / "much" / "deeper" / "rootfs", offset=5000, reverse=True)
    assert os.lstat(one.p("etc")).st_mtime != os.lstat(two.p("etc")).st_mtime  # the real mtimes differ
    assert len(one.layers) == len(two.layers) == len(STEPS) + 1
    for i, (a, b) in enumerate(zip(one.layers, two.layers, strict=True)):
        assert a == b, f"layer {i} differs"
    assert tree_tar(one.root) == tree_tar(two.root)
    digests = []
    for build in (one, two):
        paths = []
        for i, data in enumerate(build.layers):
            paths.append(build.root.parent / f"layer{i}.tar")
            paths[-1].write_bytes(data)
        history = [f"step {i}" for i in range(len(paths))]
        digests.append(write_oci_layout(build.root.parent / "oci", paths, EPOCH, history=history))
    assert digests[0] == digests[1]
    assert (one.root.parent / "oci/index.json").read_bytes() == (two.root.parent / "oci/index.json").read_bytes()


def test_a_replayed_tree_continues_the_build_with_the_same_layers(tmp_path: Path) -> None:
    """A cache hit for the first steps, then a miss: the next layer is the one a full miss makes."""
    full = run_build(tmp_path / "full")
    hit = Build(tmp_path / "hit", offset=3000)
    for data in full.layers[:-1]:
        extract(data, hit.root)
    hit.state = scan(hit.root)
    STEPS[-1](hit)
    assert hit.step() == full.layers[-1]
    assert tree_tar(hit.root) == tree_tar(full.root)


def test_tar_is_normalised(tmp_path: Path) -> None:
    b = Build(tmp_path / "src")
    b.root.mkdir()
    make_base(b)
    data = tree_tar(b.root)
    infos = members(data)
    names = [m.name for m in infos]
    assert names == sorted(names, key=lambda n: n.encode())
    assert names.index("etc") < names.index("etc/hostname")
    for m in infos:
        assert m.uname == "" and m.gname == ""
        assert m.mtime <= EPOCH and isinstance(m.mtime, int)
        assert set(m.pax_headers) <= {"path", "linkpath"}, (m.name, m.pax_headers)
        assert not m.name.startswith(("/", "./"))
    by_name = {m.name: m for m in infos}
    assert by_name["bin/b"].islnk() and by_name["bin/b"].linkname == "bin/a"
    assert by_name["bin/a"].isreg() and by_name["bin/a"].size == len("same inode\n")
    assert by_name["bin/su"].mode == 0o4755
    assert by_name["etc/hostname"].mtime == OLD
    assert by_name["lib64"].issym() and by_name["lib64"].linkname == "bin"
    assert by_name["run/fifo"].isfifo()
    assert by_name[LONG].pax_headers == {"path": LONG}
    assert b"atime" not in data and b"ctime" not in data
    assert tree_tar(b.root, EPOCH) == data
    assert len(data) % 10240 == 0


def test_whiteouts_and_parents_in_a_layer(tmp_path: Path) -> None:
    b = Build(tmp_path / "src")
    b.mkdir("a/b/c")
    b.write("a/b/c/f", "f")
    b.write("a/gone", "g")
    b.mkdir("a/tree/sub")
    b.write("a/tree/sub/x", "x")
    b.base()
    b.p("a/gone").unlink()
    shutil.rmtree(b.p("a/tree"))
    b.write("a/b/c/f", "changed")
    infos = {m.name: m for m in members(b.step())}
    assert sorted(infos) == ["a", "a/.wh.gone", "a/.wh.tree", "a/b", "a/b/c", "a/b/c/f"]
    wh = infos["a/.wh.tree"]
    assert (wh.isreg(), wh.size, wh.mode, wh.mtime, wh.uid, wh.gid) == (True, 0, 0, EPOCH, 0, 0)


def test_write_refuses_device_nodes_and_whiteout_names_and_skips_sockets(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / ".wh.oops").write_text("")
    with pytest.raises(LayerError, match=r"\.wh\.oops"):
        tree_tar(root)
    (root / ".wh.oops").unlink()
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(root / "sock"))
        assert "sock" not in scan(root)
        assert layer_bytes(root, Changes(["sock"], [])) == layer_bytes(root, Changes([], []))
    try:
        os.mknod(root / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("no CAP_MKNOD here")
    with pytest.raises(LayerError, match="device nodes are not allowed in a layer: null"):
        tree_tar(root)


# --- scan and diff ----------------------------------------------------------------------------------


def test_scan_names_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / "d/e").mkdir(parents=True)
    (tmp_path / "d/e/f").write_text("f")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/secret").write_text("s")
    root = tmp_path / "d"
    os.symlink(tmp_path / "outside", root / "link")
    found = scan(root)
    assert sorted(found) == ["e", "e/f", "link"]
    assert found["link"].link == str(tmp_path / "outside")
    assert stat.S_ISLNK(found["link"].mode)
    assert found["e/f"].size == 1


def test_scan_refuses_a_mount_point(tmp_path: Path) -> None:
    (tmp_path / "proc").mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "none", str(tmp_path / "proc")], capture_output=True, check=False)
    if r.returncode != 0:
        pytest.skip("cannot mount here")
    try:
        with pytest.raises(LayerError, match="mount point inside the tree: proc"):
            scan(tmp_path)
    finally:
        subprocess.run(["umount", str(tmp_path / "proc")], check=True)
    assert "proc" in scan(tmp_path)


def test_scan_catches_a_rewrite_right_after_it(tmp_path: Path) -> None:
    f = tmp_path / "f"
    for i in range(20):  # no clock tick between the rewrites: ctime must still tell them apart
        f.write_bytes(bytes([i]) * 10)
        os.utime(f, ns=(0, 0))
        before = scan(tmp_path)
        f.write_bytes(bytes([i + 1]) * 10)
        os.utime(f, ns=(0, 0))
        assert diff(before, scan(tmp_path)).changed == ["f"]


def entry(mode: int, ino: int = 1) -> Entry:
    return Entry(mode, 0, 0, 0, 0, 0, ino, 1, 0, "")


def test_diff_reports_top_most_deletions_only() -> None:
    d, f = stat.S_IFDIR | 0o755, stat.S_IFREG | 0o644
    old = {"a": entry(d), "a/b": entry(d), "a/b/c": entry(f), "x": entry(f), "y": entry(d), "y/z": entry(f),
           "k": entry(d), "k/l": entry(f), "m": entry(d, 1), "m/n": entry(f)}  # fmt: skip
    new = {"x": entry(f, 2), "y": entry(f), "k": entry(d), "m": entry(d, 9)}
    changes = diff(old, new)
    assert changes.changed == ["m", "x", "y"]
    # "y" became a file: writing it replaces the tree; "m" was recreated: its old child needs a whiteout
    assert changes.deleted == ["a", "k/l", "m/n"]
    assert diff(new, new) == Changes([], [])


# --- extraction -------------------------------------------------------------------------------------


def test_extract_whiteouts_opaque_and_type_changes(tmp_path: Path) -> None:
    root = tmp_path / "root"
    extract(make_tar((member("d", tarfile.DIRTYPE), None), (member("d/keep"), b"k"), (member("d/gone"), b"g"),
                     (member("t", tarfile.DIRTYPE), None), (member("t/sub/x"), b"x"), (member("f"), b"file"),
                     (member("o", tarfile.DIRTYPE), None), (member("o/old1"), b"1"), (member("o/old2"), b"2"),
                     (member("s", tarfile.SYMTYPE, linkname="d"), None)), root)  # fmt: skip
    extract(make_tar((member("d/.wh.gone"), b""), (member("t/.wh.sub"), b""), (member("o/-new"), b"n"),
                     (member("o/.wh..wh..opq"), b""), (member("o/z"), b"z"),
                     (member("f", tarfile.DIRTYPE, mode=0o700), None), (member("f/in"), b"in"),
                     (member("d", tarfile.DIRTYPE, mode=0o711), None),
                     (member("s", tarfile.DIRTYPE), None), (member("s/own"), b"own"),
                     (member("t"), b"a file now")), root)  # fmt: skip
    assert sorted(os.listdir(root / "d")) == ["keep"]  # an existing directory keeps its contents
    assert stat.S_IMODE(os.lstat(root / "d").st_mode) == 0o711
    assert sorted(os.listdir(root / "o")) == ["-new", "z"]  # opaque: only what this layer wrote
    assert (root / "f/in").read_text() == "in"
    assert stat.S_ISDIR(os.lstat(root / "s").st_mode) and sorted(os.listdir(root / "s")) == ["own"]
    assert (root / "d/keep").read_text() == "k"  # the old symlink s -> d was replaced, not followed
    assert (root / "t").read_text() == "a file now"
    assert not (root / ".wh.gone").exists() and not (root / "d/.wh.gone").exists()


def test_extract_gzip_base_and_leading_dot_slash(tmp_path: Path) -> None:
    raw = make_tar((member(".", tarfile.DIRTYPE), None), (member("./etc", tarfile.DIRTYPE), None),
                   (member("./etc/os-release"), b"ID=test\n"), (member("./bin//sh", mode=0o755), b"#!"))  # fmt: skip
    packed = io.BytesIO()
    gzip_deterministic(io.BytesIO(raw), packed)
    root = tmp_path / "root"
    extract(packed.getvalue(), root)
    assert (root / "etc/os-release").read_text() == "ID=test\n"
    assert stat.S_IMODE(os.lstat(root / "bin/sh").st_mode) == 0o755
    assert sorted(scan(root)) == ["bin", "bin/sh", "etc", "etc/os-release"]


def test_extract_refuses_garbage(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="malformed"):
        extract(b"this is not a tar archive at all" * 40, tmp_path / "root")


class Jail:
    """A root next to a folder that must stay untouched, whatever a hostile layer says."""

    def __init__(self, tmp: Path) -> None:
        self.top = tmp / "jail"
        self.root = self.top / "root"
        self.outside = self.top / "outside"
        self.root.mkdir(parents=True)
        self.outside.mkdir()
        (self.outside / "target").write_text("precious")

    def refuse(self, data: bytes, match: str) -> None:
        with pytest.raises(LayerError, match=match):
            extract(data, self.root)
        self.untouched()

    def untouched(self) -> None:
        assert sorted(os.listdir(self.top)) == ["outside", "root"]
        assert sorted(os.listdir(self.outside)) == ["target"]
        assert (self.outside / "target").read_text() == "precious"
        assert stat.S_IMODE(os.lstat(self.outside / "target").st_mode) == 0o644
        assert not (self.top.parent / "x").exists()


def test_extract_refuses_names_out_of_the_root(tmp_path: Path) -> None:
    jail = Jail(tmp_path)
    jail.refuse(make_tar((member("../x"), b"x")), r"'\.\.': \.\./x")
    jail.refuse(make_tar((member("../outside/target"), b"x")), r"\.\./outside/target")
    jail.refuse(make_tar((member("a/../../x"), b"x")), r"a/\.\./\.\./x")
    jail.refuse(make_tar((member("ok/../../../x", tarfile.DIRTYPE), None)), "ok/")
    absolute = f"/etc/bake-layers-test-{uuid.uuid4().hex}"
    jail.refuse(make_tar((member(absolute), b"x")), f"absolute member name: {absolute}")
    assert not os.path.exists(absolute)


def test_extract_never_writes_through_a_symlink(tmp_path: Path) -> None:
    jail = Jail(tmp_path)
    evil = (member("evil", tarfile.SYMTYPE, linkname=str(jail.outside)), None)
    jail.refuse(make_tar(evil, (member("evil/file"), b"x")), "evil/file: its parent evil is a symlink")
    # the symlink from an earlier layer is in the root now: a later layer cannot go through it either
    assert os.path.islink(jail.root / "evil")
    jail.refuse(make_tar((member("evil/target"), b"x")), "evil/target")
    jail.refuse(make_tar((member("evil/sub", tarfile.DIRTYPE), None)), "evil/sub")
    jail.refuse(make_tar((member("evil/.wh.target"), b"")), "evil")
    jail.refuse(make_tar((member("evil/.wh..wh..opq"), b"")), "evil")
    jail.refuse(make_tar((member("evil/t", tarfile.SYMTYPE, linkname="/"), None)), "evil/t")
    # a symlink to a file outside, overwritten by a file: the symlink is replaced, never followed
    extract(make_tar((member("tfile", tarfile.SYMTYPE, linkname=str(jail.outside / "target")), None)), jail.root)
    extract(make_tar((member("tfile", mode=0o600), b"mine"), (member("evil", tarfile.DIRTYPE), None)), jail.root)
    jail.untouched()
    assert (jail.root / "tfile").read_text() == "mine" and not os.path.islink(jail.root / "tfile")
    assert stat.S_ISDIR(os.lstat(jail.root / "evil").st_mode)


def test_extract_refuses_bad_hard_links(tmp_path: Path) -> None:
    jail = Jail(tmp_path)
    extract(make_tar((member("evil", tarfile.SYMTYPE, linkname=str(jail.outside)), None),
                     (member("f"), b"f")), jail.root)  # fmt: skip
    jail.refuse(make_tar((member("pw", tarfile.LNKTYPE, linkname="/etc/passwd"), None)), "absolute .*/etc/passwd")
    jail.refuse(make_tar((member("t", tarfile.LNKTYPE, linkname="../outside/target"), None)), r"\.\./outside")
    jail.refuse(make_tar((member("t", tarfile.LNKTYPE, linkname="evil/target"), None)), "evil is a symlink")
    jail.refuse(make_tar((member("t", tarfile.LNKTYPE, linkname="missing"), None)), "missing, which does not exist")
    jail.refuse(make_tar((member("t", tarfile.LNKTYPE, linkname="."), None)), "hard link t")
    # a hard link to the symlink itself is a link to the symlink, not to what it points at
    extract(make_tar((member("ok", tarfile.LNKTYPE, linkname="evil"), None),
                     (member("ok2", tarfile.LNKTYPE, linkname="./f"), None)), jail.root)  # fmt: skip
    assert os.path.islink(jail.root / "ok") and os.lstat(jail.root / "ok2").st_ino == os.lstat(jail.root / "f").st_ino
    assert not os.path.exists("/etc/passwd") or os.lstat("/etc/passwd").st_ino != os.lstat(jail.root / "f").st_ino
    jail.untouched()


def test_extract_refuses_device_nodes(tmp_path: Path) -> None:
    jail = Jail(tmp_path)
    null = member("dev/null", tarfile.CHRTYPE, mode=0o666)
    null.devmajor, null.devminor = 1, 3
    jail.refuse(make_tar((null, None)), "device nodes are not allowed in a rootfs base: dev/null")
    jail.refuse(make_tar((member("dev/sda", tarfile.BLKTYPE), None)), "dev/sda")
    assert not (jail.root / "dev").exists()


def test_extract_refuses_whiteouts_that_escape(tmp_path: Path) -> None:
    jail = Jail(tmp_path)
    (jail.root / "d").mkdir()
    jail.refuse(make_tar((member("d/.wh.."), b"")), r"unsupported whiteout: d/\.wh\.\.")
    jail.refuse(make_tar((member(".wh.."), b"")), "unsupported whiteout")
    jail.refuse(make_tar((member("d/.wh.."), b"")), "unsupported whiteout")
    jail.refuse(make_tar((member("d/.wh..wh.plnk"), b"")), "unsupported whiteout")
    assert (jail.root / "d").is_dir()


def make_jail_tar(items: list[tuple[str, str, str]]) -> bytes:
    kinds = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "link": tarfile.LNKTYPE}
    return make_tar(*[(member(n, kinds[k], linkname=t), b"data" if k == "file" else None) for k, n, t in items])


NAMES = st.sampled_from(["a", "b", "a/b", "a/c", "../a", "a/../..", "/a", "b/../../outside/target", ".", "c/d/e"])
TARGETS = st.sampled_from(["", "a", "/", "..", "../outside", "../outside/target", "b/..", "/etc/passwd"])


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["file", "dir", "sym", "link"]), NAMES, TARGETS), max_size=8))
def test_extract_of_hostile_tars_stays_inside(items: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        jail = Jail(Path(tmp))
        with contextlib.suppress(LayerError):
            extract(make_jail_tar(items), jail.root)
        jail.untouched()


# --- properties: random changes replay exactly ----------------------------------------------------

PATHS = ["a", "b", "a/c", "a/d", "b/e", "a/c/f", "a/c/g", "h"]
OPS = st.tuples(
    st.sampled_from(["write", "rewrite", "mkdir", "remove", "chmod", "symlink", "hardlink", "rename", "snap"]),
    st.sampled_from(PATHS),
    st.sampled_from(PATHS),
    st.sampled_from([0o644, 0o600, 0o755, 0o4711, 0o1777, 0o000]),
    st.binary(max_size=40),
)


def apply_op(root: Path, op: tuple[str, str, str, int, bytes]) -> None:
    """One change to the tree, skipped when it makes no sense there (parent missing, wrong kind...)."""
    kind, name, other, mode, data = op
    path, dest = root / name, root / other
    if kind in ("write", "mkdir", "symlink", "hardlink"):
        with contextlib.suppress(OSError):  # a parent that is a file or a symlink: the op is skipped below
            if not os.path.lexists(path.parent):
                os.makedirs(path.parent)
    if not os.path.isdir(path.parent) or os.path.islink(path.parent):
        return
    if "/" in name and any(os.path.islink(root / d) for d in ("a", "b", "a/c")):
        return  # the test's own writes never go through a symlink either
    exists = os.path.lexists(path)
    is_dir = exists and stat.S_ISDIR(os.lstat(path).st_mode)
    if kind == "write" and not is_dir:
        if exists:
            path.unlink()
        path.write_bytes(data)
    elif kind == "rewrite" and exists and stat.S_ISREG(os.lstat(path).st_mode):
        before = os.lstat(path)
        path.write_bytes(data[: before.st_size].ljust(before.st_size, b"!"))
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif kind == "mkdir" and not exists:
        path.mkdir()
    elif kind == "remove" and exists:
        shutil.rmtree(path) if is_dir else path.unlink()
    elif kind == "chmod" and exists and not os.path.islink(path):
        os.chmod(path, mode | (0o700 if is_dir else 0))
    elif kind == "symlink" and not exists:
        os.symlink(other, path)
    elif kind == "hardlink" and not exists and os.path.lexists(dest) and stat.S_ISREG(os.lstat(dest).st_mode):
        os.link(dest, path)
    elif (kind == "rename" and exists and not os.path.lexists(dest) and os.path.isdir(dest.parent)
          and not os.path.islink(dest.parent) and not other.startswith(name + "/")):  # fmt: skip
        os.rename(path, dest)


@settings(max_examples=50)
@given(st.lists(OPS, min_size=1, max_size=25))
def test_random_changes_replay_exactly(ops: list[tuple[str, str, str, int, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "src", Path(tmp) / "dst"
        src.mkdir()
        (src / "a").mkdir()
        (src / "a/c").mkdir()
        for name in ("a/c/f", "a/c/g", "b/e", "h"):
            (src / name).parent.mkdir(exist_ok=True)
            (src / name).write_bytes(name.encode() * 3)
        b = Build(src)
        extract(b.base(), dst)
        for op in [*ops, ("snap", "a", "a", 0, b"")]:
            if op[0] != "snap":
                apply_op(src, op)
                continue
            extract(b.step(), dst)
            assert semantic(dst) == semantic(src)
            assert tree_tar(dst) == tree_tar(src)


# --- gzip and OCI layouts ---------------------------------------------------------------------------


def test_gzip_is_deterministic_and_decompresses() -> None:
    data = os.urandom(100_000) + b"abc" * 500_000
    outs = []
    for _ in range(2):
        out = io.BytesIO()
        gzip_deterministic(io.BytesIO(data), out)
        outs.append(out.getvalue())
    assert outs[0] == outs[1]
    assert gzip.decompress(outs[0]) == data
    assert outs[0][:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, OS byte fixed
    empty = io.BytesIO()
    gzip_deterministic(io.BytesIO(b""), empty)
    assert gzip.decompress(empty.getvalue()) == b""


def read_blob(layout: Path, desc: dict[str, Any]) -> bytes:
    algo, _, hexdigest = desc["digest"].partition(":")
    assert algo == "sha256"
    data = (layout / "blobs" / "sha256" / hexdigest).read_bytes()
    assert hashlib.sha256(data).hexdigest() == hexdigest
    assert len(data) == desc["size"]
    return data


def test_oci_layout_is_valid(tmp_path: Path) -> None:
    b = Build(tmp_path / "src")
    b.write("etc/hostname", "box\n")
    b.base()
    b.write("srv/app", "app\n")
    b.step()
    paths = []
    for i, data in enumerate(b.layers):
        paths.append(tmp_path / f"layer{i}.tar")
        paths[-1].write_bytes(data)
    layout = tmp_path / "oci"
    cfg = {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"], "WorkingDir": "/srv"}
    digest = write_oci_layout(layout, paths, EPOCH, tag="v1", config=cfg, history=["base", "step 1"])
    assert json.loads((layout / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((layout / "index.json").read_text())
    assert index["schemaVersion"] == 2 and index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    [mdesc] = index["manifests"]
    assert mdesc["digest"] == digest
    assert mdesc["annotations"] == {"org.opencontainers.image.ref.name": "v1"}
    manifest = json.loads(read_blob(layout, mdesc))
    assert manifest["schemaVersion"] == 2 and manifest["mediaType"] == mdesc["mediaType"]
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
    config = json.loads(read_blob(layout, manifest["config"]))
    assert config["created"] == "2023-11-14T22:13:20Z"
    assert config["os"] == "linux"
    assert config["architecture"] == {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    assert config["config"] == cfg
    assert [h["created_by"] for h in config["history"]] == ["base", "step 1"]
    assert config["rootfs"]["type"] == "layers"
    assert len(manifest["layers"]) == 2
    for desc, path, diff_id in zip(manifest["layers"], paths, config["rootfs"]["diff_ids"], strict=True):
        assert desc["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
        assert gzip.decompress(read_blob(layout, desc)) == path.read_bytes()
        assert diff_id == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    for blob in (layout / "index.json", layout / "oci-layout"):
        text = blob.read_bytes()
        assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")).encode()
    assert sorted(p.name for p in (layout / "blobs/sha256").iterdir()) == sorted(
        d["digest"][7:] for d in [mdesc, manifest["config"], *manifest["layers"]]
    )
    # the same again gives the same digest; a new image in the same place replaces the old one
    assert write_oci_layout(layout, paths, EPOCH, tag="v1", config=cfg, history=["base", "step 1"]) == digest
    other = write_oci_layout(layout, paths[:1], EPOCH)
    assert other != digest
    assert len(list((layout / "blobs/sha256").iterdir())) == 3
    assert not [p for p in layout.rglob(".tmp-*")]


def test_oci_layout_refuses_to_replace_other_folders(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    layer = tmp_path / "l.tar"
    layer.write_bytes(layer_bytes(tmp_path, Changes([], [])))
    with pytest.raises(FileExistsError):
        write_oci_layout(tmp_path, [layer], EPOCH)
    assert (tmp_path / "keep.txt").read_text() == "mine"
    with pytest.raises(ValueError, match="history"):
        write_oci_layout(tmp_path / "new", [layer], EPOCH, history=["a", "b"])


def test_without_root_the_users_files_are_roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A build run without root runs as root in a user namespace mapped to this user.
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "mine").write_text("x")
    (tree / "theirs").write_text("y")
    os.chown(tree / "mine", 4321, 4321)
    os.chown(tree / "theirs", 77, 88)
    monkeypatch.setattr(os, "geteuid", lambda: 4321)
    monkeypatch.setattr(os, "getegid", lambda: 4321)
    out = io.BytesIO()
    write_tree(tree, 1700000000, out)
    out.seek(0)
    with tarfile.open(fileobj=out) as tar:
        owners = {m.name: (m.uid, m.gid) for m in tar.getmembers()}
    assert owners == {"mine": (0, 0), "theirs": (77, 88)}


def test_a_temporary_file_made_and_removed_adds_nothing(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "tmp").mkdir(parents=True)
    os.utime(tree / "tmp", (1_600_000_000, 1_600_000_000))  # older than the epoch: a real change would show
    recent = tree / "recent"
    recent.mkdir()
    before = scan(tree)
    for folder in (tree / "tmp", recent):
        (folder / "script.sh").write_text("echo hi\n")
        (folder / "script.sh").unlink()
    after = scan(tree)
    assert diff(before, after) == Changes(["recent", "tmp"], [])  # raw: both folders' mtimes moved
    # Clamped to the epoch: "recent" records the same entry as before, "tmp" a newer mtime than it had.
    assert diff(before, after, epoch=1_700_000_000) == Changes(["tmp"], [])
