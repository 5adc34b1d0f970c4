"""Filesystem snapshots as normalised, deterministic tar layers; safe extraction; OCI image layouts."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import stat
import struct
import sys
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO, NamedTuple

__all__ = [
    "Changes",
    "Entry",
    "LayerError",
    "diff",
    "extract_layer",
    "gzip_deterministic",
    "scan",
    "write_layer",
    "write_oci_layout",
    "write_tree",
]

WHITEOUT = ".wh."  # `.wh.<name>` in a layer removes <name> from the layers below
OPAQUE = ".wh..wh..opq"  # in a directory of a layer: hide everything the layers below put there
GZIP_LEVEL = 6
_GZIP_HEADER = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x00\xff"  # deflate, no name, mtime 0, OS unknown
_CHUNK = 1 << 20
_CLOCK_REALTIME_COARSE = 5  # Linux's clock id; the clock the kernel stamps ctimes from
_SETTLE_LIMIT = 0.05  # seconds scan() waits at most for that clock to pass the newest ctime

MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
REF_NAME = "org.opencontainers.image.ref.name"
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


class LayerError(Exception):
    """Unsafe or malformed layer or base content; the message names the member."""


class Entry(NamedTuple):
    """What scan() records for one path, from lstat: any difference means the path changed."""

    mode: int  # st_mode: type and permission bits
    uid: int
    gid: int
    size: int
    mtime_ns: int
    ctime_ns: int  # catches metadata-only changes and rewrites that restore mtime
    ino: int
    nlink: int
    rdev: int
    link: str  # a symlink's target, "" for anything else

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)


class Changes(NamedTuple):
    """What a step did to a tree: paths added or modified, and top-most paths removed (both sorted)."""

    changed: list[str]
    deleted: list[str]


# --- scanning and diffing -------------------------------------------------------------------------


def _key(name: str) -> bytes:
    """Sort key: byte order of the name as stored (a directory sorts before its children)."""
    return name.encode("utf-8", "surrogateescape")


def _scan(root: Path) -> tuple[dict[str, Entry], int]:
    """Every path below root with its entry, and the newest ctime seen."""
    top = os.lstat(root)
    if not stat.S_ISDIR(top.st_mode):
        raise LayerError(f"not a directory: {root}")
    found: dict[str, Entry] = {}
    newest = top.st_ctime_ns
    stack = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            for de in it:
                st = de.stat(follow_symlinks=False)
                mode = st.st_mode
                if stat.S_ISSOCK(mode):
                    continue  # a socket cannot be stored in a tar; it does not exist for layers
                name = prefix + de.name
                link = os.readlink(de.path) if stat.S_ISLNK(mode) else ""
                found[name] = Entry(mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                    st.st_ino, st.st_nlink, st.st_rdev, link)  # fmt: skip
                newest = max(newest, st.st_ctime_ns)
                if stat.S_ISDIR(mode):
                    if st.st_dev != top.st_dev:
                        raise LayerError(f"mount point inside the tree: {name} (unmount it before scanning)")
                    stack.append((de.path, name + "/"))
    return found, newest


def _coarse_now_ns() -> int:
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            return time.clock_gettime_ns(_CLOCK_REALTIME_COARSE)
    return time.time_ns() - 20_000_000  # no coarse clock: assume timestamps may lag by 20 ms


def _settle(newest_ns: int) -> None:
    """Return once the kernel's timestamp clock is past newest_ns: any later change then gets a new ctime."""
    deadline = time.monotonic() + _SETTLE_LIMIT  # a ctime in the future (clock set back) must not hang us
    while _coarse_now_ns() <= newest_ns and time.monotonic() < deadline:
        time.sleep(0.0005)


def scan(root: Path) -> dict[str, Entry]:
    """Every path below root (relative POSIX names, root itself excluded), never following symlinks.

    Sockets are left out (a tar cannot hold them). A directory on another filesystem (a mount point
    such as a chroot's /proc) raises LayerError: unmount before scanning. Before returning, scan waits
    (a few ms at most, and only if something changed in the last clock tick) until any later change to
    the tree is bound to get a ctime different from the ones recorded, so diff() cannot miss it.
    """
    found, newest = _scan(root)
    _settle(newest)
    return found


