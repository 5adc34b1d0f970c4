"""Property tests of layers: hostile tars stay in the root, and trees and layer chains round-trip exactly."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import os
import shutil
import stat
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bake.runtime.layers import Entry, LayerError, diff, extract_layer, scan, write_layer, write_tree

Hostile = tuple[str, str, str, int, dict[str, str] | None]  # kind, name, link target, mode, PAX records
Spec = tuple[str, str, str, bytes, int, int, int, int]  # kind, name, target, data, mode, mtime (ns), uid, gid
Op = tuple[str, str, str, int, int, bytes]  # kind, name, other name, mode, owner, data

EPOCH = 1_700_000_000
OLD = 1_000_000_000  # below the epoch: kept as it is


def tree_tar(root: Path) -> bytes:
    out = io.BytesIO()
    write_tree(root, EPOCH, out)
    return out.getvalue()


def extract(data: bytes, root: Path) -> None:
    extract_layer(io.BytesIO(data), root)


# --- 1. containment: whatever a hostile tar says, nothing outside the root changes ------------------

# Most members have plain names, so that they get applied and later members go through what earlier
# ones made (a symlink, a file where a folder was...); some have any of the hostile parts too ("y" * 300
# is longer than a file name may be; "n\0l" is cut at the NUL in a ustar header, kept in a PAX one).
PLAIN_PARTS = ["a", "a", "a", "b", "b", "dir", "canary", "ü", "x" * 110, ".wh.a", ".wh..wh..opq"]
HOSTILE_PARTS = [*PLAIN_PARTS, ".", "", "..", "..", "日本", "n\0l", "y" * 300, ".wh.", ".wh.."]


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each as often as its weight (st.one_of drops repeated ones)."""
    return st.sampled_from([s for n, s in choices for _ in range(n)]).flatmap(lambda s: s)


