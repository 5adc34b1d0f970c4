"""Inputs: the only door from the pure compiler to files, the environment and the clock, recording all."""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

import msgspec

from .planfile import file_mode


class InputError(Exception):
    """A file or folder the template asked for cannot be read."""


class FileRecord(msgspec.Struct, frozen=True):
    """A file the template read: its digest and mode."""

    digest: str
    mode: int


class Inputs:
    """Reads files, environment values and the clock, and remembers every one of them for the plan.

    Relative paths are relative to the template root (Packer's basedir, `path.root`); files are
    recorded relative to it as well.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        source_date_epoch: int | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.cwd = Path(cwd).resolve() if cwd is not None else Path.cwd().resolve()
        self._env = dict(os.environ if env is None else env)
        self.files: dict[str, FileRecord] = {}
        self.env_used: dict[str, str | None] = {}
        epoch = source_date_epoch
        if epoch is None and self._env.get("SOURCE_DATE_EPOCH", "").isdigit():
            epoch = int(self._env["SOURCE_DATE_EPOCH"])
        self.source_date_epoch = epoch

    # -- paths
    def resolve(self, path: str) -> Path:
        """The absolute path of a path as a template gives it (relative to the template root)."""
        p = Path(path)
        return p if p.is_absolute() else (self.root / p)

    def record_name(self, p: Path) -> str:
        """How a file is named in the plan: relative to the template root (with `..` when outside it),
        so that the same project in another checkout gives the same names; a file that shares no folder
        with the template root but `/` keeps its absolute path."""
        rel = os.path.relpath(p.resolve(), self.root)
        given = os.path.abspath(p)
        if rel.startswith("..") and os.path.commonpath([given, os.path.abspath(self.root)]) == os.path.abspath(os.sep):
            # a system file (/bin/busybox): the same absolute path on every machine, wherever the checkout is
            return PurePosixPath(given).as_posix()
        return PurePosixPath(rel).as_posix()

    # -- reads
    def read_bytes(self, path: str, record_as: str | None = None) -> bytes:
        """Read a whole file and record its digest (under `record_as` when its name is secret)."""
        p = self.resolve(path)
        try:
            data = p.read_bytes()
            mode = file_mode(p.stat().st_mode)  # as git records it, whatever the checkout's umask
        except IsADirectoryError:
            raise InputError(f"{path} is a directory, not a file") from None
        except FileNotFoundError:
            raise InputError(f"no file exists at {path}") from None
        except OSError as exc:
            raise InputError(f"failed to read {path}: {exc.strerror}") from None
        name = record_as if record_as is not None else self.record_name(p)
        self.files[name] = FileRecord("sha256:" + hashlib.sha256(data).hexdigest(), mode)
        return data

    def exists(self, path: str) -> bool:
        """Whether a regular file exists there (a directory is an error, as in Packer)."""
        p = self.resolve(path)
        if p.is_dir():
            raise InputError(f"{path} is a directory, not a file")
        found = p.is_file()
        key = "exists:" + self.record_name(p)
        self.env_used.setdefault(key, "true" if found else "false")
        return found

    def glob(self, base: str, pattern: str, match: Callable[[str], bool] | None = None) -> list[str]:
        """Files (not folders) under base matching a pattern with `*`, `**`, `?`, `[...]`, `{a,b}`.

        `match`, when given, decides instead of the built-in matcher whether a file (its path relative
        to base, with `/`) matches; the pattern then only names the listing in the record.
        """
        matches = match if match is not None else (lambda rel: _glob_match(pattern, rel))
        root = self.resolve(base)
        if not root.is_dir():
            return []
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                rel = PurePosixPath(Path(dirpath, name).relative_to(root)).as_posix()
                if matches(rel):
                    out.append(rel)
        out.sort()
        self.env_used.setdefault(f"fileset:{self.record_name(root)}:{pattern}", "\n".join(out))
        return out

    # -- environment and clock
    def env(self, name: str) -> str | None:
        """An environment variable's value, recorded."""
        value = self._env.get(name)
        self.env_used[name] = value
        return value

    def now(self) -> dt.datetime:
        """The build's clock: SOURCE_DATE_EPOCH when set, else the current time (recorded)."""
        if self.source_date_epoch is None:
            self.source_date_epoch = int(dt.datetime.now(tz=dt.UTC).timestamp())
        return dt.datetime.fromtimestamp(self.source_date_epoch, tz=dt.UTC)


def _expand_braces(pattern: str) -> list[str]:
    start = pattern.find("{")
    if start < 0:
        return [pattern]
    end = pattern.find("}", start)
    if end < 0:
        return [pattern]
    return [
        alt
        for choice in pattern[start + 1 : end].split(",")
        for alt in _expand_braces(pattern[:start] + choice + pattern[end + 1 :])
    ]


def _glob_match(pattern: str, rel: str) -> bool:
    return any(_match_parts(pat.split("/"), rel.split("/")) for pat in _expand_braces(pattern))


def _match_parts(pat: list[str], parts: list[str]) -> bool:
    if not pat:
        return not parts
    if pat[0] == "**":
        return any(_match_parts(pat[1:], parts[i:]) for i in range(len(parts) + 1))
    if not parts:
        return False
    return fnmatch.fnmatchcase(parts[0], pat[0]) and _match_parts(pat[1:], parts[1:])
