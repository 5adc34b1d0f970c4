"""The audit log: an append-only, hash-chained JSON Lines file of applies and builds, and its verification."""

# Format. Each line is one record, the canonical JSON (compiler.planfile.canonical) of an object
# with, besides its payload:
#   seq   1, 2, 3... (the record's line number)
#   prev  "sha256:<hex>" of the previous line's bytes (without its "\n"); 64 zeros for the first
#   time  RFC 3339 UTC, to the second
#   type  "apply" | "build"
#   hash  "sha256:<hex>" of the canonical JSON of the record without "hash"
# `hash` seals a record's content; `prev` chains each line to the exact bytes of the one before,
# so an edited, removed, inserted or reordered record breaks the chain at a known line. Removing
# records from the end leaves a valid shorter chain: anchor the last hash elsewhere to catch that.

from __future__ import annotations

import contextlib
import fcntl
import getpass
import hashlib
import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec

from bake.compiler import planfile as pf

from . import provenance as prov

__all__ = ["GENESIS", "AuditError", "AuditLog", "Problem", "apply_record", "build_record", "default_path"]

GENESIS = "sha256:" + "0" * 64
RESERVED = ("seq", "prev", "time", "hash")
TYPES = ("apply", "build")


class AuditError(Exception):
    """An audit log that cannot be read or extended; the message is for the user."""


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with the audit log, at a record (its 1-based line number)."""

    record: int
    message: str


def default_path(root: Path) -> Path:
    """Where the audit log of a template folder lives: <root>/.bake/audit.jsonl."""
    return Path(root) / ".bake" / "audit.jsonl"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def apply_record(
    *,
    plan_hash: str,
    plan: str,
    ok: bool,
    steps_run: int,
    steps_cached: int,
    invocation: str,
    user: str | None = None,
    host: str | None = None,
) -> dict[str, Any]:
    """The payload of an "apply" record (user and host default to this process's)."""
    return {
        "type": "apply",
        "plan_hash": plan_hash,
        "plan": plan,
        "ok": ok,
        "steps_run": steps_run,
        "steps_cached": steps_cached,
        "invocation": invocation,
        "user": _user() if user is None else user,
        "host": socket.gethostname() if host is None else host,
    }


def build_record(
    *,
    build: str,
    ok: bool,
    invocation: str,
    plan_hash: str,
    error: str = "",
    artifact: str = "",
    files: Sequence[str] = (),
    digest: str = "",
    provenance: str = "",
    provenance_digest: str = "",
    public_key: bytes | None = None,
    steps: Sequence[prov.StepRecord] = (),
) -> dict[str, Any]:
    """The payload of a "build" record.

    `provenance` is the provenance file's path, relative to the template folder (the audit log's
    root) or absolute; `public_key` (PEM) is given when the provenance is a signed DSSE envelope.
    Only the first line of `error` is kept.
    """
    record: dict[str, Any] = {
        "type": "build",
        "build": build,
        "ok": ok,
        "invocation": invocation,
        "plan_hash": plan_hash,
        "error": _first_line(error),
        "artifact": artifact,
        "files": list(files),
        "digest": digest,
        "provenance": provenance,
        "provenance_digest": provenance_digest,
        "signed": public_key is not None,
        "steps": [{"key": s.key, "kind": s.kind, "type": s.type, "cached": s.cached} for s in steps],
    }
    if public_key is not None:
        record["public_key"] = public_key.decode("ascii")
        record["keyid"] = prov.keyid(public_key)
    return record


def _line_hash(line: bytes) -> str:
    return "sha256:" + hashlib.sha256(line).hexdigest()


def _record_hash(record: Mapping[str, Any]) -> str:
    return pf.digest({k: v for k, v in record.items() if k != "hash"})


def _parse(line: bytes) -> dict[str, Any]:
    """A line's record; ValueError with the reason otherwise."""
    try:
        value = msgspec.json.decode(line)
    except msgspec.DecodeError as exc:
        raise ValueError(f"not valid JSON ({_first_line(str(exc)) or 'malformed'})") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _last_line(fd: int) -> bytes | None:
    """The last line of the file (without its newline), None for an empty file; AuditError for a torn write."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    if os.pread(fd, 1, size - 1) != b"\n":
        raise AuditError("its last line is incomplete (a write was interrupted or the file was truncated)")
    pos = size - 1  # the final newline; `tail` holds bytes [pos, size - 1)
    tail = b""
    while pos > 0:
        start = max(0, pos - 8192)
        tail = os.pread(fd, pos - start, start) + tail
        pos = start
        cut = tail.rfind(b"\n")
        if cut >= 0:
            return tail[cut + 1 :]
    return tail


class AuditLog:
    """An audit log file: appended to under an exclusive lock, verified line by line."""

    def __init__(self, path: Path, root: Path | None = None) -> None:
        """`root` resolves relative provenance paths: by default the folder holding the log's .bake folder."""
        self.path = Path(path)
        if root is None:
            parent = self.path.parent
            root = parent.parent if parent.name == ".bake" else parent
        self.root = Path(root)

    # ---------------------------------------------------------------- writing

    def append(
        self, record: Mapping[str, Any], *, secrets: Sequence[str] = (), clock: Callable[[], float] = time.time
    ) -> dict[str, Any]:
        """Append one record: fills seq, prev, time and hash; returns the record as written.

        Holds an exclusive flock on the log while reading its last line and writing the new one,
        so concurrent applies never interleave or fork the chain; fsyncs before returning.
        Strings holding one of `secrets` are written as "<sensitive>". Raises AuditError for a
        payload without a known type, with reserved fields or floats, or a log whose last
        record is damaged (the chain is not extended past damage; `bake audit verify` says more).
        """
        payload = dict(record)
        reserved = [k for k in RESERVED if k in payload]
        if reserved:
            raise AuditError(f"an audit record's payload cannot set {', '.join(reserved)}: the log fills them in")
        if payload.get("type") not in TYPES:
            raise AuditError(f"an audit record's type must be one of {', '.join(TYPES)}, not {payload.get('type')!r}")
        if secrets:
            payload = prov.redact(payload, secrets)
        try:
            pf.check(payload)
        except pf.PlanError as exc:
            raise AuditError(f"cannot write this audit record: {exc}") from None
        try:
            created = not self.path.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise AuditError(f"cannot open the audit log {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                last = _last_line(fd)
            except AuditError as exc:
                raise AuditError(f"cannot extend the audit log {self.path}: {exc}") from None
            if last is None:
                seq, prev = 1, GENESIS
            else:
                try:
                    before = _parse(last)
                except ValueError as exc:
                    raise AuditError(
                        f"cannot extend the audit log {self.path}: its last record is damaged ({exc}); "
                        "see bake audit verify"
                    ) from None
                if type(before.get("seq")) is not int:
                    raise AuditError(f"cannot extend the audit log {self.path}: its last record has no seq")
                seq, prev = before["seq"] + 1, _line_hash(last)
            full: dict[str, Any] = {**payload, "seq": seq, "prev": prev, "time": prov.rfc3339(clock())}
            full["hash"] = _record_hash(full)
            line = pf.canonical(full) + b"\n"
            size = os.fstat(fd).st_size
            try:
                view = memoryview(line)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)  # no torn line left behind (we hold the lock)
                raise
        except OSError as exc:
            raise AuditError(f"cannot write the audit log {self.path}: {exc.strerror or exc}") from None
        finally:
            os.close(fd)  # releases the lock
        if created:
            _fsync_dir(self.path.parent)
        return full

    # ---------------------------------------------------------------- reading

    def _read(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            raise AuditError(
                f"there is no audit log at {self.path} (bake apply writes one; name another with --audit-log)"
            ) from None
        except OSError as exc:
            raise AuditError(f"cannot read the audit log {self.path}: {exc.strerror or exc}") from None

    def _lines(self) -> tuple[list[bytes], bool]:
        """The log's lines without newlines, and whether the last one was complete."""
        data = self._read()
        if not data:
            return [], True
        lines = data.split(b"\n")
        complete = data.endswith(b"\n")
        if complete:
            lines.pop()
        return lines, complete

    def records(self) -> list[dict[str, Any]]:
        """Every record, parsed; AuditError naming the line of a malformed one."""
        out = []
        for n, line in enumerate(self._lines()[0], 1):
            try:
                out.append(_parse(line))
            except ValueError as exc:
                raise AuditError(f"audit log {self.path}, record {n} (line {n}): {exc}") from None
        return out

    def check_tail(self) -> None:
        """AuditError when the log's last line is torn (append would refuse to extend it); fine if absent."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise AuditError(f"cannot read the audit log {self.path}: {exc.strerror or exc}") from None
        try:
            _last_line(fd)
        finally:
            os.close(fd)

    def head(self) -> tuple[int, str]:
        """(number of lines, "sha256:" of the last line): what to anchor elsewhere to detect tail truncation."""
        lines, _ = self._lines()
        return len(lines), (_line_hash(lines[-1]) if lines else GENESIS)

    # ---------------------------------------------------------------- verification

    def verify(self, check_files: bool = True, public_key_pem: bytes | None = None) -> list[Problem]:
        """Everything wrong with the log, in order (the first is the first bad record); [] when intact.

        Checks that every line parses, seq counts from 1, each hash recomputes and each line is
        its record's canonical encoding, each prev is the hash of the line before; with
        `check_files`, that each build record's provenance file exists, has the recorded sha256,
        verifies when signed (with `public_key_pem` if given, else the key in the record) and names
        the recorded artifact digest as a subject. AuditError when the log cannot be read at all.
        """
        lines, complete = self._lines()
        problems: list[Problem] = []
        previous: bytes | None = None
        prev_seq = 0
        # A provenance file describes the latest build of its artifact: a later apply that made the
        # artifact again rewrote it, so only the last record naming a path can be held to its file.
        last_naming: dict[str, int] = {}
        for n, line in enumerate(lines, 1):
            with contextlib.suppress(ValueError):
                named = _parse(line).get("provenance")
                if isinstance(named, str) and named:
                    last_naming[named] = n
        for n, line in enumerate(lines, 1):
            msgs: list[str] = []
            try:
                rec: dict[str, Any] | None = _parse(line)
            except ValueError as exc:
                rec = None
                msgs.append(f"{exc}: the line was damaged or edited")
            seq = prev_seq + 1
            if rec is not None:
                seq = self._check_record(n, rec, line, previous, prev_seq, msgs)
                if (
                    check_files
                    and rec.get("type") == "build"
                    and rec.get("provenance")
                    and last_naming.get(str(rec["provenance"])) == n
                ):
                    self._check_provenance(rec, public_key_pem, msgs)
            if n == len(lines) and not complete:
                msgs.append("the last line is incomplete: the log was truncated or a write was interrupted")
            if msgs:
                problems.append(Problem(n, "; ".join(msgs)))
            previous, prev_seq = line, seq
        return problems

    def _check_record(
        self, n: int, rec: dict[str, Any], line: bytes, previous: bytes | None, prev_seq: int, msgs: list[str]
    ) -> int:
        """Check one record's own fields and its link to the line before; its seq (for the next)."""
        for field in (*RESERVED, "type"):
            if field not in rec:
                msgs.append(f"{field} is missing")
        seq = rec.get("seq")
        if type(seq) is not int:
            if "seq" in rec:
                msgs.append(f"seq must be an integer, not {seq!r}")
            seq = prev_seq + 1
        elif seq != n and seq != prev_seq + 1:  # after one gap, the records that follow it are fine
            msgs.append(f"seq is {seq} where {n} was expected: records were removed, inserted or reordered")
        if "hash" in rec:
            try:
                if rec["hash"] != _record_hash(rec):
                    msgs.append("its content was changed after it was written (its hash does not match)")
                elif pf.canonical(rec) != line:
                    msgs.append("the line was edited (it is not its record's canonical encoding)")
            except pf.PlanError as exc:  # a float, say: bake never writes one
                msgs.append(f"its content was changed after it was written ({exc})")
        if "prev" in rec:
            want = GENESIS if previous is None else _line_hash(previous)
            if rec["prev"] != want:
                msgs.append(
                    "prev is not the start of a chain: records before it were removed"
                    if previous is None
                    else f"prev does not match record {n - 1}: record {n - 1} was changed, "
                    "or records were removed or reordered"
                )
        if "time" in rec and (not isinstance(rec["time"], str) or not prov.is_rfc3339(rec["time"])):
            msgs.append(f"time must be an RFC 3339 timestamp, not {rec['time']!r}")
        if "type" in rec and (not isinstance(rec["type"], str) or not rec["type"]):
            msgs.append("type must be a non-empty string")
        return seq

    def _check_provenance(self, rec: Mapping[str, Any], public_key_pem: bytes | None, msgs: list[str]) -> None:
        """Check a build record's provenance file against what the record says."""
        given = str(rec["provenance"])
        path = Path(given) if Path(given).is_absolute() else self.root / given
        if not path.is_file():
            msgs.append(f"its provenance file {given} is missing")
            return
        try:
            found = prov.file_digest(path)
        except prov.ProvenanceError as exc:
            msgs.append(str(exc))
            return
        if found != rec.get("provenance_digest"):
            msgs.append(
                f"its provenance file {given} was changed after the build "
                f"(sha256 {found[7:19]}…, recorded {str(rec.get('provenance_digest', ''))[7:19]}…)"
            )
        try:
            doc = prov.parse_document(path.read_bytes(), f"its provenance file {given}")
        except (prov.ProvenanceError, OSError) as exc:
            msgs.append(str(exc))
            return
        key = public_key_pem
        if key is None and isinstance(rec.get("public_key"), str):
            key = rec["public_key"].encode("ascii", "replace")
        if prov.is_envelope(doc):
            if key is None:
                msgs.append(f"its provenance file {given} is signed, but neither the record nor --key gives a key")
                return
            try:
                statement = prov.verify_envelope(doc, key)
            except prov.ProvenanceError as exc:
                msgs.append(f"the signature of its provenance file {given} does not verify: {exc}")
                return
        else:
            if rec.get("signed"):
                msgs.append(f"it says the build was signed, but its provenance file {given} is not a DSSE envelope")
            statement = doc
        invalid = prov.validate_statement(statement)
        if invalid:
            msgs.append(f"its provenance file {given} is not valid SLSA provenance: {invalid[0]}")
            return
        digest = str(rec.get("digest", ""))
        if digest:
            algo, _, value = digest.partition(":")
            named = [s.get("digest", {}).get(algo) for s in statement["subject"] if isinstance(s, Mapping)]
            if value.lower() not in named:
                msgs.append(
                    f"the statement in {given} is about another artifact: no subject has the recorded digest {digest}"
                )


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