def names(prefixes: list[str], parts: list[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda prefix, parts, suffix: prefix + "/".join(parts) + suffix,
        st.sampled_from(prefixes),
        st.lists(st.sampled_from(parts), min_size=1, max_size=4),
        st.sampled_from(["", "", "/"]),
    )


PLAIN_NAMES = names(["", "", "./"], PLAIN_PARTS)
# names that go up out of the root (with the four folders above it, none goes further than tmp)
ESCAPING_NAMES = st.builds(
    str.__add__,
    st.sampled_from(["../", "../../", "a/../../", "./../", "../../../../outside/", "../../../"]),
    PLAIN_NAMES,
)
HOSTILE_NAMES = weighted((5, PLAIN_NAMES), (2, ESCAPING_NAMES), (2, names(["", "", "./", "/", "//"], HOSTILE_PARTS)))
# A symlink's absolute target is moved into the test's folder (a fake "/" with etc/passwd): one to the
# real / or /etc that a regression wrote through would wreck the machine running the tests as root.
# "@" stands for the test's folder itself (tmp): "@outside" is the sentinel.
ESCAPES = st.sampled_from(
    ["/", "/etc", "/etc/passwd", "../../..", "../../../../outside", "../../../../outside/canary",
     "../../../../outside/dir", "@outside", "@outside/canary", "@outside/dir"]
)  # fmt: skip
HOSTILE_TARGETS = PLAIN_NAMES | HOSTILE_NAMES | ESCAPES
KINDS = {
    "file": tarfile.REGTYPE,
    "old-file": tarfile.AREGTYPE,
    "contiguous": tarfile.CONTTYPE,
    "dir": tarfile.DIRTYPE,
    "symlink": tarfile.SYMTYPE,
    "hardlink": tarfile.LNKTYPE,
    "fifo": tarfile.FIFOTYPE,
    "char": tarfile.CHRTYPE,
    "block": tarfile.BLKTYPE,
    "unknown": b"Z",
}
PAX = st.fixed_dictionaries(
    {},
    optional={
        "path": HOSTILE_NAMES,
        "linkpath": HOSTILE_TARGETS,
        "uid": st.sampled_from(["0", "4000000", "-5", str(2**40), "abc"]),
        "gid": st.sampled_from(["0", "4000000", "-5", str(2**40)]),
        "mtime": st.sampled_from(["-1", "1.5", "1e10", "-1e20", "1e300", "inf", "nan"]),
    },
)
MODES_OF_MEMBERS = st.sampled_from([0o644, 0o755, 0o000, 0o4755, 0o1777, 0o7777])
SOMETIMES_PAX = weighted((3, st.none()), (1, PAX))
# symlinks mostly out of the root; hard links mostly to what may be in it; other members have no target
HOSTILE_MEMBER = st.one_of(
    st.tuples(st.sampled_from(sorted(KINDS)), HOSTILE_NAMES, st.just(""), MODES_OF_MEMBERS, SOMETIMES_PAX),
    st.tuples(st.sampled_from(["file", "dir"]), PLAIN_NAMES, st.just(""), MODES_OF_MEMBERS, SOMETIMES_PAX),
    st.tuples(st.just("symlink"), HOSTILE_NAMES, ESCAPES | HOSTILE_TARGETS, MODES_OF_MEMBERS, SOMETIMES_PAX),
    st.tuples(st.just("hardlink"), HOSTILE_NAMES, PLAIN_NAMES | HOSTILE_TARGETS, MODES_OF_MEMBERS, SOMETIMES_PAX),
)


def through_a_symlink(link: str, how: str, escape: tuple[str, str], member: Hostile) -> list[Hostile]:
    """A symlink out of the root, then a member through it or in its place, or a hard link to or through it."""
    target, behind = escape
    kind, name, _, mode, pax = member
    second: Hostile = {
        "through": (kind, f"{link}/{behind}", "", mode, pax),
        "over": (kind, link, "", mode, pax),
        "link through": ("hardlink", name, f"{link}/{behind}", mode, pax),
        "link to": ("hardlink", name, link, mode, pax),
    }[how]
    return [("symlink", link, target, 0o777, None), second]


# Where an escaping symlink points, and a name that is there (what a member through it would hit).
ESCAPE_PAIRS = [("@outside", "canary"), ("@outside", "dir/inner"), ("@outside/dir", "inner"), ("/etc", "passwd"),
                ("../../../../outside", "canary"), ("/", "etc/passwd"), ("@outside", ".wh..wh..opq"),
                ("@outside", ".wh.canary"), ("@outside/dir", ".wh.inner"), ("@outside/canary", ""),
                ("../../../../outside/canary", ""), ("@outside/dir/inner", ""), ("/etc/passwd", "")]  # fmt: skip
THROUGH_A_SYMLINK = st.builds(
    through_a_symlink,
    st.sampled_from(["a", "b", "./a/", "dir/a"]),
    st.sampled_from(["through", "over", "link through", "link to"]),
    weighted((3, st.sampled_from(ESCAPE_PAIRS)), (1, st.tuples(HOSTILE_TARGETS, PLAIN_NAMES))),
    HOSTILE_MEMBER,
)
HOSTILE_MEMBERS = st.lists(weighted((2, HOSTILE_MEMBER.map(lambda m: [m])), (1, THROUGH_A_SYMLINK)), max_size=4).map(
    lambda groups: [m for g in groups for m in g]
)
# Layers applied one after the other (a refused one stops at its bad member, the next goes on):
# what one layer made, a later one may try to go through.
HOSTILE_LAYERS = st.lists(HOSTILE_MEMBERS, min_size=1, max_size=4)
COMPRESS = {"none": bytes, "gzip": lambda b: gzip.compress(b, mtime=0), "bz2": bz2.compress, "xz": lzma.compress}
# None, or damage to the (compressed) archive: cut it at a position, or overwrite one byte there
DAMAGE = weighted((5, st.none()), (1, st.tuples(st.booleans(), st.integers(0, 1 << 16), st.integers(0, 255))))


class Sandbox:
    """tmp/l1/l2/l3/root (four '..' from it is still tmp) next to tmp/outside and a fake / (tmp/fake)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.root = tmp / "l1/l2/l3/root"
        self.root.mkdir(parents=True)
        self.outside = tmp / "outside"
        (self.outside / "dir").mkdir(parents=True)
        (self.outside / "dir/inner").write_bytes(b"inner")
        self.canary = self.outside / "canary"
        self.canary.write_bytes(b"precious")
        os.utime(self.canary, ns=(OLD * 10**9, OLD * 10**9 + 1))
        (tmp / "fake/etc").mkdir(parents=True)
        (tmp / "fake/etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
        self.before = self.snapshot()

    def resolve(self, target: str, *, hard: bool) -> str:
        """A link target as the tar holds it: "@" is tmp; a symlink's absolute target is under tmp/fake."""
        if target.startswith("@"):
            return str(self.tmp) + "/" + target[1:]
        return str(self.tmp / "fake") + target if target.startswith("/") and not hard else target

    def snapshot(self) -> dict[str, tuple[Any, ...]]:
        """Everything under tmp but the root's contents: type, mode, owner, size, links, times, content."""
        found: dict[str, tuple[Any, ...]] = {}
        for folder, dirs, files in os.walk(self.tmp):
            if Path(folder) == self.root:
                dirs.clear()  # the root itself may change, as may anything in it
                continue
            for name in (*dirs, *files):
                path = os.path.join(folder, name)
                if Path(path) == self.root:
                    continue
                s = os.lstat(path)
                content: Any = ""
                if stat.S_ISREG(s.st_mode):
                    content = hashlib.sha256(Path(path).read_bytes()).hexdigest()
                elif stat.S_ISLNK(s.st_mode):
                    content = os.readlink(path)
                found[os.path.relpath(path, self.tmp)] = (
                    s.st_mode, s.st_uid, s.st_gid, None if stat.S_ISDIR(s.st_mode) else s.st_size,
                    s.st_nlink, s.st_ino, s.st_mtime_ns, s.st_ctime_ns, content,
                )  # fmt: skip
        return found

    def check(self) -> None:
        assert self.snapshot() == self.before
        assert self.canary.read_bytes() == b"precious"
        assert os.lstat(self.canary).st_mtime_ns == OLD * 10**9 + 1
        outside_inodes = {v[5] for v in self.before.values()}
        real_root = os.path.realpath(self.root)
        for folder, dirs, files in os.walk(self.root):  # never follows symlinks
            for name in (*dirs, *files):
                path = os.path.join(folder, name)
                s = os.lstat(path)
                if stat.S_ISLNK(s.st_mode):
                    continue  # may point anywhere: it is read in the chroot
                assert os.path.realpath(path).startswith(real_root + "/"), path
                assert s.st_ino not in outside_inodes, f"{path} is a hard link to something outside"


def hostile_tar(box: Sandbox, items: list[Hostile]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for kind, name, target, mode, pax in items:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = KINDS[kind], mode, EPOCH
            hard = kind == "hardlink"
            info.linkname = box.resolve(target, hard=hard)
            if pax:
                info.pax_headers = {k: box.resolve(v, hard=hard) if k == "linkpath" else v for k, v in pax.items()}
            data = None
            if kind in ("file", "old-file", "contiguous", "unknown"):
                data = name.encode("utf-8", "surrogateescape")[:600] or b"-"
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


TOO_LONG = "y" * 300  # a name part longer than NAME_MAX: ENAMETOOLONG


@settings(max_examples=200, deadline=None)
@given(HOSTILE_LAYERS, st.sampled_from(sorted(COMPRESS)), DAMAGE)
# Found by this test: each escaped extract_layer as an OverflowError, OSError, ValueError or TypeError.
@example([[("file", "a", "", 0o644, {"gid": "-5"})]], "none", None)  # fchown: out of range
@example([[("file", "a", "", 0o644, {"mtime": "-1e20"})]], "none", None)  # utime: out of range
@example([[("dir", "d", "", 0o755, {"mtime": "nan"})]], "none", None)  # a folder's metadata, set last
@example([[("file", f"{TOO_LONG}/.wh.a", "", 0o644, None)]], "none", None)  # a whiteout's parent
@example([[("hardlink", "h", f"{TOO_LONG}/x", 0o644, None)]], "none", None)  # a hard link's target
@example([[]], "gzip", (True, 3, 0))  # a gzip header cut short
def test_hostile_tars_never_touch_anything_outside_the_root(
    layers: list[list[Hostile]], compression: str, damage: tuple[bool, int, int] | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        box = Sandbox(Path(tmp))
        for i, items in enumerate(layers):
            data = COMPRESS[compression](hostile_tar(box, items))
            if damage is not None and i == len(layers) - 1:
                cut, pos, byte = damage
                pos %= len(data)
                data = data[:pos] if cut else data[:pos] + bytes([byte]) + data[pos + 1 :]
            try:
                extract(data, box.root)
            except LayerError as e:
                assert str(e), "a LayerError must say what is wrong"
            box.check()


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["a", "b/c", "./a/"]),
    st.sampled_from(["through", "over", "link through", "link to"]),
    st.sampled_from(ESCAPE_PAIRS),
    st.tuples(st.sampled_from(sorted(KINDS)), st.sampled_from(["d", "a", "b/e"]), st.just(""), MODES_OF_MEMBERS),
    st.booleans(),
)
def test_a_symlink_out_of_the_root_is_never_gone_through(
    link: str, how: str, escape: tuple[str, str], member: tuple[str, str, str, int], apart: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        box = Sandbox(Path(tmp))
        items = through_a_symlink(link, how, escape, (*member, None))
        for layer in [items[:1], items[1:]] if apart else [items]:  # in one layer, or the symlink in an earlier one
            try:
                extract(hostile_tar(box, layer), box.root)
            except LayerError as e:
                assert str(e), "a LayerError must say what is wrong"
        box.check()
        clean = ["/".join(p for p in m[1].split("/") if p not in ("", ".")) for m in items]
        if clean[0] != clean[1]:  # not replaced: still there, a symlink
            assert os.path.islink(box.root / clean[0])


# --- 2. a random tree: write_tree, extract, write_tree again gives the same bytes ------------------

PARTS = ["a", "b", "c", "-", ".hidden", "ü", "日本", "\udcff", "L" * 120]  # "\udcff" is the byte 0xff
PATHS = st.lists(st.sampled_from(PARTS), min_size=1, max_size=3).map("/".join)
TARGETS = PATHS | st.sampled_from(["..", "../../..", "/", "/etc/passwd", "./a/", "a//b", "T" * 200, "ü/\udcfe"])
MODES = [0o644, 0o600, 0o755, 0o000, 0o444, 0o4755, 0o2755, 0o1777, 0o6711, 0o7777]
MTIMES_NS = [-2 * 10**18, -1_500_000_000, 0, 1, 999_999_999, OLD * 10**9, OLD * 10**9 + 123_456_789,
             (EPOCH - 1) * 10**9, EPOCH * 10**9, EPOCH * 10**9 + 1, (EPOCH + 1) * 10**9, 2**33 * 10**9]  # fmt: skip
IDS = [0, 1, 1000, 65534, 4_000_000]  # 4000000 does not fit a tar header: a PAX record holds it
ENTRIES = st.lists(
    st.tuples(
        st.sampled_from(["file", "dir", "symlink", "hardlink", "fifo"]),
        PATHS,
        TARGETS,
        st.binary(max_size=1200),
        st.sampled_from(MODES),
        st.sampled_from(MTIMES_NS),
        st.sampled_from(IDS),
        st.sampled_from(IDS),
    ),
    max_size=14,
)


def real_parent(root: Path, name: str) -> bool:
    """True if every parent of name is a real directory (never a symlink), making missing ones."""
    path = root
    for part in name.split("/")[:-1]:
        path = path / part
        if not os.path.lexists(path):
            path.mkdir()
        elif not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
    return True


def build_tree(root: Path, entries: list[Spec]) -> None:
    """Make what entries describe (skipping what cannot be made there), then set owners, modes and mtimes."""
    made = []
    for kind, name, target, data, mode, mtime, uid, gid in entries:
        path = root / name
        if not real_parent(root, name) or os.path.lexists(path):
            continue
        if kind == "file":
            path.write_bytes(data)
        elif kind == "dir":
            path.mkdir()
        elif kind == "symlink":
            os.symlink(target, path)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            source = root / target
            if target.startswith("/") or ".." in target.split("/"):
                continue  # a hard link to something outside the tree
            if not real_parent(root, target) or not os.path.lexists(source):
                continue
            if not stat.S_ISREG(os.lstat(source).st_mode):
                continue
            os.link(source, path)
        made.append((path, mode, mtime, uid, gid))
    for path, mode, mtime, uid, gid in made:  # children are all made: mtimes set now stay
        os.lchown(path, uid, gid)
        if not path.is_symlink():
            os.chmod(path, mode)  # after chown, which clears setuid bits
        os.utime(path, ns=(mtime, mtime), follow_symlinks=False)


def clamp_ns(mtime_ns: int) -> int:
    return max(0, min(mtime_ns // 10**9, EPOCH)) * 10**9


def recorded(e: Entry) -> tuple[Any, ...]:
    """What a layer keeps of an entry (a directory's size depends on the filesystem's history)."""
    size = None if e.is_dir else e.size
    return stat.S_IFMT(e.mode), stat.S_IMODE(e.mode), e.uid, e.gid, size, e.link, e.nlink, clamp_ns(e.mtime_ns)


def same_trees(src: Path, dst: Path, *, exact_mtimes: bool) -> None:
    a, b = scan(src), scan(dst)
    assert sorted(a) == sorted(b)
    for name, e in a.items():
        assert recorded(e) == recorded(b[name]), name
        if exact_mtimes:  # a replayed folder not in the last layer that wrote into it has a new mtime
            assert b[name].mtime_ns == clamp_ns(e.mtime_ns), name
        if stat.S_ISREG(e.mode):
            assert (src / name).read_bytes() == (dst / name).read_bytes(), name
    first = {}  # hard links: the same groups of names share an inode on both sides
    for name in sorted(a):
        if not a[name].is_dir:
            first.setdefault(("src", a[name].ino), name)
            first.setdefault(("dst", b[name].ino), name)
            assert first["src", a[name].ino] == first["dst", b[name].ino], name


@settings(max_examples=150, deadline=None)
@given(ENTRIES)
def test_a_random_tree_round_trips_to_the_same_bytes(entries: list[Spec]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "src", Path(tmp) / "dst"
        src.mkdir()
        build_tree(src, entries)
        data = tree_tar(src)
        extract(data, dst)
        assert tree_tar(dst) == data
        same_trees(src, dst, exact_mtimes=True)


# --- 3. a chain of layers (diff with the epoch, as the rootfs builder does) replays the live tree ----

OP_KINDS = ["write", "mkdir", "remove", "chmod", "chown", "age", "temp", "retype", "hardlink", "rename", "symlink"]
OPS = st.tuples(
    st.sampled_from(OP_KINDS),
    PATHS,
    PATHS,
    st.sampled_from(MODES),
    st.sampled_from(IDS),
    st.binary(max_size=600),
)


def mutate(root: Path, op: Op) -> None:
    """One change to the live tree, skipped where it makes no sense (a parent that is a file or a symlink...)."""
    kind, name, other, mode, owner, data = op
    path, dest = root / name, root / other
    if not real_parent(root, name):
        return
    exists = os.path.lexists(path)
    st_ = os.lstat(path) if exists else None
    is_dir = st_ is not None and stat.S_ISDIR(st_.st_mode)
    is_link = st_ is not None and stat.S_ISLNK(st_.st_mode)
    if kind == "write" and not is_dir:
        if exists:
            path.unlink()
        path.write_bytes(data)
    elif kind == "mkdir" and not exists:
        path.mkdir()
    elif kind == "remove" and exists:
        shutil.rmtree(path) if is_dir else path.unlink()
    elif kind == "chmod" and exists and not is_link:
        os.chmod(path, mode)
    elif kind == "chown" and exists:
        os.lchown(path, owner, owner)
    elif kind == "age" and exists:
        os.utime(path, ns=(OLD * 10**9, OLD * 10**9), follow_symlinks=False)
    elif kind == "temp" and is_dir:  # a step's temporary file: made and removed, the folder's mtime moves
        (path / "tmp-script").write_bytes(data)
        (path / "tmp-script").unlink()
    elif kind == "retype" and exists:  # the same name, another type
        shutil.rmtree(path) if is_dir else path.unlink()
        if is_dir:
            path.write_bytes(data)
        elif is_link:
            path.mkdir()
            (path / "inside").write_bytes(data)
        else:
            os.symlink(other, path)
    elif kind == "hardlink" and not exists and real_parent(root, other) and os.path.lexists(dest):
        if stat.S_ISREG(os.lstat(dest).st_mode):
            os.link(dest, path)
    elif kind == "rename" and exists and real_parent(root, other) and not os.path.lexists(dest):
        if not other.startswith(name + "/"):
            os.rename(path, dest)
    elif kind == "symlink" and not exists:
        os.symlink(other, path)


@settings(max_examples=100, deadline=None)
@given(ENTRIES, st.lists(st.lists(OPS, min_size=1, max_size=6), min_size=2, max_size=4))
def test_a_chain_of_layers_replays_the_live_tree(entries: list[Spec], rounds: list[list[Op]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        live, replay = Path(tmp) / "live", Path(tmp) / "replay"
        live.mkdir()
        build_tree(live, entries)
        layers = [tree_tar(live)]
        state = scan(live)
        for ops in rounds:
            for op in ops:
                mutate(live, op)
            now = scan(live)
            out = io.BytesIO()
            write_layer(live, diff(state, now, EPOCH), EPOCH, out)
            layers.append(out.getvalue())
            state = now
        for data in layers:  # a fresh folder from the base and every layer, as a cache hit replays them
            extract(data, replay)
        assert tree_tar(replay) == tree_tar(live)
        same_trees(live, replay, exact_mtimes=False)
