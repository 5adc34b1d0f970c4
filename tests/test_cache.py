"""The embedded layer cache: index entries, blobs, pruning, concurrency and corruption, on real files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bake.runtime.cache import BLOB_TMP_GRACE, CacheError, LayerCache
from bake.runtime.cachecli import cache_ls, cache_prune, format_size, parse_duration, parse_size
from bake.runtime.interfaces import CachedLayer

K1 = "sha256:" + "1" * 64
K2 = "sha256:" + "2" * 64
K3 = "sha256:" + "3" * 64


class Clock:
    """A settable clock for the cache (unix seconds)."""

    def __init__(self, now: float = 1_700_000_000) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path: Path, clock: Clock) -> Iterator[LayerCache]:
    c = LayerCache(tmp_path / "cache", clock=clock)
    yield c
    c.close()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# -- index ---------------------------------------------------------------------------------


def test_put_lookup_touch_remove(cache: LayerCache, clock: Clock) -> None:
    t0 = int(clock.now)
    assert cache.lookup(K1) is None
    put = cache.put(K1, "docker", "sha256:img1", 1234)
    assert put == CachedLayer(key=K1, builder="docker", layer="sha256:img1", size=1234, created=t0, last_used=t0)
    clock.now += 10
    hit = cache.lookup(K1)
    assert hit == CachedLayer(key=K1, builder="docker", layer="sha256:img1", size=1234, created=t0, last_used=t0 + 10)
    assert cache.get(K1) == hit, "a hit is a use: last_used moved"
    clock.now += 5
    assert cache.touch(K1) is True
    assert cache.get(K1) is not None and cache.get(K1).last_used == t0 + 15  # type: ignore[union-attr]
    assert cache.touch(K2) is False
    clock.now -= 100  # a clock stepping back never makes an entry look older
    cache.touch(K1)
    assert cache.get(K1).last_used == t0 + 15  # type: ignore[union-attr]
    assert cache.remove(K1) == CachedLayer(K1, "docker", "sha256:img1", 1234, t0, t0 + 15)
    assert cache.remove(K1) is None
    assert cache.lookup(K1) is None and cache.entries() == []


def test_put_replaces_and_validates(cache: LayerCache, clock: Clock) -> None:
    cache.put(K1, "docker", "sha256:old", 1)
    clock.now += 7
    cache.put(K1, "docker", "sha256:new", 2)
    [e] = cache.entries()
    assert (e.layer, e.size, e.created, e.last_used) == ("sha256:new", 2, int(clock.now), int(clock.now))
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="size"):
            cache.put(K2, "docker", "x", bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="key"):
        cache.put("", "docker", "x", 1)


def test_entries_most_recent_first(cache: LayerCache, clock: Clock) -> None:
    for k in (K2, K1, K3):
        cache.put(k, "null", k[-4:], 0)
        clock.now += 1
    cache.touch(K2)
    assert [e.key for e in cache.entries()] == [K2, K3, K1]
    assert cache.total_size() == 0


def test_reading_a_missing_cache_creates_nothing(tmp_path: Path) -> None:
    root = tmp_path / "nowhere"
    c = LayerCache(root)
    assert c.lookup(K1) is None and c.entries() == [] and c.prune(max_size=0) == [] and c.total_size() == 0
    assert c.blob_path("sha256:" + "0" * 64) is None
    assert not root.exists()


def test_default_root_is_bake_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAKE_CACHE_DIR", str(tmp_path / "env"))
    assert LayerCache().index_path == tmp_path / "env" / "index.sqlite"
    monkeypatch.setenv("BAKE_CACHE_DIR", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert LayerCache().root == tmp_path / "home" / ".cache" / "bake"


def test_stale_layer_is_a_miss_and_is_dropped(cache: LayerCache) -> None:
    cache.put(K1, "docker", "sha256:gone", 10)
    cache.put(K2, "docker", "sha256:here", 10)
    asked: list[str] = []

    def exists(layer: str) -> bool:
        asked.append(layer)
        return layer == "sha256:here"

    assert cache.lookup(K1, exists) is None
    assert asked == ["sha256:gone"]
    assert cache.get(K1) is None, "the stale entry was removed"
    hit = cache.lookup(K2, exists)
    assert hit is not None and hit.layer == "sha256:here"


def test_planner_reads_the_index_read_only(cache: LayerCache) -> None:
    # `bake plan` marks cached steps with exactly this query, on a read-only connection, while
    # an apply may hold the index open.
    cache.put(K1, "docker", "a", 1)
    cache.put(K2, "docker", "b", 2)
    con = sqlite3.connect(f"file:{cache.index_path}?mode=ro", uri=True, timeout=2)
    try:
        rows = con.execute("SELECT key FROM layers WHERE key IN (?, ?)", (K1, K3)).fetchall()
        cols = [r[1:3] for r in con.execute("PRAGMA table_info(layers)")]
        pk = [r[1] for r in con.execute("PRAGMA table_info(layers)") if r[5]]
    finally:
        con.close()
    assert rows == [(K1,)]
    assert cols[:6] == [
        ("key", "TEXT"), ("builder", "TEXT"), ("layer", "TEXT"),
        ("size", "INTEGER"), ("created", "INTEGER"), ("last_used", "INTEGER"),
    ]  # fmt: skip
    assert pk == ["key"]
    cache.close()
    assert sqlite3.connect(cache.index_path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


# -- blobs ---------------------------------------------------------------------------------


def test_blobs_are_content_addressed_and_stored_once(cache: LayerCache, tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)  # several read chunks
    src = tmp_path / "layer.tar"
    src.write_bytes(data)
    d1 = cache.put_blob(src)
    assert d1 == sha(data)
    with src.open("rb") as f:
        assert cache.put_blob(f) == d1
    assert cache.put_blob(data) == d1
    assert cache.put_blob(str(src)) == d1
    path = cache.blob_path(d1)
    assert path == cache.blob_dir / d1.removeprefix("sha256:")
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o222 == 0, "blobs are read-only"
    assert sorted(p.name for p in cache.blob_dir.iterdir()) == [path.name], "one file, no temp files left"
    assert cache.put_blob(b"") == sha(b"")
    assert cache.blob_path(sha(b"other")) is None


@pytest.mark.parametrize("bad", ["", "sha256:abc", "sha256:" + "A" * 64, "md5:" + "0" * 64, "sha256:../../etc/passwd"])
def test_blob_path_rejects_what_is_not_a_digest(cache: LayerCache, bad: str) -> None:
    with pytest.raises(ValueError, match="digest"):
        cache.blob_path(bad)


_BLOB_WRITER = """
import sys
from pathlib import Path
from bake.runtime.cache import LayerCache
LayerCache(Path(sys.argv[1])).put_blob(Path(sys.argv[2]))
"""


def test_a_killed_blob_writer_leaves_no_blob(cache: LayerCache, tmp_path: Path, clock: Clock) -> None:
    data = os.urandom(4 << 20)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-c", _BLOB_WRITER, str(cache.root), str(fifo)])
    try:
        with fifo.open("wb") as w:
            w.write(data[: 3 << 20])  # returns once the writer has consumed all but a pipe buffer
            w.flush()
            deadline = time.monotonic() + 10
            while not any(p.stat().st_size >= 1 << 20 for p in cache.blob_dir.glob(".tmp-*")):
                assert time.monotonic() < deadline, "the writer never started writing"
                time.sleep(0.01)
            proc.kill()
            proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    names = [p.name for p in cache.blob_dir.iterdir()]
    assert not [n for n in names if re.fullmatch(r"[0-9a-f]{64}", n)], f"a blob appeared: {names}"
    [partial] = [p for p in cache.blob_dir.iterdir()]
    assert partial.name.startswith(".tmp-") and 0 < partial.stat().st_size < len(data)
    assert cache.blob_path(sha(data)) is None and cache.blob_path(sha(data[: 3 << 20])) is None

    # The next writer is not disturbed; prune clears the leftover once it is clearly abandoned.
    digest = cache.put_blob(data)
    assert cache.blob_path(digest).read_bytes() == data  # type: ignore[union-attr]
    clock.now = time.time()
    cache.prune(max_size=1 << 40)
    assert partial.exists(), "a temp file may belong to a live writer"
    clock.now = time.time() + BLOB_TMP_GRACE + 1
    cache.prune(max_size=1 << 40)
    assert not partial.exists() and cache.blob_path(digest) is not None


# -- prune ---------------------------------------------------------------------------------


def test_prune_by_age(cache: LayerCache, clock: Clock) -> None:
    cache.put(K1, "docker", "a", 1)
    clock.now += 3600
    cache.put(K2, "docker", "b", 1)
    clock.now += 3600
    cache.put(K3, "docker", "c", 1)
    cache.touch(K1)  # used recently: kept though it is the oldest
    clock.now += 60
    removed = cache.prune(older_than=3600)
    assert [e.key for e in removed] == [K2]
    assert {e.key for e in cache.entries()} == {K1, K3}
    assert cache.prune(older_than=10_000) == []


def test_prune_by_size_least_recently_used_first(cache: LayerCache, clock: Clock) -> None:
    keys = [f"sha256:{i:064x}" for i in range(6)]
    for k in keys:
        cache.put(k, "docker", "img-" + k[-1], 100)
        clock.now += 1
    cache.touch(keys[0])
    clock.now += 1
    cache.lookup(keys[1])  # a hit counts as a use too: now the most recently used
    removed = cache.prune(max_size=250)
    assert [e.key for e in removed] == [keys[2], keys[3], keys[4], keys[5]]
    assert [e.key for e in cache.entries()] == [keys[1], keys[0]]
    assert cache.total_size() == 200
    assert cache.prune(max_size=200) == []
    assert [e.key for e in cache.prune(max_size=0)] == [keys[0], keys[1]]


def test_prune_age_then_size_and_remove_callback(cache: LayerCache, clock: Clock) -> None:
    cache.put(K1, "docker", "old", 10)
    clock.now += 1000
    cache.put(K2, "docker", "mid", 50)
    clock.now += 1
    cache.put(K3, "docker", "new", 50)
    deleted: list[str] = []

    def remove(e: CachedLayer) -> None:
        assert cache.get(e.key) is None, "the entry leaves the index before its layer goes"
        deleted.append(e.layer)

    removed = cache.prune(older_than=500, max_size=60, remove=remove)
    assert [e.key for e in removed] == [K1, K2] and deleted == ["old", "mid"]


def test_prune_puts_back_an_entry_whose_removal_failed(cache: LayerCache, clock: Clock) -> None:
    cache.put(K1, "docker", "busy-image", 10)
    before = cache.entries()

    def remove(e: CachedLayer) -> None:
        raise RuntimeError("image is in use by a container")

    with pytest.raises(RuntimeError, match="in use"):
        cache.prune(max_size=0, remove=remove)
    assert cache.entries() == before


def test_prune_deletes_blob_layers_with_their_last_entry(cache: LayerCache, clock: Clock) -> None:
    shared = cache.put_blob(b"shared layer")
    own = cache.put_blob(b"own layer")
    cache.put(K1, "rootfs", shared, 12)
    cache.put(K2, "rootfs", own, 9)
    clock.now += 10
    cache.put(K3, "rootfs", shared, 12)
    assert [e.key for e in cache.prune(older_than=5)] == [K1, K2]
    assert cache.blob_path(own) is None, "no entry names it any more"
    assert cache.blob_path(shared) is not None, "K3 still names it"
    cache.prune(max_size=0)
    assert cache.blob_path(shared) is None


def test_prune_rejects_negative_limits(cache: LayerCache) -> None:
    with pytest.raises(ValueError):
        cache.prune(older_than=-1)
    with pytest.raises(ValueError):
        cache.prune(max_size=-1)


# -- errors --------------------------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    (root / "index.sqlite").write_bytes(b"this is not a database\n" * 200)
    c = LayerCache(root)
    for op in (c.entries, lambda: c.lookup(K1), lambda: c.put(K1, "docker", "x", 1), lambda: c.prune(max_size=0)):
        with pytest.raises(CacheError, match=r"index\.sqlite is corrupt .*delete"):
            op()


def test_a_damaged_index_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "c"
    with LayerCache(root) as c:
        for i in range(300):
            c.put(f"sha256:{i:064x}", "docker", "x" * 100, i)
    with (root / "index.sqlite").open("r+b") as f:
        f.seek(4096)  # page 2: the `layers` table's root
        f.write(b"\xff" * 4096)
    with pytest.raises(CacheError, match=r"corrupt \(database disk image is malformed\)"):
        LayerCache(root).entries()


def test_a_foreign_or_newer_index_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "foreign"
    root.mkdir()
    con = sqlite3.connect(root / "index.sqlite")
    con.execute("CREATE TABLE layers (key TEXT PRIMARY KEY)")
    con.commit()
    con.close()
    with pytest.raises(CacheError, match="without the columns builder, created, last_used, layer, size"):
        LayerCache(root).put(K1, "docker", "x", 1)
    con = sqlite3.connect(root / "index.sqlite")
    assert con.execute("PRAGMA user_version").fetchone() == (0,), "left as found"
    con.close()

    newer = tmp_path / "newer"
    with LayerCache(newer) as c:
        c.put(K1, "docker", "x", 1)
    con = sqlite3.connect(newer / "index.sqlite")
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(CacheError, match="newer bake"):
        LayerCache(newer).entries()


def test_an_unwritable_root_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(CacheError, match="cannot create"):
        LayerCache(tmp_path / "file" / "cache").put(K1, "docker", "x", 1)


# -- concurrency ---------------------------------------------------------------------------

_HAMMER = """
import json, random, sys, time
from pathlib import Path
from bake.runtime.cache import LayerCache
root, wid, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
c = LayerCache(root)
rng = random.Random(wid)
own, ops, n = {}, 0, 0
shared = [f"shared-{i}" for i in range(8)]
end = time.monotonic() + seconds
while time.monotonic() < end:
    n += 1
    r = rng.random()
    if r < 0.25:
        c.put(rng.choice(shared), "w" + wid, f"w{wid}-{n}", n)
    elif r < 0.45:
        k = f"own-{wid}-{rng.randrange(16)}"
        c.put(k, "w" + wid, f"w{wid}-{n}", n)
        own[k] = [f"w{wid}-{n}", n]
    elif r < 0.55:
        k = f"own-{wid}-{rng.randrange(16)}"
        c.remove(k)
        own.pop(k, None)
    elif r < 0.65:
        c.touch(rng.choice(shared))
    elif r < 0.7:
        c.put_blob(b"blob %d" % rng.randrange(4))
    else:
        k = rng.choice(shared + list(own))
        e = c.lookup(k, lambda layer: True)
        if k in own:
            assert e is not None and [e.layer, e.size] == own[k], (k, e, own[k])
        elif e is not None:
            assert e.layer == f"{e.builder}-{e.size}", e
    ops += 1
