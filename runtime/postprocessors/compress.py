"""The compress post-processor: a deterministic tar, zip, gzip, xz or bzip2 of the artifact's files."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import os
import re
import shutil
import stat
import tarfile
import time
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ..interfaces import Artifact
from ..steps import StepContext, StepFailed
from .checksum import file_hash
from .common import artifact_files, atomic_output, discard_input, render, source_date_epoch, template_data

DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}"
# Packer's extensions; bake cannot write lz4 or bgzf (a blocked gzip) yet.
ALGORITHMS = {"gz": "gzip", "xz": "xz", "bzip2": "bzip2", "lz4": "lz4", "bgzf": "bgzf"}
_EXTENSION = re.compile(r"\.([a-z0-9]+)")
_ZIP_EPOCH = 315532800  # 1980-01-01: zip cannot date anything earlier

Entry = tuple[str, Path]  # (name in the archive, local path)


def detect(output: str, fmt: str = "") -> tuple[str, str]:
    """(archive, algorithm) from the output name, or from `format`, by Packer's rules; "" for none."""
    exts = _EXTENSION.findall(f"{output}.{fmt}" if fmt else output)
    if not exts:
        return "tar", "gzip"
    last, before = exts[-1], (exts[-2] if len(exts) > 1 else "")
    if last in ("tar", "zip"):
        return last, ""
    if last in ALGORITHMS:
        return ("tar" if before == "tar" else ""), ALGORITHMS[last]
    return "tar", "gzip"  # an extension Packer does not know (tgz too): tar and gzip


def level_of(value: object) -> int:
    """Packer's compression_level: 0 or -1 mean the default (6), above 9 means 9."""
    try:
        level = int(value) if value is not None else 0  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise StepFailed(f"compress: compression_level must be a number, not {value!r}") from None
    if level < -1:
        raise StepFailed("compress: invalid compression level, expected an integer from -1 to 9")
    return 6 if level in (-1, 0) else min(level, 9)


def run(ctx: StepContext) -> Artifact | None:
    """Archive and/or compress the input files into `output`; the archive is the artifact handed on."""
    template = str(ctx.config.get("output") or DEFAULT_OUTPUT)
    archive, algorithm = detect(template, str(ctx.config.get("format") or ""))
    if algorithm in ("lz4", "bgzf"):
        raise StepFailed(f"compress: bake cannot write {algorithm} yet (tar, zip, gz, xz and bzip2 it can)")
    level = level_of(ctx.config.get("compression_level"))
    target = render(template, template_data(ctx), "compress output")
    out = ctx.local(target)
    files = artifact_files(ctx, "compress")
    if not files:
        raise StepFailed("compress: the artifact has no files")
    if any(out.resolve() == path.resolve() for _, path in files):
        raise StepFailed(f"compress: the output {target} is one of the files to compress")
    if not archive and len(files) != 1:
        names = ", ".join(n for n, _ in files)
        raise StepFailed(f"compress: can only have 1 input file when not using tar/zip; found {len(files)}: {names}")
    epoch = source_date_epoch()
    with atomic_output(out) as raw:
        if archive == "zip":
            ctx.say(f"zipping {target}")
            write_zip(entries(files, zip_names=True), raw, level, epoch)
        else:
            with _compressor(raw, algorithm, level) as stream:
                if archive == "tar":
                    ctx.say(f"tarring {target} with {algorithm or 'no compression'}")
                    write_tar(entries(files, zip_names=False), stream, epoch)
                else:
                    ctx.say(f"compressing {files[0][0]} with {algorithm}")
                    with files[0][1].open("rb") as src:
                        shutil.copyfileobj(src, stream, 1 << 20)
    made = Artifact("compress", target, [target], "sha256:" + file_hash(out, "sha256"))
    ctx.say(f"archive {target} completed")
    discard_input(ctx, made)
    return made


def _compressor(raw: IO[bytes], algorithm: str, level: int) -> contextlib.AbstractContextManager[Any]:
    if algorithm == "gzip":  # no file name, mtime 0: the same bytes from the same input
        return gzip.GzipFile(filename="", mode="wb", compresslevel=level, fileobj=raw, mtime=0)
    if algorithm == "xz":
        return lzma.LZMAFile(raw, "wb", format=lzma.FORMAT_XZ, preset=level)
    if algorithm == "bzip2":
        return bz2.BZ2File(raw, "wb", compresslevel=level if level > 0 else 9)
    return contextlib.nullcontext(raw)


def entries(files: list[Entry], zip_names: bool) -> list[Entry]:
    """Every entry to archive, sorted by name; folders bring their contents.

    Tar entries are named by the file's base name and zip entries by the artifact's relative name, as in Packer
    (absolute or `..` names fall back to the base name, so an archive never depends on where it was made).
    """
    found: dict[str, Path] = {}
    for name, path in files:
        rel = PurePosixPath(name.replace(os.sep, "/"))
        top = str(rel) if zip_names and not rel.is_absolute() and ".." not in rel.parts else path.name
        todo = [(top, path)]
        while todo:
            arc, p = todo.pop()
            if arc in found:
                raise StepFailed(f"compress: two files would be named {arc} in the archive")
            found[arc] = p
            if p.is_dir() and not p.is_symlink():
                todo.extend((f"{arc}/{child.name}", child) for child in p.iterdir())
    return sorted(found.items())


def write_tar(items: list[Entry], stream: IO[bytes], epoch: int) -> None:
    """A tar with fixed times and owners: the same bytes for the same files."""
    with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for arc, path in items:
            info = tar.gettarinfo(str(path), arcname=arc)
            info.mtime = epoch
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if info.isreg():
                with path.open("rb") as fh:
                    tar.addfile(info, fh)
            else:
                tar.addfile(info)


def write_zip(items: list[Entry], raw: IO[bytes], level: int, epoch: int) -> None:
    """A zip with every entry dated `epoch` (from 1980 on, zip's first date) and Unix modes."""
    date = time.gmtime(max(epoch, _ZIP_EPOCH))[:6]
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for arc, path in items:
            st = path.lstat()
            is_dir = stat.S_ISDIR(st.st_mode)
            info = zipfile.ZipInfo(arc + "/" if is_dir else arc, date_time=date)
            info.create_system = 3  # Unix: external_attr carries the mode
            info.external_attr = (st.st_mode & 0xFFFF) << 16 | (0x10 if is_dir else 0)
            if is_dir:
                zf.writestr(info, b"", compress_type=zipfile.ZIP_STORED)
            elif stat.S_ISLNK(st.st_mode):
                zf.writestr(info, os.readlink(path).encode(), compress_type=zipfile.ZIP_STORED)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                info._compresslevel = level  # type: ignore[attr-defined]
                info.file_size = st.st_size  # so that zip64 is chosen up front for a large file
                with path.open("rb") as src, zf.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
