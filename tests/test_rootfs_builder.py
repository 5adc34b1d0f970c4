"""The rootfs builder's own upkeep: work folders of dead applies swept, kept ones left, layer chains in the cache."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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
