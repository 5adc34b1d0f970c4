"""The embedded layer cache: a SQLite index of step layers by cache key, and content-addressed blobs."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .interfaces import CachedLayer

__all__ = ["BLOB_TMP_GRACE", "SCHEMA_VERSION", "CacheError", "LayerCache", "default_root"]

# Bumped whenever the `layers` table changes shape; an index written by a newer bake is refused.
SCHEMA_VERSION = 1
# A temp blob file older than this belongs to a writer that died; `prune` deletes it.
BLOB_TMP_GRACE = 3600
_BUSY_TIMEOUT = 30.0  # seconds a writer waits for another process's transaction
_CHUNK = 1 << 20
_DIGEST = re.compile(r"sha256:([0-9a-f]{64})")
_TMP_PREFIX = ".tmp-"
_COLUMNS = "key, builder, layer, size, created, last_used"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS layers (
    key TEXT PRIMARY KEY NOT NULL,
    builder TEXT NOT NULL,
    layer TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    created INTEGER NOT NULL,
    last_used INTEGER NOT NULL
);
PRAGMA user_version = {SCHEMA_VERSION};
"""
# Connections inherited through fork() are never used nor closed in the child: closing one
# there could checkpoint or unlink the parent's WAL (SQLite's "How To Corrupt" page, on fork()).
_INHERITED: list[sqlite3.Connection] = []

_Row = tuple[str, str, str, int, int, int]


class CacheError(Exception):
    """The cache cannot be used: a corrupt or foreign index, a lock held too long, an unwritable folder.

    The message names the file and says what to do; the cache holds nothing that cannot be
    rebuilt, so deleting the folder is always a safe remedy.
    """


def default_root() -> Path:
    """`$BAKE_CACHE_DIR`, or `~/.cache/bake` when it is unset or empty (as `bake plan` reads it)."""
    return Path(os.environ.get("BAKE_CACHE_DIR") or Path.home() / ".cache" / "bake")


def _layer(row: _Row) -> CachedLayer:
    return CachedLayer(key=row[0], builder=row[1], layer=row[2], size=row[3], created=row[4], last_used=row[5])


