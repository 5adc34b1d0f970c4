"""`bake audit ls` and `bake audit verify`: the audit log listed and checked, rendered as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from . import provenance as prov
from .audit import AuditError, AuditLog

__all__ = ["audit_ls", "audit_verify"]


def _short(digest: Any) -> str:
    if not isinstance(digest, str) or not digest:
        return "-"
    algo, sep, hexdigest = digest.partition(":")
    return f"{algo}:{hexdigest[:12]}" if sep else digest[:19]


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _subject(record: dict[str, Any]) -> str:
    if record.get("type") == "build":
        return str(record.get("build", "-"))
    if record.get("type") == "apply":
        return "plan " + _short(record.get("plan_hash"))
    return "-"


def _ok(value: Any) -> str:
    return "yes" if value is True else "NO" if value is False else "-"


def audit_ls(path: Path, fmt: str) -> str:
    """The records of an audit log, oldest first.

    "text": a table (seq, time, type, build or plan, ok, short artifact digest) and a count;
    "json": {"records": [...]} with every record in full. AuditError for a missing or malformed
    log, ValueError for another format.
    """
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown format {fmt!r} (text or json)")
    records = AuditLog(path).records()
    if fmt == "json":
        return json.dumps({"records": records}, ensure_ascii=False) + "\n"
    if not records:
        return f"no records in {path}\n"
    rows: list[tuple[str, ...]] = [("SEQ", "TIME", "TYPE", "BUILD/PLAN", "OK", "DIGEST")]
    for r in records:
        rows.append(
            (str(r.get("seq", "?")), str(r.get("time", "-")), str(r.get("type", "-")), _subject(r), _ok(r.get("ok")),
             _short(r.get("digest")))
        )  # fmt: skip
    noun = "record" if len(records) == 1 else "records"
    return "\n".join([*_table(rows), f"{len(records)} {noun} in {path}"]) + "\n"


def audit_verify(path: Path, fmt: str, key: Path | None) -> tuple[int, str]:
    """Verify an audit log's chain and the provenance files it names: (exit code, output).

    (0, "audit log OK: N records, chain intact") or (1, "record 3: ...") with one line per bad
    record, the first bad record first. "json": {"ok", "records", "head", "problems": [{"record",
    "message"}]}. `key`: a public key file to check signatures with, instead of the keys the
    records name. AuditError for a log or key that cannot be read, ValueError for another format.
    """
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown format {fmt!r} (text or json)")
    public_key: bytes | None = None
    if key is not None:
        try:
            public_key = prov.load_public_key(key)
        except prov.ProvenanceError as exc:
            raise AuditError(str(exc)) from None
    log = AuditLog(path)
    problems = log.verify(check_files=True, public_key_pem=public_key)
    count, head = log.head()
    code = 1 if problems else 0
    if fmt == "json":
        doc = {"ok": not problems, "records": count, "head": head, "problems": msgspec.to_builtins(problems)}
        return code, json.dumps(doc, ensure_ascii=False) + "\n"
    if not problems:
        noun = "record" if count == 1 else "records"
        return 0, f"audit log OK: {count} {noun}, chain intact\n"
    return code, "".join(f"record {p.record}: {p.message}\n" for p in problems)