def _parent(name: str) -> str:
    return name.rpartition("/")[0]


def _ancestors(name: str) -> Iterable[str]:
    """'a/b/c' -> 'a', 'a/b'."""
    i = name.find("/")
    while i != -1:
        yield name[:i]
        i = name.find("/", i + 1)


def diff(old: Mapping[str, Entry], new: Mapping[str, Entry], epoch: int | None = None) -> Changes:
    """What changed from old to new: a path is changed if its entry differs in anything.

    With `epoch`, a directory that stayed a directory counts as changed only if what a layer records
    of it changed (mode, owner, mtime clamped to epoch): a step that made and removed a temporary
    file leaves its folder's recorded entry as it was, and so adds nothing.

    deleted holds only the top-most removed paths: not the children of a removed directory, nor what
    was under a directory that is now something else (writing the new entry replaces that tree).
    """

    def differs(p: str, e: Entry) -> bool:
        before = old.get(p)
        if before == e:
            return False
        if epoch is not None and before is not None and e.is_dir and before.is_dir:
            return _recorded(before, epoch) != _recorded(e, epoch)
        return True

    changed = sorted((p for p, e in new.items() if differs(p, e)), key=_key)
    deleted = []
    for p in old:
        if p in new:
            continue
        parent = _parent(p)
        if not parent or (parent in new and new[parent].is_dir):
            deleted.append(p)
    deleted.sort(key=_key)
    return Changes(changed, deleted)


# --- writing layers -------------------------------------------------------------------------------