print(json.dumps({"ops": ops, "own": own}))
"""


def test_two_processes_hammering_one_cache_keep_it_consistent(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _HAMMER, str(root), wid, "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for wid in ("1", "2")
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
        results.append(json.loads(out))
    assert all(r["ops"] > 50 for r in results), results

    con = sqlite3.connect(root / "index.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    with LayerCache(root) as c:
        entries = {e.key: e for e in c.entries()}
        for wid, r in zip(("1", "2"), results, strict=True):
            own = {k: (e.layer, e.size) for k, e in entries.items() if k.startswith(f"own-{wid}-")}
            assert own == {k: tuple(v) for k, v in r["own"].items()}
        for k, e in entries.items():
            if k.startswith("shared-"):
                assert e.builder in ("w1", "w2") and e.layer == f"{e.builder}-{e.size}", e
                assert e.created <= e.last_used
        blobs = sorted(p.name for p in c.blob_dir.iterdir())
        assert blobs == sorted(hashlib.sha256(b"blob %d" % i).hexdigest() for i in range(4))


def test_threads_share_one_cache_object(tmp_path: Path) -> None:
    c = LayerCache(tmp_path / "c")

    def work(t: int) -> None:
        for i in range(50):
            c.put(f"k-{t}-{i}", "docker", f"l-{t}-{i}", i)
            assert c.lookup(f"k-{t}-{i}") is not None

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(c.entries()) == 200
    c.close()


def test_a_forked_child_gets_its_own_connection(tmp_path: Path) -> None:
    c = LayerCache(tmp_path / "c")
    c.put(K1, "docker", "parent", 1)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit status
        ok = False
        try:
            ok = c.lookup(K1) is not None and c.put(K2, "docker", "child", 2).layer == "child"
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert c.get(K2) is not None and c.get(K1) is not None
    c.close()


# -- property ------------------------------------------------------------------------------

_keys = st.sampled_from([f"sha256:{i:064x}" for i in range(5)])
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("put"), _keys, st.sampled_from(["docker", "rootfs"]), st.text(max_size=8),
                  st.integers(0, 2**40)),
        st.tuples(st.just("remove"), _keys),
        st.tuples(st.just("touch"), _keys),
    ),
    max_size=25,
)  # fmt: skip


@given(_ops)
def test_entries_follow_a_model_dict(ops: list[tuple[object, ...]]) -> None:
    clock = Clock()
    model: dict[str, CachedLayer] = {}
    with tempfile.TemporaryDirectory() as d, LayerCache(Path(d), clock=clock) as c:
        for op in ops:
            clock.now += 1
            now = int(clock.now)
            key = str(op[1])
            if op[0] == "put":
                builder, layer, size = str(op[2]), str(op[3]), int(op[4])  # type: ignore[call-overload]
                c.put(key, builder, layer, size)
                model[key] = CachedLayer(key, builder, layer, size, now, now)
            elif op[0] == "remove":
                assert c.remove(key) == model.pop(key, None)
            else:
                assert c.touch(key) == (key in model)
                if key in model:
                    e = model[key]
                    model[key] = CachedLayer(e.key, e.builder, e.layer, e.size, e.created, now)
        got = c.entries()
        assert {e.key: e for e in got} == model
        assert got == sorted(model.values(), key=lambda e: (-e.last_used, e.key))
        assert c.total_size() == sum(e.size for e in model.values())


# -- bake cache ls / prune -----------------------------------------------------------------


def test_parse_duration_and_size() -> None:
    assert parse_duration("7d") == 7 * 86400
    assert parse_duration("12h") == 12 * 3600
    assert parse_duration("30m") == 1800
    assert parse_duration("1h30m") == 5400
    assert parse_duration("90s") == 90 and parse_duration("2w") == 14 * 86400 and parse_duration("0") == 0
    for bad in ("", "7", "d", "7x", "-1d", "7d junk"):
        with pytest.raises(ValueError, match="duration"):
            parse_duration(bad)
    assert parse_size("10G") == 10 << 30
    assert parse_size("500M") == 500 << 20
    assert parse_size("64k") == 64 << 10
    assert parse_size("1.5GiB") == 3 << 29
    assert parse_size("2GB") == 2 << 30 and parse_size("1024") == 1024 and parse_size("0") == 0
    for bad in ("", "G", "10X", "-5M", "ten"):
        with pytest.raises(ValueError, match="size"):
            parse_size(bad)
    assert [format_size(n) for n in (0, 512, 1536, 500 << 20, 10 << 30)] == ["0B", "512B", "1.5K", "500M", "10G"]


def test_cache_ls(cache: LayerCache, clock: Clock) -> None:
    assert cache_ls("text", cache).startswith("no cached layers in ")
    assert cache_ls("json", cache) == ""
    cache.put(K1, "docker", "sha256:img", 3 << 30)
    clock.now += 7200
    cache.put(K2, "rootfs", "sha256:blob", 2048)
    text = cache_ls("text", cache)
    assert text.splitlines() == [
        "KEY                  BUILDER  SIZE  LAST USED",
        "sha256:222222222222  rootfs   2.0K  just now",
        "sha256:111111111111  docker   3.0G  2h ago",
        f"2 layers, 3.0G in {cache.root}",
    ]
    lines = [json.loads(line) for line in cache_ls("json", cache).splitlines()]
    assert [r["key"] for r in lines] == [K2, K1]
    assert lines[1] == {"key": K1, "builder": "docker", "layer": "sha256:img", "size": 3 << 30,
                        "created": int(clock.now) - 7200, "last_used": int(clock.now) - 7200}  # fmt: skip
    with pytest.raises(ValueError, match="format"):
        cache_ls("yaml", cache)


def test_cache_prune(cache: LayerCache, clock: Clock) -> None:
    cache.put(K1, "docker", "a", 600 << 20)
    clock.now += 3 * 86400
    cache.put(K2, "docker", "b", 600 << 20)
    clock.now += 60
    cache.put(K3, "docker", "c", 100 << 20)
    out = cache_prune("2d", None, cache)
    assert out.splitlines() == [
        "removed sha256:111111111111  docker  600M",
        "removed 1 layer (600M); 700M remain in " + str(cache.root),
    ]
    out = cache_prune(None, "500M", cache)
    assert out.splitlines()[0] == "removed sha256:222222222222  docker  600M"
    assert [e.key for e in cache.entries()] == [K3]
    with pytest.raises(ValueError, match="--older-than"):
        cache_prune(None, None, cache)
    with pytest.raises(ValueError, match="duration"):
        cache_prune("soon", None, cache)


def test_cache_commands_use_bake_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAKE_CACHE_DIR", str(tmp_path / "env"))
    LayerCache().put(K1, "null", "", 0)
    LayerCache().put(K2, "docker", "img", 10)
    assert "sha256:111111111111  null" in cache_ls("text")
    assert "removed 1 layer (10B); 0B remain" in cache_prune(None, "0"), "entries of size 0 fit any size limit"


def test_ls_shows_the_suffix_of_an_artifact_record(tmp_path: Path) -> None:
    cache = LayerCache(tmp_path / "c")
    key = "sha256:" + "ab" * 32
    cache.put(key, "rootfs", "sha256:" + "cd" * 32, 10)
    cache.put(key + "/artifact", "artifact", '{"id": "out.tar"}', 0)
    rows = sorted(line.split()[:2] for line in cache_ls("text", cache).splitlines()[1:3])
    assert rows == [[f"sha256:{'ab' * 6}", "rootfs"], [f"sha256:{'ab' * 6}/artifact", "artifact"]]