class LayerCache:
    """The layer cache under one root folder, safe to share between threads and processes.

    Layout: `<root>/index.sqlite` (table `layers`: key TEXT PRIMARY KEY, builder, layer, size,
    created, last_used; times in unix seconds) and `<root>/blobs/sha256/<hex>`. The index runs in
    WAL mode so readers never wait for a writer; every write is one short `BEGIN IMMEDIATE`
    transaction, and writers queue for up to 30 s before a `CacheError`. Nothing is created on
    disk until the first write: reading a cache that does not exist yet finds nothing.

    Every method raises `CacheError` when the index is unreadable (corrupt, not SQLite, written by
    a newer bake) or stays locked; `ValueError` for malformed arguments.
    """

    def __init__(self, root: Path | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.index_path = self.root / "index.sqlite"
        self.blob_dir = self.root / "blobs" / "sha256"
        self._clock = clock
        self._lock = threading.RLock()
        self._con: sqlite3.Connection | None = None
        self._pid = 0

    # -- connection ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the index connection (the next call reopens it)."""
        with self._lock:
            if self._con is not None and self._pid == os.getpid():
                self._con.close()
            self._con = None

    def __enter__(self) -> LayerCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> int:
        """The cache's clock, in whole unix seconds (injectable for tests)."""
        return int(self._clock())

    def _error(self, exc: sqlite3.Error) -> CacheError:
        name = getattr(exc, "sqlite_errorname", "")
        where = self.index_path
        if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "not a database" in str(exc) or "malformed" in str(exc):
            return CacheError(
                f"layer cache index {where} is corrupt ({exc}); "
                f"it holds only a cache: delete {self.root} to start afresh"
            )
        if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "locked" in str(exc):
            return CacheError(
                f"layer cache index {where} stayed locked by another process for {_BUSY_TIMEOUT:g} s ({exc})"
            )
        return CacheError(f"layer cache index {where}: {exc}")

    def _open(self, create: bool) -> sqlite3.Connection | None:
        if self._con is not None and self._pid == os.getpid():
            return self._con
        if self._con is not None:
            _INHERITED.append(self._con)
            self._con = None
        if not create and not self.index_path.is_file():
            return None
        if create:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CacheError(f"cannot create the layer cache folder {self.root}: {exc}") from exc
        con = sqlite3.connect(self.index_path, timeout=_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        try:
            self._enable_wal(con)
            # NORMAL in WAL mode cannot corrupt; a power cut may lose the last few entries: a cache miss.
            con.execute("PRAGMA synchronous = NORMAL")
            self._check_schema(con)
        except sqlite3.Error as exc:
            con.close()
            raise self._error(exc) from exc
        except CacheError:
            con.close()
            raise
        self._con, self._pid = con, os.getpid()
        return con

    @staticmethod
    def _enable_wal(con: sqlite3.Connection) -> None:
        # WAL mode is stored in the file. Switching a new index to it takes an exclusive lock
        # without calling the busy handler, so a second process opening the same brand-new index
        # can see "database is locked" at once: retry here within the usual busy timeout.
        deadline = time.monotonic() + _BUSY_TIMEOUT
        while True:
            try:
                con.execute("PRAGMA journal_mode = WAL").fetchone()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def _check_schema(self, con: sqlite3.Connection) -> None:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CacheError(
                f"layer cache index {self.index_path} has format {version}, written by a newer bake "
                f"(this one knows {SCHEMA_VERSION}); use that bake, or delete {self.root}"
            )
        if version == SCHEMA_VERSION:
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            # Statements one by one: executescript() would commit the transaction early.
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    con.execute(stmt)
            columns = {row[1] for row in con.execute("PRAGMA table_info(layers)")}
            missing = {"key", "builder", "layer", "size", "created", "last_used"} - columns
            if missing:
                raise CacheError(
                    f"layer cache index {self.index_path} has a table `layers` without the columns "
                    f"{', '.join(sorted(missing))}; it was not written by bake: delete {self.root} to start afresh"
                )
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection | None]:
        """A connection for single-statement reads, or None when no index exists yet."""
        with self._lock:
            try:
                yield self._open(create=False)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taken with BEGIN IMMEDIATE so it never fails half-way on a lock."""
        with self._lock:
            con = self._open(create=True)
            assert con is not None
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            try:
                yield con
                con.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc) from exc
                raise

    # -- index -----------------------------------------------------------------------------

    def get(self, key: str) -> CachedLayer | None:
        """The entry for `key` as it stands, without checking its layer or marking it used."""
        with self._read() as con:
            if con is None:
                return None
            row = con.execute(f"SELECT {_COLUMNS} FROM layers WHERE key = ?", (key,)).fetchone()
        return _layer(row) if row else None

    def lookup(self, key: str, exists: Callable[[str], bool] | None = None) -> CachedLayer | None:
        """The entry for `key`, marked used now; None on a miss.

        With `exists`, the layer reference is checked first: a layer that is gone (an image
        someone deleted) is a miss, and its entry is removed so the step runs and re-caches.
        """
        found = self.get(key)
        if found is None:
            return None
        if exists is not None and not exists(found.layer):
            with self._write() as con:
                # Only the entry we checked: another process may have re-cached the key meanwhile.
                con.execute("DELETE FROM layers WHERE key = ? AND layer = ?", (key, found.layer))
            return None
        with self._write() as con:
            # Only the layer we checked counts as a hit: it may have been replaced meanwhile.
            hit = con.execute(
                "UPDATE layers SET last_used = max(last_used, ?) WHERE key = ? AND layer = ?",
                (self.now(), key, found.layer),
            ).rowcount
            row = con.execute(f"SELECT {_COLUMNS} FROM layers WHERE key = ?", (key,)).fetchone()
        # (No RETURNING clauses: they need SQLite 3.35, newer than some Pythons are built with.)
        return _layer(row) if hit and row else None

    def put(self, key: str, builder: str, layer: str, size: int) -> CachedLayer:
        """Record `key` → `layer` (replacing any earlier entry for the key), created and used now."""
        if not key:
            raise ValueError("a cache key must not be empty")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"a layer size must be a non-negative integer, not {size!r}")
        now = self.now()
        entry = CachedLayer(key=key, builder=builder, layer=layer, size=size, created=now, last_used=now)
        with self._write() as con:
            con.execute(
                f"INSERT OR REPLACE INTO layers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (key, builder, layer, size, now, now),
            )
        return entry

    def touch(self, key: str) -> bool:
        """Mark `key` used now (for least-recently-used pruning); False when it is not cached."""
        with self._write() as con:
            cur = con.execute("UPDATE layers SET last_used = max(last_used, ?) WHERE key = ?", (self.now(), key))
            return cur.rowcount > 0

    def remove(self, key: str) -> CachedLayer | None:
        """Drop the index entry for `key` and return it (None if absent); the layer itself is left alone."""
        with self._write() as con:
            row = con.execute(f"SELECT {_COLUMNS} FROM layers WHERE key = ?", (key,)).fetchone()
            con.execute("DELETE FROM layers WHERE key = ?", (key,))
        return _layer(row) if row else None

    def entries(self) -> list[CachedLayer]:
        """All entries, most recently used first (ties by key)."""
        with self._read() as con:
            if con is None:
                return []
            rows = con.execute(f"SELECT {_COLUMNS} FROM layers ORDER BY last_used DESC, key").fetchall()
        return [_layer(r) for r in rows]

    def total_size(self) -> int:
        """The sum of the recorded layer sizes, in bytes."""
        with self._read() as con:
            if con is None:
                return 0
            return int(con.execute("SELECT coalesce(sum(size), 0) FROM layers").fetchone()[0])

    # -- blobs -----------------------------------------------------------------------------

    def blob_path(self, digest: str) -> Path | None:
        """The file holding blob `digest` ("sha256:<hex>"), or None when it is not stored.

        Raises ValueError for anything that is not a lowercase sha256 digest, so no string can
        name a path outside the blob folder.
        """
        m = _DIGEST.fullmatch(digest)
        if not m:
            raise ValueError(f"not a blob digest (sha256:<64 lowercase hex>): {digest!r}")
        path = self.blob_dir / m[1]
        return path if path.is_file() else None

    def put_blob(self, src: bytes | str | os.PathLike[str] | BinaryIO) -> str:
        """Store content (bytes, a file path or a binary stream) and return its "sha256:<hex>".

        The content is hashed while it is copied into a temp file beside the final one, synced,
        then renamed into place: a blob path never names partial content, even if the writer is
        killed. Content already stored is kept as is, once.
        """
        if isinstance(src, bytes | bytearray | memoryview):
            with io.BytesIO(src) as f:
                return self._store(f)
        if isinstance(src, str | os.PathLike):
            with open(src, "rb") as f:
                return self._store(f)
        return self._store(src)

    def _make_blob_dir(self) -> None:
        try:
            self.blob_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create the blob folder {self.blob_dir}: {exc}") from exc

    def _store(self, f: BinaryIO) -> str:
        self._make_blob_dir()
        fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=self.blob_dir)
        tmp = Path(tmp_name)
        try:
            h = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                while chunk := f.read(_CHUNK):
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                # Synced before the rename: after a crash a digest never names an empty file.
                os.fsync(out.fileno())
            hexdigest = h.hexdigest()
            final = self.blob_dir / hexdigest
            if final.is_file():
                tmp.unlink()
                # Fresh mtime: the blob was just wanted again.
                with contextlib.suppress(OSError):
                    os.utime(final)
            else:
                os.chmod(tmp, 0o444)  # content-addressed: never edited in place
                os.replace(tmp, final)
                self._sync_dir()
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        return f"sha256:{hexdigest}"

    def adopt_blob(self, path: str | os.PathLike[str]) -> str:
        """Move a finished file into the blob store (no copy: it must be on the cache's filesystem, as a
        builder's work folder under `<root>/work` is) and return its "sha256:<hex>"; the file is gone after."""
        self._make_blob_dir()
        with open(path, "rb") as f:
            hexdigest = hashlib.file_digest(f, "sha256").hexdigest()
            os.fsync(f.fileno())
        final = self.blob_dir / hexdigest
        if final.is_file():
            os.unlink(path)
            with contextlib.suppress(OSError):
                os.utime(final)
        else:
            os.chmod(path, 0o444)
            try:
                os.replace(path, final)
            except OSError as exc:  # another filesystem after all: copy
                if exc.errno != errno.EXDEV:
                    raise
                digest = self.put_blob(path)
                os.unlink(path)
                return digest
            self._sync_dir()
        return f"sha256:{hexdigest}"

    def _sync_dir(self) -> None:
        with contextlib.suppress(OSError):
            dfd = os.open(self.blob_dir, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    def _drop_blob_if_unused(self, layer: str) -> None:
        """Delete the blobs a pruned entry named, unless another entry still names them.

        A layer is one blob digest, or (rootfs) a chain "sha256:a,sha256:b,..." of the layers from the
        base up to the step: a blob stays while any entry's chain holds it.
        """
        for digest in layer.split(","):
            m = _DIGEST.fullmatch(digest)
            if not m or not (self.blob_dir / m[1]).is_file():
                continue
            with self._read() as con:
                if con is not None and con.execute(
                    "SELECT 1 FROM layers WHERE instr(layer, ?) > 0 LIMIT 1", (digest,)
                ).fetchone():
                    continue
            with contextlib.suppress(FileNotFoundError):
                (self.blob_dir / m[1]).unlink()

    def _sweep_temp_files(self) -> None:
        if not self.blob_dir.is_dir():
            return
        cutoff = self._clock() - BLOB_TMP_GRACE
        for path in self.blob_dir.glob(f"{_TMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()

    # -- upkeep ----------------------------------------------------------------------------

    def prune(
        self,
        older_than: float | None = None,
        max_size: int | None = None,
        remove: Callable[[CachedLayer], None] | None = None,
    ) -> list[CachedLayer]:
        """Remove stale entries, then least recently used ones over a size limit; return them in order.

        Entries last used more than `older_than` seconds ago go first; then, least recently used
        first, entries until the recorded sizes total at most `max_size` bytes (entries of size 0
        free nothing and are left to the age limit).

        For each removed entry, `remove` (the builder's clean-up: delete a docker image) is called
        after the entry left the index, so no other process picks the layer up meanwhile; if it
        raises, the entry is put back and the exception propagates. A blob named as an entry's
        layer is deleted with the last entry naming it. Temp files of killed blob writers go too.
        An entry used by another process after it was selected is kept.
        """
        if older_than is not None and older_than < 0:
            raise ValueError(f"older_than must be non-negative, not {older_than!r}")
        if max_size is not None and max_size < 0:
            raise ValueError(f"max_size must be non-negative, not {max_size!r}")
        self._sweep_temp_files()
        with self._read() as con:
            if con is None:
                return []
            rows = con.execute(f"SELECT {_COLUMNS} FROM layers ORDER BY last_used, created, key").fetchall()
        candidates = [_layer(r) for r in rows]
        victims: list[CachedLayer] = []
        if older_than is not None:
            cutoff = self.now() - older_than
            victims = [e for e in candidates if e.last_used < cutoff]
        if max_size is not None:
            chosen = {e.key for e in victims}
            total = sum(e.size for e in candidates if e.key not in chosen)
            for e in candidates:
                if total <= max_size:
                    break
                if e.key not in chosen and e.size > 0:  # removing it would free nothing
                    victims.append(e)
                    total -= e.size
        removed: list[CachedLayer] = []
        for e in victims:
            with self._write() as con:
                gone = con.execute(
                    "DELETE FROM layers WHERE key = ? AND layer = ? AND last_used = ?", (e.key, e.layer, e.last_used)
                ).rowcount
            if not gone:
                continue
            if remove is not None:
                try:
                    remove(e)
                except BaseException:
                    with self._write() as con:
                        con.execute(
                            f"INSERT OR IGNORE INTO layers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                            (e.key, e.builder, e.layer, e.size, e.created, e.last_used),
                        )
                    raise
            self._drop_blob_if_unused(e.layer)
            removed.append(e)
        return removed