def _clamp(mtime_ns: int, epoch: int) -> int:
    return max(0, min(mtime_ns // 1_000_000_000, epoch))


def _recorded(e: Entry, epoch: int) -> tuple[int, int, int, int]:
    """What a layer records of a directory."""
    return e.mode, e.uid, e.gid, _clamp(e.mtime_ns, epoch)


def _whiteout_info(name: str, epoch: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.size = tarfile.REGTYPE, 0, epoch, 0
    return info


class _Writer:
    """Adds paths of one tree to a tar, normalised; hard links point at the first path of their inode."""

    def __init__(self, root: Path, epoch: int, tar: tarfile.TarFile) -> None:
        self.root = os.fspath(root)
        self.epoch = epoch
        self.tar = tar
        self.first_of: dict[tuple[int, int], str] = {}
        # Without root, builds run as root inside a user namespace that maps it to this user: what
        # this user owns is root's in the image (as a build run by root would have made it).
        self.mapped = None if os.geteuid() == 0 else (os.geteuid(), os.getegid())

    def add(self, name: str) -> None:
        if name.rpartition("/")[2].startswith(WHITEOUT):
            raise LayerError(f"{name}: a name starting with {WHITEOUT} cannot go in a layer (it means a whiteout)")
        path = os.path.join(self.root, name)
        try:
            st = os.lstat(path)
        except OSError as e:
            raise LayerError(f"{name}: {e.strerror} (the tree changed after it was scanned?)") from e
        mode = st.st_mode
        if stat.S_ISSOCK(mode):
            return
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise LayerError(f"device nodes are not allowed in a layer: {name}")
        info = tarfile.TarInfo(name)
        info.mode = stat.S_IMODE(mode)
        info.uid, info.gid = st.st_uid, st.st_gid
        if self.mapped is not None:
            info.uid = 0 if info.uid == self.mapped[0] else info.uid
            info.gid = 0 if info.gid == self.mapped[1] else info.gid
        info.mtime = _clamp(st.st_mtime_ns, self.epoch)
        if stat.S_ISDIR(mode):
            info.type = tarfile.DIRTYPE
            self.tar.addfile(info)
            return
        if st.st_nlink > 1:
            first = self.first_of.setdefault((st.st_dev, st.st_ino), name)
            if first != name:
                info.type, info.linkname = tarfile.LNKTYPE, first
                self.tar.addfile(info)
                return
        if stat.S_ISLNK(mode):
            info.type, info.linkname = tarfile.SYMTYPE, os.readlink(path)
            self.tar.addfile(info)
        elif stat.S_ISFIFO(mode):
            info.type = tarfile.FIFOTYPE
            self.tar.addfile(info)
        elif stat.S_ISREG(mode):
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as f:
                info.size = os.fstat(fd).st_size
                self.tar.addfile(info, f)
        else:
            raise LayerError(f"{name}: unsupported file type {stat.S_IFMT(mode):o}")


def _write(root: Path, names: Iterable[str], whiteouts: Iterable[str], epoch: int, out: BinaryIO) -> None:
    wh = set(whiteouts)
    order = sorted({*names, *wh}, key=_key)
    with tarfile.open(
        fileobj=out, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8", errors="surrogateescape"
    ) as tar:
        writer = _Writer(root, epoch, tar)
        for name in order:
            if name in wh:
                tar.addfile(_whiteout_info(name, epoch))
            else:
                writer.add(name)


def write_layer(root: Path, changes: Changes, epoch: int, out: BinaryIO) -> None:
    """Write a normalised uncompressed tar of the changes to out.

    It holds each changed path with all its parent directories (current metadata), and a whiteout
    `<dir>/.wh.<name>` for each deleted path, in byte order of the names; mtimes are clamped to epoch.
    """
    names = set(changes.changed)
    for p in changes.changed:
        names.update(_ancestors(p))
    whiteouts = []
    for p in changes.deleted:
        if p in names:
            continue  # deleted and added again: the new entry replaces the old one
        parent, _, base = p.rpartition("/")
        names.update(_ancestors(p))
        whiteouts.append(f"{parent}/{WHITEOUT}{base}" if parent else WHITEOUT + base)
    _write(root, names, whiteouts, epoch, out)


def write_tree(root: Path, epoch: int, out: BinaryIO) -> None:
    """The whole tree as one normalised tar (what write_layer writes for everything against an empty tree)."""
    found, _ = _scan(root)
    _write(root, found, (), epoch, out)


# --- extracting layers ----------------------------------------------------------------------------


def _clean_name(raw: str, what: str) -> str:
    """A member name as a root-relative path without '.' or empty parts ('' for the root itself)."""
    if "\0" in raw:
        raise LayerError(f"{what} with a NUL byte: {raw!r}")
    if raw.startswith("/"):
        raise LayerError(f"absolute {what}: {raw}")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise LayerError(f"{what} with '..': {raw}")
    return "/".join(parts)


def _mtime_ns(member: tarfile.TarInfo) -> int:
    t = member.mtime
    return t * 1_000_000_000 if isinstance(t, int) else round(t * 1_000_000) * 1000


class _Extractor:
    """Applies the members of one layer onto root without ever writing through a symlink."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self.as_root = os.geteuid() == 0
        self.kept: set[str] = set()  # written by this layer, and their parents: whiteouts spare them
        self.dirs: dict[str, tarfile.TarInfo] = {}  # metadata set once all children are written
        self.safe: set[str] = set()  # directories checked to be real directories (not symlinks)

    def path(self, name: str) -> str:
        return os.path.join(self.root, name)

    def apply(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        name = _clean_name(member.name, "member name")
        if not name:
            return  # the root itself
        try:  # OSError from whiteouts and link targets too (a name too long); OverflowError: owner, mtime
            if name.rpartition("/")[2].startswith(WHITEOUT):
                self.whiteout(name)
                return
            if member.ischr() or member.isblk():
                raise LayerError(f"device nodes are not allowed in a rootfs base: {name}")
            target = self.link_target(name, member) if member.islnk() else ""
            self.parents(name, create=True)
            if member.isdir():
                self.directory(name, member)
            elif member.isreg():
                self.file(tar, name, member)
            elif member.issym():
                self.replace(name)
                os.symlink(member.linkname, self.path(name))
                self.metadata(name, member, symlink=True)
            elif member.islnk():
                self.replace(name)
                os.link(self.path(target), self.path(name), follow_symlinks=False)
            elif member.isfifo():
                self.replace(name)
                os.mkfifo(self.path(name), 0o600)
                self.metadata(name, member)
            else:
                raise LayerError(f"unsupported member type {member.type!r}: {name}")
        except (OSError, ValueError, OverflowError) as e:
            raise LayerError(f"cannot extract {name}: {e}") from e
        self.kept.add(name)
        self.kept.update(_ancestors(name))

    def parents(self, name: str, *, create: bool) -> bool:
        """Check that every parent of name is a real directory; create missing ones, or say they are missing."""
        for d in _ancestors(name):
            if d in self.safe:
                continue
            try:
                st = os.lstat(self.path(d))
            except FileNotFoundError:
                if not create:
                    return False
                os.mkdir(self.path(d), 0o755)
            else:
                if stat.S_ISLNK(st.st_mode):
                    raise LayerError(f"{name}: its parent {d} is a symlink")
                if not stat.S_ISDIR(st.st_mode):
                    raise LayerError(f"{name}: its parent {d} is not a directory")
            self.safe.add(d)
        return True

    def link_target(self, name: str, member: tarfile.TarInfo) -> str:
        target = _clean_name(member.linkname, f"hard link target of {name}")
        if not target or target == name:
            raise LayerError(f"hard link {name} points at {member.linkname!r}")
        try:
            found = self.parents(target, create=False) and os.lstat(self.path(target))
        except FileNotFoundError:
            found = False
        if not found:
            raise LayerError(f"hard link {name} points at {target}, which does not exist")
        if stat.S_ISDIR(found.st_mode):
            raise LayerError(f"hard link {name} points at the directory {target}")
        return target

    def remove(self, name: str, st: os.stat_result) -> None:
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(self.path(name))
            below = name + "/"
            self.dirs = {d: m for d, m in self.dirs.items() if d != name and not d.startswith(below)}
        else:
            os.unlink(self.path(name))
        self.safe.clear()

    def replace(self, name: str, *, keep_dir: bool = False) -> bool:
        """Make way for a new entry at name; True if it is a directory kept (keep_dir) as it is."""
        try:
            st = os.lstat(self.path(name))
        except FileNotFoundError:
            return False
        if keep_dir and stat.S_ISDIR(st.st_mode):
            return True
        self.remove(name, st)
        return False

    def whiteout(self, name: str) -> None:
        parent, _, base = name.rpartition("/")
        if base == OPAQUE:
            if not self.parents(name, create=False):  # checks that parent is a real directory
                return
            for child in os.listdir(self.path(parent) if parent else self.root):
                self.hide(f"{parent}/{child}" if parent else child)
            return
        hidden = base[len(WHITEOUT) :]
        if hidden in ("", ".", "..") or hidden.startswith(WHITEOUT):
            raise LayerError(f"unsupported whiteout: {name}")
        if self.parents(name, create=False):
            self.hide(f"{parent}/{hidden}" if parent else hidden)

    def hide(self, name: str) -> None:
        """Remove what the layers below put at name (not what this layer wrote)."""
        if name in self.kept:
            return
        try:
            st = os.lstat(self.path(name))
        except FileNotFoundError:
            return
        try:
            self.remove(name, st)
        except OSError as e:
            raise LayerError(f"cannot remove {name}: {e}") from e

    def directory(self, name: str, member: tarfile.TarInfo) -> None:
        path = self.path(name)
        if not self.replace(name, keep_dir=True):
            os.mkdir(path, 0o700)
        if not self.as_root:  # keep it writable for its children; finish() sets the real mode
            os.chmod(path, stat.S_IMODE(member.mode) | 0o700)
        self.dirs[name] = member
        self.safe.add(name)

    def file(self, tar: tarfile.TarFile, name: str, member: tarfile.TarInfo) -> None:
        self.replace(name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with os.fdopen(os.open(self.path(name), flags, 0o600), "wb") as f:
            data = tar.extractfile(member)
            if data is not None:
                shutil.copyfileobj(data, f, _CHUNK)
            f.flush()
            fd = f.fileno()
            if self.as_root:
                os.fchown(fd, member.uid, member.gid)
            os.fchmod(fd, stat.S_IMODE(member.mode))  # after chown, which clears setuid bits
            ns = _mtime_ns(member)
            os.utime(fd, ns=(ns, ns))

    def metadata(self, name: str, member: tarfile.TarInfo, *, symlink: bool = False) -> None:
        path = self.path(name)
        if self.as_root:
            os.lchown(path, member.uid, member.gid)
        if not symlink:
            os.chmod(path, stat.S_IMODE(member.mode))  # not a symlink: created or checked just now
        ns = _mtime_ns(member)
        os.utime(path, ns=(ns, ns), follow_symlinks=False)

    def finish(self) -> None:
        """Set the directories' metadata, now that nothing more will be written into them."""
        for name, member in reversed(self.dirs.items()):
            try:
                if not stat.S_ISDIR(os.lstat(self.path(name)).st_mode):
                    continue
                self.metadata(name, member)
            except (OSError, ValueError, OverflowError) as e:
                raise LayerError(f"cannot set the metadata of {name}: {e}") from e


def _open_stream(src: BinaryIO) -> tarfile.TarFile:
    try:
        return tarfile.open(fileobj=src, mode="r|*", encoding="utf-8", errors="surrogateescape")
    except TypeError as e:  # CPython's tarfile on a gzip header cut short: ord(b"")
        raise tarfile.ReadError("the gzip header is cut short") from e


def extract_layer(src: BinaryIO, root: Path) -> None:
    """Apply one layer, or a base root filesystem tarball (plain, gzip, bzip2 or xz, by magic bytes), onto root.

    The input is untrusted: absolute names, '..', writing through a symlink, hard links out of the
    tree and device nodes raise LayerError naming the member, and nothing is ever written outside
    root. Whiteouts remove what lower layers left; an entry of another type replaces what is there;
    a directory that is again a directory keeps its contents. Ownership is applied when running as root.
    """
    os.makedirs(root, exist_ok=True)
    x = _Extractor(root)
    try:
        with _open_stream(src) as tar:
            for member in tar:
                x.apply(tar, member)
    except tarfile.TarError as e:
        raise LayerError(f"malformed layer: {e}") from e
    x.finish()


# --- gzip and OCI image layouts -------------------------------------------------------------------


def _gzip(read: Callable[[int], bytes], write: Callable[[bytes], object]) -> None:
    write(_GZIP_HEADER)
    z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, 8, zlib.Z_DEFAULT_STRATEGY)
    crc = size = 0
    while chunk := read(_CHUNK):
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        if out := z.compress(chunk):
            write(out)
    write(z.flush())
    write(struct.pack("<II", crc, size & 0xFFFFFFFF))


def gzip_deterministic(src: BinaryIO, out: BinaryIO) -> None:
    """Gzip src into out with no file name, mtime 0, OS byte 255 and a fixed compression level."""
    _gzip(src.read, out.write)


def canonical_json(obj: Any) -> bytes:
    """JSON with sorted keys and compact separators, so the same object always gives the same bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rfc3339(epoch: int) -> str:
    """'2023-11-14T22:13:20Z' for 1700000000."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def oci_architecture(machine: str | None = None) -> str:
    """The OCI/Go name of this machine's architecture (x86_64 -> amd64, aarch64 -> arm64)."""
    m = machine if machine is not None else platform.machine()
    return _ARCH.get(m.lower(), m.lower())


class _Blob:
    """A file written in blobs/sha256 under a temporary name, hashed as it goes, then renamed to its digest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sha = hashlib.sha256()
        self.size = 0
        fd, self.tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        self.f: IO[bytes] = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self.sha.update(data)
        self.size += len(data)
        self.f.write(data)

    def commit(self, media_type: str) -> dict[str, Any]:
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()
        hexdigest = self.sha.hexdigest()
        os.chmod(self.tmp, 0o644)
        os.replace(self.tmp, self.folder / hexdigest)
        return {"mediaType": media_type, "digest": f"sha256:{hexdigest}", "size": self.size}

    def abort(self) -> None:
        self.f.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.tmp)


def _put(folder: Path, media_type: str, fill: Callable[[_Blob], None]) -> dict[str, Any]:
    blob = _Blob(folder)
    try:
        fill(blob)
        return blob.commit(media_type)
    except BaseException:
        blob.abort()
        raise


def _put_layer(folder: Path, layer: Path) -> tuple[str, dict[str, Any]]:
    """Gzip one uncompressed layer tar into a blob: its diff_id and descriptor."""
    uncompressed = hashlib.sha256()
    with open(layer, "rb") as src:

        def read(n: int) -> bytes:
            data = src.read(n)
            uncompressed.update(data)
            return data

        desc = _put(folder, MEDIA_LAYER, lambda blob: _gzip(read, blob.write))
    return f"sha256:{uncompressed.hexdigest()}", desc


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # a published layout is readable by all, as any file written normally
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_oci_layout(
    dest: Path,
    layers: Sequence[Path],
    epoch: int,
    *,
    tag: str = "latest",
    config: Mapping[str, Any] | None = None,
    history: Sequence[str] = (),
) -> str:
    """Write an OCI image layout (oci-layout, index.json, blobs/sha256/) of the given uncompressed layer tars.

    Each layer is gzipped deterministically; history, if given, holds one `created_by` per layer.
    An existing layout at dest is replaced (index.json last, then unreferenced blobs are deleted);
    an existing non-empty folder that is not a layout is refused. Returns the manifest digest.
    """
    if history and len(history) != len(layers):
        raise ValueError(f"history has {len(history)} entries for {len(layers)} layers")
    if dest.exists() and any(dest.iterdir()) and not (dest / "oci-layout").is_file():
        raise FileExistsError(f"{dest} exists and is not an OCI image layout: not replacing it")
    folder = dest / "blobs" / "sha256"
    folder.mkdir(parents=True, exist_ok=True)
    created = rfc3339(epoch)
    arch = oci_architecture()
    diff_ids, layer_descs = [], []
    for layer in layers:
        diff_id, desc = _put_layer(folder, layer)
        diff_ids.append(diff_id)
        layer_descs.append(desc)
    image_config = {
        "created": created,
        "architecture": arch,
        "os": "linux",
        "config": dict(config or {}),
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": created, **({"created_by": h} if h else {})} for h in history or [""] * len(layers)],
    }
    config_desc = _put(folder, MEDIA_CONFIG, lambda blob: blob.write(canonical_json(image_config)))
    manifest = {"schemaVersion": 2, "mediaType": MEDIA_MANIFEST, "config": config_desc, "layers": layer_descs}
    manifest_desc = _put(folder, MEDIA_MANIFEST, lambda blob: blob.write(canonical_json(manifest)))
    index = {
        "schemaVersion": 2,
        "mediaType": MEDIA_INDEX,
        "manifests": [
            {**manifest_desc, "platform": {"architecture": arch, "os": "linux"}, "annotations": {REF_NAME: tag}}
        ],
    }
    _atomic_write(dest / "oci-layout", canonical_json({"imageLayoutVersion": "1.0.0"}))
    _atomic_write(dest / "index.json", canonical_json(index))
    referenced = {d["digest"].removeprefix("sha256:") for d in (*layer_descs, config_desc, manifest_desc)}
    for stale in folder.iterdir():
        if len(stale.name) == 64 and stale.name not in referenced:
            stale.unlink()
    return str(manifest_desc["digest"])
